// Resumable multipart uploads: a journal records upload id, part size, parts done and the source's size
// and mtime; after a cancel (or a crash: a new client and journal object on the same file) the upload goes
// on with ListParts and only the missing parts; a changed source is reported stale; a vanished upload
// starts over. Real gateway, real files.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startTestGateway } from '../helpers/gateway';
import { createClusterClient } from '../../src/client';
import { ClusterClient } from '../../src/client/cluster';
import { FileUploadJournal, StaleUpload } from '../../src/client/transfer/journal';
import { TransferCancelled } from '../../src/client/transfer/limits';
import { resumeUpload, uploadFile } from '../../src/client/transfer/upload';
import { makeTempDir, removeDir } from '../helpers/temp';

const MiB = 1024 * 1024;

function counting(client: ClusterClient, onPart?: (n: number) => void): { parts: number[] } {
  const seen = { parts: [] as number[] };
  const orig = client.uploadPart.bind(client);
  client.uploadPart = async (b, k, id, n, src) => {
    const etag = await orig(b, k, id, n, src);
    seen.parts.push(n);
    onPart?.(n);
    return etag;
  };
  return seen;
}

for (const kind of ['ais', 's3'] as const) {
  test(`${kind}: cancel half-way, resume with a new client sends only the missing parts`, async () => {
    const gw = await startTestGateway();
    const tmp = makeTempDir('resume');
    const conn = kind === 'ais' ? { kind, endpoint: gw.url } : { kind, endpoint: gw.s3Endpoint };
    const b = { name: 'up', provider: kind === 'ais' ? 'ais' : 's3' };
    const file = path.join(tmp, 'big.bin');
    const data = crypto.randomBytes(23 * MiB);
    fs.writeFileSync(file, data);
    const journalFile = path.join(tmp, 'journal', 'uploads.json');
    let first: ClusterClient | undefined;
    let second: ClusterClient | undefined;
    try {
      first = createClusterClient(conn);
      await first.createBucket(b);
      const abort = new AbortController();
      const seen1 = counting(first, () => seen1.parts.length === 2 && abort.abort());
      await assert.rejects(
        uploadFile(first, b, file, 'big.bin', { partSize: 5 * MiB, partConcurrency: 1, signal: abort.signal, journal: new FileUploadJournal(journalFile) }),
        TransferCancelled,
      );
      assert.deepEqual(seen1.parts, [1, 2]);
      const kept = await new FileUploadJournal(journalFile).list();
      assert.equal(kept.length, 1);
      assert.deepEqual(kept[0].parts.map((p) => p.partNumber).sort(), [1, 2]);
      assert.equal(kept[0].fileSize, data.length);
      assert.equal((await first.listMultipartUploads(b)).length, 1, 'the upload stays on the cluster');
      first.dispose();

      // "after a restart": new client, new journal object on the same file
      second = createClusterClient(conn);
      const seen2 = counting(second);
      const journal = new FileUploadJournal(journalFile);
      const res = await resumeUpload(second, (await journal.list())[0], { partConcurrency: 2, journal });
      assert.deepEqual(seen2.parts.sort(), [3, 4, 5], 'only the missing parts');
      const md5s = [0, 1, 2, 3, 4].map((i) => crypto.createHash('md5').update(data.subarray(i * 5 * MiB, Math.min(data.length, (i + 1) * 5 * MiB))).digest());
      assert.equal(res.etag?.replace(/"/g, ''), `${crypto.createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-5`);
      const { body } = await second.getObject(b, 'big.bin');
      const h = crypto.createHash('sha256');
      for await (const c of body) h.update(c as Buffer);
      assert.equal(h.digest('hex'), crypto.createHash('sha256').update(data).digest('hex'));
      assert.deepEqual(await journal.list(), []);
      assert.equal((await second.listMultipartUploads(b)).length, 0);

      // the same file uploaded again after a cancel resumes by itself (same key, same file)
      const abort2 = new AbortController();
      const seen3 = counting(second, () => seen3.parts.length === 1 && abort2.abort());
      await assert.rejects(uploadFile(second, b, file, 'again.bin', { partSize: 5 * MiB, partConcurrency: 1, signal: abort2.signal, journal }), TransferCancelled);
      seen3.parts.length = 0;
      await uploadFile(second, b, file, 'again.bin', { partSize: 5 * MiB, partConcurrency: 1, journal });
      assert.equal(seen3.parts.length, 4);
      assert.equal((await second.headObject(b, 'again.bin')).size, data.length);

      // a changed source is stale: reported, not mixed
      const abort3 = new AbortController();
      const seen4 = counting(second, () => seen4.parts.length === 1 && abort3.abort());
      await assert.rejects(uploadFile(second, b, file, 'stale.bin', { partSize: 5 * MiB, partConcurrency: 1, signal: abort3.signal, journal }), TransferCancelled);
      const later = new Date(Date.now() + 5000);
      fs.utimesSync(file, later, later);
      const stale = (await journal.list())[0];
      await assert.rejects(resumeUpload(second, stale, { journal }), (e: unknown) => e instanceof StaleUpload && /changed since/.test(e.message));
      // uploading the changed file again starts afresh (all parts); the stale upload stays to be offered for abort
      seen4.parts.length = 0;
      await uploadFile(second, b, file, 'stale.bin', { partSize: 5 * MiB, journal });
      assert.equal(seen4.parts.length, 5);
      assert.deepEqual((await journal.list()).map((e) => e.uploadId), [stale.uploadId]);

      // an upload aborted elsewhere: start over
      const entry = (await journal.list())[0];
      await second.abortMultipartUpload(b, entry.key, entry.uploadId);
      await journal.put({ ...entry, fileMtimeMs: fs.statSync(file).mtimeMs });
      seen4.parts.length = 0;
      await uploadFile(second, b, file, 'stale.bin', { partSize: 5 * MiB, journal });
      assert.equal(seen4.parts.length, 5);
      assert.deepEqual(await journal.list(), []);

      // without a journal, a cancel aborts the upload as before
      const abort4 = new AbortController();
      const seen5 = counting(second, () => seen5.parts.length === 1 && abort4.abort());
      await assert.rejects(uploadFile(second, b, file, 'plain.bin', { partSize: 5 * MiB, partConcurrency: 1, signal: abort4.signal }), TransferCancelled);
      assert.equal((await second.listMultipartUploads(b)).length, 0);
    } finally {
      first?.dispose();
      second?.dispose();
      await gw.dispose();
      removeDir(tmp);
    }
  });
}
