// The engine's small files (up to SMALL_FILE_BYTES: read or written whole, one digest, no stream pipeline)
// on both clients: cancel ends a stalled GET or PUT at once, an ETag that is not the bytes' MD5 fails the
// upload, a file that cannot be read fails once and names itself, one that shrank since the listing goes
// up as it is now; and a streamed body opened again (a late redirect) is hashed and counted once.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { createClusterClient } from '../../src/client';
import { AisClusterClient } from '../../src/client/ais/client';
import { S3ClusterClient } from '../../src/client/s3';
import { downloadFiles } from '../../src/client/transfer/download';
import { ChecksumMismatch, TransferCancelled } from '../../src/client/transfer/limits';
import { uploadFile, uploadFiles } from '../../src/client/transfer/upload';
import { startTestGateway } from '../helpers/gateway';
import { expectClientError } from '../helpers/client-error';
import { fixedAnswerServer, lateRedirectServer, silentServer, stallingServer } from '../helpers/servers';
import { makeTempDir, removeDir } from '../helpers/temp';

const AK = 'AKIAIOSFODNN7EXAMPLE';
const SK = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describe("the engine's small files on both clients", () => {
  let tmp: string;
  before(() => {
    tmp = makeTempDir('smallfiles');
  });
  after(() => removeDir(tmp));

  const both = (endpoint: string) => [
    new AisClusterClient({ kind: 'ais', endpoint }),
    new S3ClusterClient({ kind: 's3', endpoint, accessKey: AK, secretKey: SK }),
  ];

  test('cancel ends a small GET stalled mid-body at once, and leaves no file', async () => {
    const server = await stallingServer(1000, Buffer.alloc(100, 1));
    try {
      for (const c of both(server.url)) {
        const dest = path.join(tmp, `stall-${c.kind}`);
        const ac = new AbortController();
        const t0 = Date.now();
        setTimeout(() => ac.abort(), 200);
        await assert.rejects(downloadFiles(c, { name: 'b', provider: c.kind === 'ais' ? 'ais' : 's3' }, [{ key: 'k', file: path.join(dest, 'k'), size: 1000 }], { signal: ac.signal }), TransferCancelled);
        assert.ok(Date.now() - t0 < 5000, `cancelled in ${Date.now() - t0} ms`);
        assert.deepEqual(fs.readdirSync(dest), []);
        c.dispose();
      }
    } finally {
      await server.close();
    }
  });

  test('cancel ends a small PUT to a server that never answers at once', async () => {
    const server = await silentServer();
    const file = path.join(tmp, 'small.bin');
    fs.writeFileSync(file, crypto.randomBytes(5000));
    try {
      for (const c of both(server.url)) {
        const ac = new AbortController();
        const t0 = Date.now();
        setTimeout(() => ac.abort(), 200);
        await assert.rejects(uploadFiles(c, { name: 'b', provider: c.kind === 'ais' ? 'ais' : 's3' }, [{ file, key: 'k', size: 5000 }], { signal: ac.signal }), TransferCancelled);
        assert.ok(Date.now() - t0 < 5000, `cancelled in ${Date.now() - t0} ms`);
        c.dispose();
      }
    } finally {
      await server.close();
    }
  });

  test('an ETag that is not the MD5 of the small file sent fails the upload', async () => {
    const server = await fixedAnswerServer(200, { ETag: '"0123456789abcdef0123456789abcdef"' }, '');
    const file = path.join(tmp, 'etag.bin');
    fs.writeFileSync(file, 'these bytes');
    try {
      for (const c of both(server.url)) {
        await assert.rejects(uploadFile(c, { name: 'b', provider: c.kind === 'ais' ? 'ais' : 's3' }, file, 'k'), (e: unknown) => {
          assert.ok(e instanceof ChecksumMismatch, String(e));
          assert.equal(e.actual, crypto.createHash('md5').update('these bytes').digest('hex'));
          return true;
        });
        c.dispose();
      }
    } finally {
      await server.close();
    }
  });

  test('a small file that cannot be read fails once, naming the file', async () => {
    const c = createClusterClient({ kind: 'ais', endpoint: 'http://127.0.0.1:1' });
    const missing = path.join(tmp, 'gone.bin');
    try {
      await expectClientError(uploadFiles(c, { name: 'b', provider: 'ais' }, [{ file: missing, key: 'k', size: 10 }], { attempts: 3 }), 'bad-request', new RegExp(`Cannot upload ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ENOENT`));
    } finally {
      c.dispose();
    }
  });

  test('a file that shrank since it was listed goes up as it is now', async () => {
    const gw = await startTestGateway();
    try {
      const c = createClusterClient({ kind: 'ais', endpoint: gw.url });
      await c.createBucket({ name: 'sh', provider: 'ais' });
      const file = path.join(tmp, 'shrinks.bin');
      fs.writeFileSync(file, 'short now');
      await uploadFiles(c, { name: 'sh', provider: 'ais' }, [{ file, key: 'k', size: 5000 }]);
      assert.equal(await text((await c.getObject({ name: 'sh', provider: 'ais' }, 'k')).body), 'short now');
      c.dispose();
    } finally {
      await gw.dispose();
    }
  });

  test('a temp file that cannot be opened, or a listed object gone by its GET, ends the folder download clearly and leaves nothing', async () => {
    const gw = await startTestGateway();
    try {
      for (const c of [createClusterClient({ kind: 'ais', endpoint: gw.url }), createClusterClient({ kind: 's3', endpoint: gw.s3Endpoint, accessKey: 'test', secretKey: 'test' })]) {
        const b = { name: `ov-${c.kind}`, provider: c.kind === 'ais' ? 'ais' : 's3' };
        await c.createBucket(b);
        const dest = path.join(tmp, `overlap-${c.kind}`);
        fs.mkdirSync(dest);
        // Fits as a name, though not with the temp file's suffix: it downloads (under a short temp name).
        const long = 'n'.repeat(250);
        // Longer than a file name can be: the file cannot be written, after the first files came.
        const tooLong = 'x'.repeat(300);
        const keys = ['a1', 'a2', 'a3', long, tooLong];
        for (const k of keys) await c.putObject(b, k, { bytes: Buffer.from(k) });
        const items = keys.map((k) => ({ key: k, file: path.join(dest, k), size: k.length }));
        await expectClientError(downloadFiles(c, b, items, { fileConcurrency: 1 }), 'bad-request', /^Cannot write to .*: the name is too long for the file system/);
        assert.deepEqual(fs.readdirSync(dest).sort(), ['a1', 'a2', 'a3', long]);
        assert.equal(fs.readFileSync(path.join(dest, long), 'utf8'), long);
        fs.rmSync(path.join(dest, long));
        // Listed, then gone: the GET fails after the temp file was made, which is removed.
        await c.deleteObject(b, 'a3');
        fs.rmSync(path.join(dest, 'a3'));
        await expectClientError(downloadFiles(c, b, items.slice(0, 3), { fileConcurrency: 1 }), 'not-found');
        assert.deepEqual(fs.readdirSync(dest).sort(), ['a1', 'a2']);
        c.dispose();
      }
    } finally {
      await gw.dispose();
    }
  });

  test('a streamed body sent again after a late redirect is hashed and counted once', async () => {
    const gw = await startTestGateway();
    const late = await lateRedirectServer(gw.url, 3 * 1024 * 1024);
    try {
      const setup = createClusterClient({ kind: 'ais', endpoint: gw.url });
      await setup.createBucket({ name: 'm5', provider: 'ais' });
      await setup.setBucketProps({ name: 'm5', provider: 'ais' }, { checksum: { type: 'md5' } });
      setup.dispose();
      // Above the small-file size, below the part size: one streamed PUT, read whole by the redirecting server first.
      const file = path.join(tmp, 'redirected.bin');
      const data = crypto.randomBytes(3 * 1024 * 1024);
      fs.writeFileSync(file, data);
      const c = createClusterClient({ kind: 'ais', endpoint: late.url });
      let last = 0;
      await uploadFile(c, { name: 'm5', provider: 'ais' }, file, 'k', { onProgress: (p) => (last = p.bytesDone) });
      assert.equal(last, data.length, 'the bytes sent twice count once');
      assert.ok((await text((await c.getObject({ name: 'm5', provider: 'ais' }, 'k')).body, 'latin1')) === data.toString('latin1'));
      c.dispose();
    } finally {
      await late.close();
      await gw.dispose();
    }
  });
});

async function text(body: Readable, encoding: BufferEncoding = 'utf8'): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString(encoding);
}
