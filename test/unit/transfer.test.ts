// The transfer engine against a real gateway, through both client kinds.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClientError, createClusterClient, ClusterClient } from '../../src/client';
import { collectPrefix, downloadFile, downloadFiles, localPathFor } from '../../src/client/transfer/download';
import { ChecksumMismatch, TransferCancelled } from '../../src/client/transfer/limits';
import { collectFolder, uploadFile, uploadFiles } from '../../src/client/transfer/upload';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { countingProxy } from '../helpers/servers';
import { makeTempDir, removeDir } from '../helpers/temp';

const MiB = 1024 * 1024;

function sha256File(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** A file of pseudo-random bytes, written in 1 MiB blocks (never held whole in memory). */
function makeFile(file: string, size: number, seed: number): void {
  const fd = fs.openSync(file, 'w');
  let block = crypto.createHash('sha512').update(String(seed)).digest();
  for (let written = 0; written < size; ) {
    const chunk = Buffer.alloc(Math.min(MiB, size - written));
    for (let off = 0; off < chunk.length; off += block.length) {
      block.copy(chunk, off);
      block = crypto.createHash('sha512').update(block).digest();
    }
    fs.writeSync(fd, chunk);
    written += chunk.length;
  }
  fs.closeSync(fd);
}

/** The real client, with `hook` run before each GET (to count them, or to pull the floor away mid-download). */
function beforeEachGet(client: ClusterClient, hook: () => void): ClusterClient {
  return new Proxy(client, {
    get(target, prop) {
      if (prop === 'getObject') {
        return (...args: Parameters<ClusterClient['getObject']>) => {
          hook();
          return target.getObject(...args);
        };
      }
      // The engine's ranged GETs from an AIS cluster go this way (off the caller's thread).
      if (prop === 'getRangeToFile' && target.getRangeToFile) {
        return (...args: Parameters<NonNullable<ClusterClient['getRangeToFile']>>) => {
          hook();
          return target.getRangeToFile!(...args);
        };
      }
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('transfer engine', () => {
  let gw: TestGateway;
  let ais: ClusterClient;
  let s3: ClusterClient;
  let work: string;

  before(async () => {
    gw = await startTestGateway();
    work = makeTempDir('transfer');
    ais = createClusterClient({ kind: 'ais', endpoint: gw.url });
    s3 = createClusterClient({ kind: 's3', endpoint: gw.s3Endpoint, accessKey: 'test', secretKey: 'test' });
    await ais.createBucket({ name: 'xx', provider: 'ais' });
    await ais.createBucket({ name: 'm5', provider: 'ais' });
    await ais.setBucketProps({ name: 'm5', provider: 'ais' }, { checksum: { type: 'md5' } });
  });

  /** Stores an object in an ais bucket, then flips one byte of its data on disk, behind the gateway's back (bit rot). */
  async function putRotten(bucket: { name: string; provider: 'ais' }, name: string): Promise<void> {
    await ais.putObject(bucket, name, { stream: (await import('node:stream')).Readable.from([Buffer.from('precious bytes\n'.repeat(1000))]), size: 15000 });
    const key = crypto.createHash('sha256').update(name).digest('hex');
    const fd = fs.openSync(path.join(gw.dataDir, 'buckets', 'ais', bucket.name, 'objects', key.slice(0, 2), key), 'r+');
    fs.writeSync(fd, Buffer.from('X'), 0, 1, 100);
    fs.closeSync(fd);
  }

  after(async () => {
    ais.dispose();
    s3.dispose();
    await gw.dispose();
    removeDir(work);
  });

  test('a 200 MB file goes up in parts and comes down by ranges, bytes and checksums equal', async () => {
    const src = path.join(work, 'big.bin');
    makeFile(src, 200 * MiB, 1);
    const progress: number[] = [];
    const put = await uploadFile(ais, { name: 'xx', provider: 'ais' }, src, 'data/big.bin', {
      partSize: 16 * MiB,
      partConcurrency: 4,
      onProgress: (p) => progress.push(p.bytesDone),
    });
    assert.match(put.etag ?? '', /^[0-9a-f]{32}-13$/, 'multipart ETag with 13 parts');
    assert.equal(progress[progress.length - 1], 200 * MiB);
    assert.equal((await ais.listMultipartUploads({ name: 'xx', provider: 'ais' })).length, 0);

    const head = await ais.headObject({ name: 'xx', provider: 'ais' }, 'data/big.bin');
    assert.equal(head.size, 200 * MiB);
    assert.equal(head.checksum?.type, 'xxhash');

    const out = path.join(work, 'down', 'big.bin');
    await downloadFile(ais, { name: 'xx', provider: 'ais' }, 'data/big.bin', out, { partSize: 16 * MiB, partConcurrency: 4 });
    assert.equal(sha256File(out), sha256File(src));

    fs.rmSync(src);
    fs.rmSync(out);
  });

  test('through the plain S3 client: server-side copy to an md5 bucket, download verified by ETag', async () => {
    const src = path.join(work, 'mid.bin');
    makeFile(src, 24 * MiB, 3);
    await uploadFile(s3, { name: 'xx', provider: 's3' }, src, 'mid.bin', { partSize: 8 * MiB });
    await s3.copyObject({ name: 'xx', provider: 's3' }, 'mid.bin', { name: 'm5', provider: 's3' }, 'copy of mid.bin');
    const head = await s3.headObject({ name: 'm5', provider: 's3' }, 'copy of mid.bin');
    assert.equal(head.etag, crypto.createHash('md5').update(fs.readFileSync(src)).digest('hex'));
    const out = path.join(work, 'down', 'copy.bin');
    await downloadFile(s3, { name: 'm5', provider: 's3' }, 'copy of mid.bin', out, { partSize: 5 * MiB });
    assert.equal(sha256File(out), sha256File(src));
  });

  test('a folder of 1,000 files goes up with keys keeping relative paths, and comes back equal', async () => {
    const dir = path.join(work, 'many');
    for (let i = 0; i < 1000; i++) {
      const sub = path.join(dir, `d${i % 10}`, i % 3 === 0 ? 'deep' : '');
      fs.mkdirSync(sub, { recursive: true });
      fs.writeFileSync(path.join(sub, `f ${i}.txt`), `file ${i} ${'x'.repeat(i % 50)}\n`);
    }
    const items = await collectFolder(dir, 'many/');
    assert.equal(items.length, 1000);
    assert.ok(items.some((i) => i.key === 'many/d0/deep/f 0.txt'));
    const up = await uploadFiles(s3, { name: 'm5', provider: 's3' }, items, { fileConcurrency: 16 });
    assert.equal(up.files, 1000);

    const target = path.join(work, 'many-back');
    const down = await collectPrefix(ais, { name: 'm5', provider: 'ais' }, 'many/', target);
    assert.equal(down.length, 1000);
    await downloadFiles(ais, { name: 'm5', provider: 'ais' }, down);
    for (const i of items) {
      const rel = i.key.slice('many/'.length);
      assert.deepEqual(fs.readFileSync(path.join(target, ...rel.split('/'))), fs.readFileSync(i.file), rel);
    }
  });

  test('cancel mid-upload aborts the multipart upload and leaves nothing behind', async () => {
    const src = path.join(work, 'cancel.bin');
    makeFile(src, 64 * MiB, 2);
    const abort = new AbortController();
    await assert.rejects(
      uploadFile(s3, { name: 'xx', provider: 's3' }, src, 'cancelled.bin', {
        partSize: 5 * MiB,
        partConcurrency: 2,
        signal: abort.signal,
        onProgress: (p) => {
          if (p.bytesDone > 12 * MiB) abort.abort();
        },
      }),
      TransferCancelled,
    );
    assert.deepEqual(await s3.listMultipartUploads({ name: 'xx', provider: 's3' }), []);
    await assert.rejects(s3.headObject({ name: 'xx', provider: 's3' }, 'cancelled.bin'), (e: Error & { kind?: string }) => e.kind === 'not-found');
  });

  test('a corrupted object is caught on download and no file is left', async () => {
    const bucket = { name: 'xx', provider: 'ais' } as const;
    await putRotten(bucket, 'victim.txt');
    const out = path.join(work, 'victim.txt');
    await assert.rejects(downloadFile(ais, bucket, 'victim.txt', out), ChecksumMismatch);
    assert.equal(fs.existsSync(out), false);
    assert.deepEqual(fs.readdirSync(work).filter((f) => f.includes('.aisb-')), []);
  });

  test('ranged downloads are verified while they run: equal bytes, and a flipped byte caught for md5 (worker) and xxhash (inline)', async () => {
    const src = path.join(work, 'ranged.bin');
    makeFile(src, 12 * MiB + 12345, 7);
    for (const name of ['m5', 'xx']) {
      const bucket = { name, provider: 'ais' };
      await uploadFile(ais, bucket, src, 'ranged.bin');
      const out = path.join(work, `ranged-${name}.bin`);
      const logs: string[] = [];
      await downloadFile(ais, bucket, 'ranged.bin', out, { partSize: MiB, partConcurrency: 4, onLog: (l) => logs.push(l) });
      assert.equal(sha256File(out), sha256File(src));
      assert.match(logs.join('\n'), name === 'm5' ? /md5 verified/ : /xxhash verified/);
      fs.rmSync(out);
      // Bit rot in the last MiB: only the hash of the whole file can see it.
      const key = crypto.createHash('sha256').update('ranged.bin').digest('hex');
      const stored = path.join(gw.dataDir, 'buckets', 'ais', name, 'objects', key.slice(0, 2), key);
      const fd = fs.openSync(stored, 'r+');
      fs.writeSync(fd, Buffer.from('X'), 0, 1, 12 * MiB + 100);
      fs.closeSync(fd);
      await assert.rejects(downloadFile(ais, bucket, 'ranged.bin', out, { partSize: MiB, partConcurrency: 4 }), (e: unknown) => e instanceof ChecksumMismatch && e.type === (name === 'm5' ? 'md5' : 'xxhash'));
      assert.equal(fs.existsSync(out), false);
    }
    assert.deepEqual(fs.readdirSync(work).filter((f) => f.includes('.aisb-')), []);
  });

  test('a download folder that cannot be written fails before any byte is asked for, with a clear message, and leaves nothing', async () => {
    const bucket = { name: 'xx', provider: 'ais' };
    const src = path.join(work, 'small-and-big.bin');
    makeFile(src, 3 * MiB, 9);
    await uploadFile(ais, bucket, src, 'unwritable.bin');
    let gets = 0;
    const counting = beforeEachGet(ais, () => gets++);
    const aFile = path.join(work, 'a-file');
    fs.writeFileSync(aFile, 'not a folder');
    const aFolder = path.join(work, 'a-folder');
    fs.mkdirSync(aFolder);
    const cases: [string, RegExp][] = [
      [path.join(aFile, 'sub', 'x.bin'), /a part of its path is a file, not a folder/],
      [path.join(aFile, 'x.bin'), /a part of its path is a file, not a folder/],
      [aFolder, /it is a folder/],
      // Root may write almost anywhere; /sys refuses new files even to root.
      ['/sys/aisb-download-test.bin', /permission denied/],
    ];
    for (const [target, reason] of cases) {
      for (const partSize of [MiB, 16 * MiB]) {
        await assert.rejects(downloadFile(counting, bucket, 'unwritable.bin', target, { partSize }), (e: unknown) => {
          assert.ok(e instanceof ClientError, String(e));
          assert.ok(e.message.startsWith(`Cannot write to ${target}: `), e.message);
          assert.match(e.message, reason);
          return true;
        });
      }
    }
    assert.equal(gets, 0, 'no GET was sent');
    assert.equal(fs.readFileSync(aFile, 'utf8'), 'not a folder');
    assert.deepEqual(fs.readdirSync(aFolder), []);
    assert.deepEqual(fs.readdirSync(work).filter((f) => f.includes('.aisb-')), []);
  });

  test('a download folder removed mid-way ends with a clear message and no file', async () => {
    const bucket = { name: 'xx', provider: 'ais' };
    const src = path.join(work, 'vanish.bin');
    makeFile(src, 4 * MiB, 11);
    await uploadFile(ais, bucket, src, 'vanish.bin');
    const dir = path.join(work, 'vanishing');
    let gets = 0;
    const removing = beforeEachGet(ais, () => {
      if (++gets === 2) removeDir(dir); // after the first range landed
    });
    const out = path.join(dir, 'deep', 'vanish.bin');
    await assert.rejects(downloadFile(removing, bucket, 'vanish.bin', out, { partSize: MiB, partConcurrency: 1 }), (e: unknown) => {
      assert.ok(e instanceof ClientError, String(e));
      assert.ok(e.message.startsWith(`Cannot write to ${out}: its folder does not exist`), e.message);
      return true;
    });
    assert.equal(gets, 2, 'stopped at the range that found the folder gone, no retries');
    assert.equal(fs.existsSync(dir), false);
  });

  test('a folder download sends one GET per small object (no HEAD), verified by the GET\'s checksum; a large one is ranged after a HEAD', async () => {
    const front = await countingProxy(gw.url);
    const viaAis = createClusterClient({ kind: 'ais', endpoint: front.url });
    const viaS3 = createClusterClient({ kind: 's3', endpoint: `${front.url}/s3`, accessKey: 'test', secretKey: 'test' });
    try {
      const src = path.join(work, 'counted');
      fs.mkdirSync(src, { recursive: true });
      for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(src, `small-${i}.txt`), `small ${i}\n`.repeat(100 + i));
      makeFile(path.join(src, 'large.bin'), 3 * MiB, 12);
      await uploadFiles(ais, { name: 'm5', provider: 'ais' }, await collectFolder(src, 'counted/'));
      for (const [name, client, provider] of [['ais', viaAis, 'ais'], ['s3', viaS3, 's3']] as const) {
        const bucket = { name: 'm5', provider };
        const dest = path.join(work, `counted-${name}`);
        front.seen.length = 0;
        const items = await collectPrefix(client, bucket, 'counted/', dest);
        const log: string[] = [];
        await downloadFiles(client, bucket, items, { partSize: MiB, onLog: (l) => log.push(l) });
        for (let i = 0; i < 5; i++) {
          const key = `counted/small-${i}.txt`;
          assert.deepEqual(front.perKey(key), ['GET'], `${name}: requests for ${key}`);
          assert.deepEqual(fs.readFileSync(path.join(dest, `small-${i}.txt`)), fs.readFileSync(path.join(src, `small-${i}.txt`)));
          assert.ok(log.some((l) => l.includes(key) && l.includes('md5 verified')), `${name}: ${key} verified: ${log.join('\n')}`);
        }
        const large = front.perKey('counted/large.bin');
        assert.ok(large.includes('HEAD') && large.filter((m) => m === 'GET').length === 3, `${name}: large object: ${large}`);
        assert.equal(sha256File(path.join(dest, 'large.bin')), sha256File(path.join(src, 'large.bin')));
      }
    } finally {
      viaAis.dispose();
      viaS3.dispose();
      await front.close();
    }
  });

  test('a folder download retries a small GET cut off mid-body: the file is whole, in new and shared folders, nothing else left', async () => {
    const bucket = { name: 'xx', provider: 'ais' };
    // 300 KB is gathered in memory and written at once; 2 MiB streams to the file: each path's retry reopens it.
    const sizes = { 'cut/a/small.bin': 300 * 1024, 'cut/a/mid.bin': 2 * MiB, 'cut/b/c/small.bin': 300 * 1024 };
    for (const [key, size] of Object.entries(sizes)) {
      makeFile(path.join(work, 'cut-src.bin'), size, size);
      await uploadFile(ais, bucket, path.join(work, 'cut-src.bin'), key);
      fs.renameSync(path.join(work, 'cut-src.bin'), path.join(work, `cut-src-${path.basename(path.dirname(key))}-${path.basename(key)}`));
    }
    const cutOnce = new Set<string>();
    const flaky = new Proxy(ais, {
      get(target, prop) {
        if (prop !== 'getObject') {
          const value = Reflect.get(target, prop) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return async (...args: Parameters<ClusterClient['getObject']>) => {
          const got = await target.getObject(...args);
          if (cutOnce.has(args[1])) return got;
          cutOnce.add(args[1]);
          let n = 0;
          const { Transform } = await import('node:stream');
          const cut = new Transform({
            transform(chunk: Buffer, _e, cb) {
              n += chunk.length;
              if (n > 100 * 1024) return cb(new ClientError('unreachable', 'connection reset (test)', gw.url));
              cb(null, chunk);
            },
          });
          // The cut-off GET's own body is dropped with it (a reader that gives up closes the connection).
          cut.once('error', () => got.body.destroy());
          got.body.pipe(cut);
          return { ...got, body: cut };
        };
      },
    });
    const dest = path.join(work, 'cut-down');
    const items = await collectPrefix(flaky, bucket, 'cut/', dest);
    const result = await downloadFiles(flaky, bucket, items, { partSize: 16 * MiB });
    assert.equal(result.files, 3);
    assert.equal(cutOnce.size, 3, 'every first GET was cut');
    for (const key of Object.keys(sizes)) {
      const got = path.join(dest, ...key.slice('cut/'.length).split('/'));
      assert.equal(sha256File(got), sha256File(path.join(work, `cut-src-${path.basename(path.dirname(key))}-${path.basename(key)}`)), key);
    }
    assert.deepEqual(fs.readdirSync(path.join(dest, 'a')).sort(), ['mid.bin', 'small.bin']);
    assert.deepEqual(fs.readdirSync(path.join(dest, 'b', 'c')), ['small.bin']);
  });

  test('a folder download catches a corrupted small object by the GET\'s own checksum and leaves no file', async () => {
    const bucket = { name: 'xx', provider: 'ais' } as const;
    await putRotten(bucket, 'rot/victim.txt');
    const dest = path.join(work, 'rot');
    const items = await collectPrefix(ais, bucket, 'rot/', dest);
    await assert.rejects(downloadFiles(ais, bucket, items), ChecksumMismatch);
    assert.equal(fs.existsSync(path.join(dest, 'victim.txt')), false);
    assert.deepEqual(fs.readdirSync(dest).filter((f) => f.includes('.aisb-')), []);
  });

  test('object names never escape the download folder', () => {
    const dir = path.join(work, 'safe');
    assert.equal(localPathFor(dir, 'p/', 'p/a/b.txt'), path.join(dir, 'a', 'b.txt'));
    assert.throws(() => localPathFor(dir, '', '../etc/passwd'));
    assert.throws(() => localPathFor(dir, 'p/', 'p/x/../../y'));
  });
});
