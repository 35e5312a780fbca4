// Crash safety: the gateway program is killed (SIGKILL) at random points while PUTs, multipart uploads
// and completes, and deletes are in flight, then restarted on the same data dir. After every restart:
// - every key holds its old version or its new one, whole (MD5 of the body, and the stored Ais-Checksum
//   recomputed from the body); a write the client saw acknowledged is the new version;
// - the listing holds exactly the keys that exist, with their sizes: no temp or part files;
// - multipart uploads that were started and not completed are listed and can be aborted.
// And the bucket index file: killed while a clean stop writes it, or with puts and deletes journaled since
// its last snapshot, a restart lists exactly what is stored; a torn index file is rebuilt, not trusted.
// Bounded: as many iterations as fit in the time budget (at least a few).
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { checksumOf, initChecksums } from '../../src/common/checksum';
import { writeObjectFiles } from '../helpers/objectfiles';
import { gatewayProgram, startGatewayProcess, GatewayProcess } from '../helpers/program';
import { makeTempDir, removeDir } from '../helpers/temp';

const MiB = 1024 * 1024;
const BUDGET_MS = Number(process.env.CRASH_BUDGET_MS ?? 25_000);
const MAX_ITERATIONS = 200;
const MIN_ITERATIONS = 5;
const KEYS = Array.from({ length: 10 }, (_, i) => (i % 3 === 0 ? `dir/sub/key-${i}` : `key ${i}.bin`));

