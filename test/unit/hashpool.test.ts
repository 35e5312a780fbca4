// The hash workers on their own: ranges of files hashed in order, failures reported rather than hung, and
// an idle pool never keeps a process alive.
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { WorkerHashes } from '../../src/common/hashpool';
import { makeTempDir, removeDir } from '../helpers/temp';

const hash = (type: string, b: Uint8Array) => crypto.createHash(type).update(b).digest('hex');

describe('hash workers', () => {
  let dir: string;
  let file: string;
  const data = crypto.randomBytes(5 * 1024 * 1024 + 3);
  before(() => {
    dir = makeTempDir('hashpool');
    file = path.join(dir, 'data');
    fs.writeFileSync(file, data);
  });
  after(() => removeDir(dir));

  test('ranges of one or more files, queued at once, hash as the bytes in order', async () => {
    const other = path.join(dir, 'other');
    fs.writeFileSync(other, data.subarray(0, 100));
    const h = new WorkerHashes(['md5', 'sha256']);
    const cuts = [0, 1, 65_536, 1_048_576, 1_048_577, 3_000_000, data.length];
    const queued = cuts.slice(1).map((end, i) => h.hashFile(file, cuts[i], end - cuts[i]));
    queued.push(h.hashFile(other, 0, 100), h.hashFile(file, 7, 0));
    await Promise.all(queued);
    const all = Buffer.concat([data, data.subarray(0, 100)]);
    assert.deepEqual(await h.digest(), [hash('md5', all), hash('sha256', all)]);
    await assert.rejects(h.hashFile(file, 0, 1), /closed/);
  });

  test('a range past the end of its file, or a missing file, fails the range and the digest', async () => {
    const short = new WorkerHashes(['md5']);
    await assert.rejects(short.hashFile(file, data.length - 10, 11), /ends at/);
    await assert.rejects(short.digest(), /ends at/);
    const missing = new WorkerHashes(['md5']);
    const first = missing.hashFile(file, 0, 10);
    const failing = missing.hashFile(path.join(dir, 'nope'), 0, 10);
    const behind = missing.hashFile(file, 10, 10); // after the failure: refused too, never left hanging
    await first;
    await assert.rejects(failing, /ENOENT/);
    await assert.rejects(behind, /ENOENT/);
    await assert.rejects(missing.digest(), /ENOENT/);
  });

  test('drop answers whoever waits on queued ranges', async () => {
    const h = new WorkerHashes(['sha512']);
    const waits = Array.from({ length: 8 }, () => h.hashFile(file, 0, data.length).then(() => 'hashed', (e: Error) => e.message));
    h.drop();
    for (const r of await Promise.all(waits)) assert.match(r, /hashed|dropped/);
    assert.ok((await Promise.all(waits)).includes('the hash stream was dropped'), 'the later ranges are answered by the drop');
    await assert.rejects(h.digest(), /closed/);
  });

  test('between ranges a stream holds the file open only when told more of it follows', async () => {
    // A file of its own: a dropped stream of another test may still be reading the shared one.
    const own = path.join(dir, 'fd-test');
    fs.writeFileSync(own, data.subarray(0, 2000));
    const opened = () => fs.readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${fd}`) === own;
      } catch {
        return false; // closed meanwhile
      }
    }).length;
    const before = opened(); // 0 unless a test before left one open
    const h = new WorkerHashes(['md5']);
    await h.hashFile(own, 0, 1000, true);
    assert.equal(opened(), before + 1, 'a body being written: kept open for its next range');
    await h.hashFile(own, 1000, 1000);
    assert.equal(opened(), before, 'an idle stream (an open upload between parts) holds no file');
    assert.deepEqual(await h.digest(), [hash('md5', data.subarray(0, 2000))]);
  });

  test('a process whose hashing is done exits on its own; one that still hashes stays until the digest', async () => {
    // The module alone, bundled for a plain `node` child (the test file itself would run its tests there),
    // with its worker next to it.
    const bundle = path.join(dir, 'hashpool.cjs');
    esbuild.buildSync({ entryPoints: [path.resolve('src/common/hashpool.ts')], outfile: bundle, bundle: true, platform: 'node', format: 'cjs', logLevel: 'error' });
    const { buildWorkers } = await import(pathToFileURL(path.resolve('esbuild.mjs')).href);
    await buildWorkers(dir);
    const script = `
      const { WorkerHashes } = require(${JSON.stringify(bundle)});
      const h = new WorkerHashes(['md5']);
      h.hashFile(${JSON.stringify(file)}, 0, ${data.length});
      // Nothing else holds the event loop: only the outstanding work keeps the process for the digest,
      // and a stream opened and left idle afterwards does not keep it either.
      h.digest().then(([d]) => { console.log(d); new WorkerHashes(['md5']); });
    `;
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), hash('md5', data));
    assert.ok(Date.now() - t0 < 15_000, 'exited without a timeout');
  });
});
