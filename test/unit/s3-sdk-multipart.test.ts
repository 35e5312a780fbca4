// S3 multipart uploads through the real AWS SDK v3 (and lib-storage's Upload) against a gateway started here:
// create, upload, list, complete and abort, the multipart ETag, part size and Content-MD5 checks.
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { TestGateway } from '../helpers/gateway';
import { pseudoRandomBytes } from '../helpers/data';
import { expectS3Error, md5Hex, readSdkBody, startMd5Gateway } from '../helpers/s3';

const md5 = md5Hex;
const MiB = 1024 * 1024;
const bytes = (n: number, seed = 1) => pseudoRandomBytes(n, seed * 2654435761);

describe('S3 multipart uploads through @aws-sdk/client-s3 (gateway default checksum md5)', () => {
  let gw: TestGateway;
  let s3: S3Client;
  before(async () => {
    gw = await startMd5Gateway();
    s3 = gw.s3;
  });
  after(() => gw.dispose());

  test('multipart: create (metadata kept), upload, list, complete; ETag = MD5 of part MD5s -N (known vector)', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'mp' }));
    const p1 = Buffer.alloc(5 * MiB, 'a');
    const p2 = Buffer.alloc(1000, 'b');
    const c = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'mp', Key: 'big/obj', ContentType: 'video/x-test', Metadata: { 's3cmd-attrs': 'md5:abc', md5chksum: 'xyz' } }),
    );
    const uploadId = c.UploadId!;
    assert.match(uploadId, /^\S+$/);
    const u2 = await s3.send(new UploadPartCommand({ Bucket: 'mp', Key: 'big/obj', UploadId: uploadId, PartNumber: 2, Body: p2 }));
    const u1 = await s3.send(new UploadPartCommand({ Bucket: 'mp', Key: 'big/obj', UploadId: uploadId, PartNumber: 1, Body: p1 }));
    assert.equal(u1.ETag, '"79b281060d337b9b2b84ccf390adcf74"');
    assert.equal(u2.ETag, '"c73c16de8912c313c06ac38b9961e806"');
    const ups = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'mp' }));
    assert.deepEqual(ups.Uploads?.map((u) => [u.Key, u.UploadId]), [['big/obj', uploadId]]);
    const parts = await s3.send(new ListPartsCommand({ Bucket: 'mp', Key: 'big/obj', UploadId: uploadId }));
    assert.deepEqual(parts.Parts?.map((p) => [p.PartNumber, p.ETag, p.Size]), [
      [1, u1.ETag, p1.length],
      [2, u2.ETag, p2.length],
    ]);
    const one = await s3.send(new ListPartsCommand({ Bucket: 'mp', Key: 'big/obj', UploadId: uploadId, MaxParts: 1 }));
    assert.equal(one.IsTruncated, true);
    assert.equal(one.Parts?.length, 1);
    const rest = await s3.send(new ListPartsCommand({ Bucket: 'mp', Key: 'big/obj', UploadId: uploadId, PartNumberMarker: one.NextPartNumberMarker }));
    assert.deepEqual(rest.Parts?.map((p) => p.PartNumber), [2]);
    // Wrong ETag → InvalidPart; out of order → InvalidPartOrder; a missing part → InvalidPart.
    await expectS3Error(
      () => s3.send(new CompleteMultipartUploadCommand({ Bucket: 'mp', Key: 'big/obj', UploadId: uploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: u2.ETag }, { PartNumber: 2, ETag: u2.ETag }] } })),
      400,
      'InvalidPart',
    );
    await expectS3Error(
      () => s3.send(new CompleteMultipartUploadCommand({ Bucket: 'mp', Key: 'big/obj', UploadId: uploadId, MultipartUpload: { Parts: [{ PartNumber: 2, ETag: u2.ETag }, { PartNumber: 1, ETag: u1.ETag }] } })),
      400,
      'InvalidPartOrder',
    );
    await expectS3Error(
      () => s3.send(new CompleteMultipartUploadCommand({ Bucket: 'mp', Key: 'big/obj', UploadId: uploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: u1.ETag }, { PartNumber: 3, ETag: u2.ETag }] } })),
      400,
      'InvalidPart',
    );
    const done = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket: 'mp', Key: 'big/obj', UploadId: uploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: u1.ETag }, { PartNumber: 2, ETag: u2.ETag }] } }),
    );
    assert.equal(done.ETag, '"8c6f96fe400c627d9394af6161f5921d-2"');
    assert.equal(done.Key, 'big/obj');
    assert.equal(done.Bucket, 'mp');
    const g = await s3.send(new GetObjectCommand({ Bucket: 'mp', Key: 'big/obj' }));
    const all = await readSdkBody(g);
    assert.ok(all.equals(Buffer.concat([p1, p2])));
    assert.equal(g.ETag, '"8c6f96fe400c627d9394af6161f5921d-2"');
    assert.equal(g.ContentType, 'video/x-test');
    assert.deepEqual(g.Metadata, { 's3cmd-attrs': 'md5:abc', md5chksum: 'xyz' });
    // GET/HEAD ?partNumber=N serve part N (multipart downloaders use it).
    const g1 = await s3.send(new GetObjectCommand({ Bucket: 'mp', Key: 'big/obj', PartNumber: 1 }));
    assert.equal(g1.$metadata.httpStatusCode, 206);
    assert.equal(g1.PartsCount, 2);
    assert.equal(g1.ContentRange, `bytes 0-${p1.length - 1}/${p1.length + p2.length}`);
    assert.ok((await readSdkBody(g1)).equals(p1));
    const g2 = await s3.send(new GetObjectCommand({ Bucket: 'mp', Key: 'big/obj', PartNumber: 2 }));
    assert.equal(g2.ContentRange, `bytes ${p1.length}-${p1.length + p2.length - 1}/${p1.length + p2.length}`);
    assert.ok((await readSdkBody(g2)).equals(p2));
    const h2 = await s3.send(new HeadObjectCommand({ Bucket: 'mp', Key: 'big/obj', PartNumber: 2 }));
    assert.equal(h2.ContentLength, p2.length);
    assert.equal(h2.PartsCount, 2);
    await expectS3Error(() => s3.send(new GetObjectCommand({ Bucket: 'mp', Key: 'big/obj', PartNumber: 3 })), 400, 'InvalidPartNumber');
    await expectS3Error(() => s3.send(new HeadObjectCommand({ Bucket: 'mp', Key: 'big/obj', PartNumber: 3 })), 400);
    await expectS3Error(() => s3.send(new GetObjectCommand({ Bucket: 'mp', Key: 'big/obj', PartNumber: 1, Range: 'bytes=0-1' })), 400, 'InvalidRequest');
    // The store recorded the whole object's MD5 and its checksum of the bucket type.
    const meta = await gw.store.headObject({ provider: 'ais', name: 'mp' }, 'big/obj');
    assert.equal(meta.md5, md5(all));
    assert.deepEqual(meta.checksum, { type: 'md5', value: md5(all) });
    assert.equal(meta.parts, 2);
    // The upload is gone.
    assert.equal((await s3.send(new ListMultipartUploadsCommand({ Bucket: 'mp' }))).Uploads, undefined);
    await expectS3Error(() => s3.send(new ListPartsCommand({ Bucket: 'mp', Key: 'big/obj', UploadId: uploadId })), 404, 'NoSuchUpload');
    await expectS3Error(
      () => s3.send(new UploadPartCommand({ Bucket: 'mp', Key: 'big/obj', UploadId: uploadId, PartNumber: 1, Body: 'x' })),
      404,
      'NoSuchUpload',
    );
  });

  test('multipart: EntityTooSmall, Content-MD5 on parts, abort, list uploads by prefix', async () => {
    const c = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'mp', Key: 'small' }));
    const id = c.UploadId!;
    const a = await s3.send(new UploadPartCommand({ Bucket: 'mp', Key: 'small', UploadId: id, PartNumber: 1, Body: 'tiny' }));
    const b = await s3.send(new UploadPartCommand({ Bucket: 'mp', Key: 'small', UploadId: id, PartNumber: 2, Body: 'tiny2' }));
    await expectS3Error(
      () => s3.send(new CompleteMultipartUploadCommand({ Bucket: 'mp', Key: 'small', UploadId: id, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: a.ETag }, { PartNumber: 2, ETag: b.ETag }] } })),
      400,
      'EntityTooSmall',
    );
    const bad = crypto.createHash('md5').update('nope').digest('base64');
    await expectS3Error(
      () => s3.send(new UploadPartCommand({ Bucket: 'mp', Key: 'small', UploadId: id, PartNumber: 3, Body: 'x', ContentMD5: bad })),
      400,
      'BadDigest',
    );
    // One small part alone is fine (the last part may be small).
    const d = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket: 'mp', Key: 'small', UploadId: id, MultipartUpload: { Parts: [{ PartNumber: 2, ETag: b.ETag }] } }),
    );
    const expectEtag = crypto.createHash('md5').update(Buffer.from(md5('tiny2'), 'hex')).digest('hex') + '-1';
    assert.equal(d.ETag, `"${expectEtag}"`);
    assert.equal((await readSdkBody(await s3.send(new GetObjectCommand({ Bucket: 'mp', Key: 'small' })))).toString(), 'tiny2');

    const x = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'mp', Key: 'p/one' }));
    const y = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'mp', Key: 'p/two' }));
    const z = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'mp', Key: 'q/three' }));
    const lp = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'mp', Prefix: 'p/' }));
    assert.deepEqual(lp.Uploads?.map((u) => u.Key), ['p/one', 'p/two']);
    const lm = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'mp', MaxUploads: 2 }));
    assert.equal(lm.IsTruncated, true);
    assert.equal(lm.Uploads?.length, 2);
    const ln = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'mp', KeyMarker: lm.NextKeyMarker, UploadIdMarker: lm.NextUploadIdMarker }));
    assert.deepEqual(ln.Uploads?.map((u) => u.Key), ['q/three']);
    await s3.send(new UploadPartCommand({ Bucket: 'mp', Key: 'p/one', UploadId: x.UploadId, PartNumber: 1, Body: bytes(1000) }));
    for (const [k, u] of [['p/one', x], ['p/two', y], ['q/three', z]] as const) {
      const r = await s3.send(new AbortMultipartUploadCommand({ Bucket: 'mp', Key: k, UploadId: u.UploadId }));
      assert.equal(r.$metadata.httpStatusCode, 204);
    }
    assert.equal((await s3.send(new ListMultipartUploadsCommand({ Bucket: 'mp' }))).Uploads, undefined);
    await expectS3Error(() => s3.send(new AbortMultipartUploadCommand({ Bucket: 'mp', Key: 'p/one', UploadId: x.UploadId })), 404, 'NoSuchUpload');
    await expectS3Error(() => s3.send(new HeadObjectCommand({ Bucket: 'mp', Key: 'p/one' })), 404);
  });

  test('lib-storage Upload of 23 MiB in 5 MiB parts round-trips with the multipart ETag', async () => {
    const data = bytes(23 * MiB, 5);
    const up = new Upload({ client: s3, params: { Bucket: 'mp', Key: 'lib/storage.bin', Body: data }, partSize: 5 * MiB, queueSize: 3 });
    const res = await up.done();
    const partMd5s = [];
    for (let off = 0; off < data.length; off += 5 * MiB) partMd5s.push(crypto.createHash('md5').update(data.subarray(off, off + 5 * MiB)).digest());
    const want = `"${crypto.createHash('md5').update(Buffer.concat(partMd5s)).digest('hex')}-${partMd5s.length}"`;
    assert.equal(res.ETag, want);
    const g = await s3.send(new GetObjectCommand({ Bucket: 'mp', Key: 'lib/storage.bin' }));
    assert.equal(md5(await readSdkBody(g)), md5(data));
    assert.equal(g.PartsCount ?? partMd5s.length, partMd5s.length);
  });
});