interface Version {
  md5: string;
  size: number;
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function request(url: string, method: string, body?: Buffer | string, headers: Record<string, string | number> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false, headers: body !== undefined ? { 'Content-Length': Buffer.byteLength(body), ...headers } : headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const md5 = (b: Buffer) => crypto.createHash('md5').update(b).digest('hex');
const objUrl = (base: string, key: string) => `${base}/s3/crash/${key.split('/').map(encodeURIComponent).join('/')}`;
const rand = (n: number) => Math.floor(Math.random() * n);

describe('crash safety: SIGKILL during writes, restart on the same data', () => {
  let tmp: string;
  let script: string;
  let gw: GatewayProcess | undefined;

  before(async () => {
    await initChecksums();
    tmp = makeTempDir('crash');
    script = await gatewayProgram(tmp);
  });
  after(async () => {
    await gw?.kill();
    removeDir(tmp);
  });

  test('every object is its old or new version in full; no leaked temp files; open uploads survive and abort', async () => {
    const dataDir = path.join(tmp, 'data');
    const start = () => startGatewayProcess(script, ['--data', dataDir]);
    gw = await start();
    assert.equal((await request(`${gw.url}/s3/crash`, 'PUT')).status, 200);
    const state = new Map<string, Version | null>(KEYS.map((k) => [k, null]));
    const t0 = Date.now();
    let iterations = 0;
    let interrupted = 0; // operations whose outcome the client never learned (the kill hit them)
    let acknowledged = 0;
    let openUploadsChecked = 0;

    while (iterations < MAX_ITERATIONS && (iterations < MIN_ITERATIONS || Date.now() - t0 < BUDGET_MS)) {
      iterations++;
      const base = gw.url;
      // One operation per key, so each key has exactly one candidate new version.
      const keys = [...KEYS].sort(() => Math.random() - 0.5).slice(0, 6);
      const allowed = new Map<string, { old: Version | null; next: Version | null; outcome: 'ok' | 'unknown' | 'refused' }>();
      const openedUploads: string[] = [];
      const ops = keys.map(async (key) => {
        const kind = rand(5);
        const entry = { old: state.get(key)!, next: null as Version | null, outcome: 'unknown' as 'ok' | 'unknown' | 'refused' };
        allowed.set(key, entry);
        try {
          if (kind === 0 || kind === 1) {
            const body = crypto.randomBytes(kind === 0 ? rand(64 * 1024) : MiB + rand(2 * MiB));
            entry.next = { md5: md5(body), size: body.length };
            const r = await request(objUrl(base, key), 'PUT', body);
            entry.outcome = r.status === 200 ? 'ok' : 'refused';
          } else if (kind === 2) {
            entry.next = null;
            const r = await request(objUrl(base, key), 'DELETE');
            // Deleting a missing key is a 204 on S3 too: either way it is gone.
            entry.outcome = r.status === 204 ? 'ok' : 'refused';
          } else {
            // Multipart: create, two parts, complete (kind 3); or leave it open (kind 4).
            const c = await request(`${objUrl(base, key)}?uploads`, 'POST');
            const id = /<UploadId>([^<]+)<\/UploadId>/.exec(c.body.toString())?.[1];
            assert.ok(id, c.body.toString());
            // An upload whose creation was acknowledged must outlive the crash (until completed).
            if (kind === 4) openedUploads.push(id);
            const p1 = crypto.randomBytes(5 * MiB);
            const p2 = crypto.randomBytes(rand(MiB) + 1);
            entry.next = kind === 3 ? { md5: md5(Buffer.concat([p1, p2])), size: p1.length + p2.length } : entry.old;
            const etags: string[] = [];
            for (const [i, p] of [p1, p2].entries()) {
              const r = await request(`${objUrl(base, key)}?partNumber=${i + 1}&uploadId=${id}`, 'PUT', p);
              assert.equal(r.status, 200);
              etags.push(String(r.headers.etag));
            }
            if (kind === 4) {
              entry.outcome = 'ok';
              return;
            }
            const xml = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
            const r = await request(`${objUrl(base, key)}?uploadId=${id}`, 'POST', xml);
            entry.outcome = r.status === 200 && !r.body.includes('<Error>') ? 'ok' : 'refused';
          }
        } catch {
          entry.outcome = 'unknown';
        }
      });
      // Kill at a random point: sometimes before anything lands, sometimes mid-body, mid-complete, or after.
      await new Promise((r) => setTimeout(r, rand(300)));
      await gw.kill('SIGKILL');
      await Promise.all(ops);

      gw = await start();
      for (const [key, e] of allowed) {
        if (e.outcome === 'unknown') interrupted++;
        if (e.outcome === 'ok') acknowledged++;
        assert.notEqual(e.outcome, 'refused', `${key}: the gateway refused an operation that should succeed`);
      }
      // Every key: old or new, whole, with a stored checksum that matches its bytes.
      const exists = new Map<string, number>();
      for (const key of KEYS) {
        const r = await request(objUrl(gw.url, key), 'GET');
        let seen: Version | null = null;
        if (r.status === 200) {
          seen = { md5: md5(r.body), size: r.body.length };
          assert.equal(r.headers['ais-checksum-type'], 'xxhash');
          assert.equal(r.headers['ais-checksum-value'], checksumOf('xxhash', r.body), `${key}: stored checksum does not match the bytes`);
          exists.set(key, r.body.length);
        } else assert.equal(r.status, 404, `${key}: GET ${r.status} ${r.body.toString()}`);
        const e = allowed.get(key);
        const same = (a: Version | null, b: Version | null) => (a === null ? b === null : b !== null && a.md5 === b.md5 && a.size === b.size);
        const candidates = !e ? [state.get(key)!] : e.outcome === 'ok' ? [e.next] : [e.old, e.next];
        assert.ok(
          candidates.some((c) => same(c, seen)),
          `iteration ${iterations}, ${key}: found ${JSON.stringify(seen)}, expected one of ${JSON.stringify(candidates)} (${e?.outcome ?? 'untouched'})`,
        );
        state.set(key, seen);
      }
      // The listing: exactly the keys that exist, with their sizes.
      const list = (await request(`${gw.url}/s3/crash?list-type=2`, 'GET')).body.toString();
      const listed = new Map([...list.matchAll(/<Contents><Key>([^<]*)<\/Key>.*?<Size>(\d+)<\/Size>/g)].map((m) => [m[1], Number(m[2])]));
      assert.deepEqual(new Map([...listed].sort()), new Map([...exists].sort()), `iteration ${iterations}: listing ${list}`);
      // Open uploads: the acknowledged ones are there; every one can be aborted.
      const uploads = [...(await request(`${gw.url}/s3/crash?uploads`, 'GET')).body.toString().matchAll(/<Upload><Key>([^<]*)<\/Key><UploadId>([^<]+)<\/UploadId>/g)];
      const ids = new Set(uploads.map((m) => m[2]));
      for (const id of openedUploads) assert.ok(ids.has(id), `iteration ${iterations}: open upload ${id} lost`);
      openUploadsChecked += openedUploads.length;
      for (const [, key, id] of uploads) {
        const r = await request(`${objUrl(gw.url, key)}?uploadId=${id}`, 'DELETE');
        assert.equal(r.status, 204, `abort ${key} ${id}: ${r.status} ${r.body.toString()}`);
      }
      assert.doesNotMatch((await request(`${gw.url}/s3/crash?uploads`, 'GET')).body.toString(), /<Upload>/);
    }
    // The kills must have hit operations in flight, and some operations must have finished: otherwise
    // this test checked nothing.
    assert.ok(interrupted > 0, `no operation was interrupted in ${iterations} iterations`);
    assert.ok(acknowledged > 0, `no operation completed in ${iterations} iterations`);
    console.log(`crash test: ${iterations} kills, ${interrupted} operations interrupted, ${acknowledged} acknowledged, ${openUploadsChecked} open uploads kept`);
  });

  test('the index: kills during its write at a clean stop and with journaled changes; a torn index is rebuilt', async () => {
    const dataDir = path.join(tmp, 'index-data');
    const bucketDir = path.join(dataDir, 'buckets', 'ais', 'idx');
    const start = () => startGatewayProcess(script, ['--data', dataDir]);
    const url = (base: string, key: string) => `${base}/s3/idx/${key.split('/').map(encodeURIComponent).join('/')}`;
    await gw?.kill();
    gw = await start();
    assert.equal((await request(`${gw.url}/s3/idx`, 'PUT')).status, 200);
    await gw.kill('SIGTERM');
    // Enough objects that writing the index takes a while (written as files, then indexed by a rebuild).
    const COUNT = 20_000;
    const keyOf = (i: number) => `base/${i % 10}/k-${i}`;
    await writeObjectFiles(bucketDir, COUNT, keyOf, () => Buffer.from('b'));
    const model = new Map<string, number>(Array.from({ length: COUNT }, (_, i) => [keyOf(i), 1]));
    const listAll = async (base: string) => {
      const seen = new Map<string, number>();
      for (let after = ''; ; ) {
        const r = await request(`${base}/s3/idx?list-type=2&max-keys=1000${after ? `&start-after=${encodeURIComponent(after)}` : ''}`, 'GET');
        assert.equal(r.status, 200, r.body.toString());
        const found = [...r.body.toString().matchAll(/<Contents><Key>([^<]*)<\/Key>.*?<Size>(\d+)<\/Size>/g)];
        for (const m of found) seen.set(m[1], Number(m[2]));
        if (!r.body.includes('<IsTruncated>true</IsTruncated>')) return seen;
        after = found.at(-1)![1];
      }
    };
    const check = async (what: string) => {
      const seen = await listAll(gw!.url);
      const sorted = (m: Map<string, number>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      assert.equal(seen.size, model.size, `${what}: ${seen.size} keys listed, ${model.size} stored`);
      assert.deepEqual(sorted(seen), sorted(model), what);
    };
    gw = await start();
    await check('after the rebuild of an index-less data dir');
    const t0 = Date.now();
    let iterations = 0;
    let killedMidWrite = 0;
    let late = 0;
    while (iterations < 40 && (iterations < 6 || Date.now() - t0 < BUDGET_MS / 2)) {
      iterations++;
      // Changes since the last snapshot: new keys, overwrites, deletes, each acknowledged.
      for (let i = 0; i < 30; i++) {
        const kind = rand(3);
        const keys = [...model.keys()];
        if (kind === 0) {
          const key = `late/${late++}`;
          const body = crypto.randomBytes(rand(100));
          assert.equal((await request(url(gw.url, key), 'PUT', body)).status, 200);
          model.set(key, body.length);
        } else if (kind === 1) {
          const key = keys[rand(keys.length)];
          const body = crypto.randomBytes(rand(100));
          assert.equal((await request(url(gw.url, key), 'PUT', body)).status, 200);
          model.set(key, body.length);
        } else {
          const key = keys[rand(keys.length)];
          assert.equal((await request(url(gw.url, key), 'DELETE')).status, 204);
          model.delete(key);
        }
      }
      if (iterations % 2 === 0) {
        // A clean stop writes the index file: kill it as soon as that write shows in tmp/ (or at a random moment).
        const tmpDir = path.join(dataDir, 'tmp');
        gw.child.kill('SIGTERM');
        const deadline = Date.now() + (iterations % 4 === 0 ? 5000 : rand(60));
        while (Date.now() < deadline && gw.child.exitCode === null && fs.readdirSync(tmpDir).length === 0) await new Promise((r) => setImmediate(r));
        const midWrite = fs.readdirSync(tmpDir).length > 0;
        await gw.kill('SIGKILL');
        if (midWrite) killedMidWrite++;
      } else await gw.kill('SIGKILL');
      gw = await start();
      await check(`iteration ${iterations} (${iterations % 2 === 0 ? 'killed while stopping' : 'killed'})`);
    }
    assert.ok(killedMidWrite > 0, `no kill hit an index write in ${iterations} iterations`);
    // A torn index file (as a full disk or a power loss could leave it): detected and rebuilt.
    await gw.kill('SIGTERM');
    const snap = path.join(bucketDir, 'index.snap');
    fs.truncateSync(snap, Math.floor(fs.statSync(snap).size / 2));
    gw = await start();
    await check('after the index file was torn');
    console.log(`index crash test: ${iterations} kills, ${killedMidWrite} during an index write, ${model.size} keys`);
  });
});
