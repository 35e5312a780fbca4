// The gateway's S3 API through the real AWS SDK v3 (@aws-sdk/client-s3), against a gateway started here:
// buckets, objects, ranges, preconditions, errors, copies, ACLs, the xxhash default and an aws-provider
// bucket. Every operation compares real outcomes: bytes, checksums, ETags, exact error codes and statuses.
// (Listings: s3-sdk-listing.test.ts; multipart: s3-sdk-multipart.test.ts; HTTP framing: s3-http.test.ts.)
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as net from 'node:net';
import * as http from 'node:http';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketAclCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutBucketAclCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { checksumOf, initChecksums } from '../../src/gateway/checksum';
import { amzChecksumOf } from '../../src/gateway/s3/checksums';
import { s3RemoteOf, startTestGateway, TestGateway } from '../helpers/gateway';
import { pseudoRandomBytes } from '../helpers/data';
import type { Reply } from '../helpers/http';
import { expectS3Error, md5Hex, readSdkBody, s3Error, s3Xml, startMd5Gateway, unsignedRequest } from '../helpers/s3';

const md5 = md5Hex;
const MiB = 1024 * 1024;
const bytes = (n: number, seed = 1) => pseudoRandomBytes(n, seed * 2654435761);

/** A request written byte for byte on a socket (Node's client re-encodes non-ASCII header values). */
function rawSocket(port: number, head: string, payload: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => {
      sock.write(Buffer.concat([Buffer.from(head.replace(/\n/g, '\r\n') + '\r\n', 'utf8'), payload]));
    });
    const chunks: Buffer[] = [];
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1]), text });
    });
    sock.on('error', reject);
  });
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('S3 API through @aws-sdk/client-s3 (gateway default checksum md5)', () => {
  let gw: TestGateway;
  let s3: S3Client;
  before(async () => {
    gw = await startMd5Gateway();
    s3 = gw.s3;
  });
  after(() => gw.dispose());

  test('CreateBucket, HeadBucket, ListBuckets, GetBucketLocation, DeleteBucket', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'alpha' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'beta.2_x' }));
    await expectS3Error(() => s3.send(new CreateBucketCommand({ Bucket: 'alpha' })), 409, 'BucketAlreadyOwnedByYou');
    const head = await s3.send(new HeadBucketCommand({ Bucket: 'alpha' }));
    assert.equal(head.$metadata.httpStatusCode, 200);
    await expectS3Error(() => s3.send(new HeadBucketCommand({ Bucket: 'nope' })), 404);
    const list = await s3.send(new ListBucketsCommand({}));
    assert.deepEqual(list.Buckets?.map((b) => b.Name), ['alpha', 'beta.2_x']);
    for (const b of list.Buckets ?? []) assert.ok(b.CreationDate instanceof Date && Math.abs(b.CreationDate.getTime() - Date.now()) < 60_000);
    const loc = await s3.send(new GetBucketLocationCommand({ Bucket: 'alpha' }));
    assert.ok(!loc.LocationConstraint, `us-east-1 is an empty LocationConstraint, not ${loc.LocationConstraint}`);
    await expectS3Error(() => s3.send(new GetBucketLocationCommand({ Bucket: 'nope' })), 404, 'NoSuchBucket');
    // New buckets take the cluster default checksum (md5 here).
    assert.equal(gw.store.getBucket({ provider: 'ais', name: 'alpha' }).props.checksum.type, 'md5');

    await s3.send(new PutObjectCommand({ Bucket: 'alpha', Key: 'x', Body: 'x' }));
    await expectS3Error(() => s3.send(new DeleteBucketCommand({ Bucket: 'alpha' })), 409, 'BucketNotEmpty');
    await s3.send(new DeleteObjectCommand({ Bucket: 'alpha', Key: 'x' }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'alpha' }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'beta.2_x' }));
    await expectS3Error(() => s3.send(new DeleteBucketCommand({ Bucket: 'alpha' })), 404, 'NoSuchBucket');
    assert.deepEqual((await s3.send(new ListBucketsCommand({}))).Buckets ?? [], []);
  });

  test('invalid bucket names are refused with InvalidBucketName', async () => {
    const r = await unsignedRequest(`${gw.s3Endpoint}/bad%20name`, 'PUT');
    assert.equal(r.status, 400);
    assert.match(r.body.toString(), /<Code>InvalidBucketName<\/Code>/);
  });

  test('PutObject/GetObject/HeadObject: bytes, ETag = MD5, checksum recorded, metadata and Content-Type', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'obj' }));
    const data = bytes(3 * MiB + 17);
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'obj',
        Key: 'dir/file.bin',
        Body: data,
        ContentType: 'application/x-test',
        Metadata: { color: 'blue', 'two-words': 'a b' },
        CacheControl: 'max-age=60',
        ContentDisposition: 'attachment; filename="f.bin"',
      }),
    );
    assert.equal(put.ETag, `"${md5(data)}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'dir/file.bin' }));
    const gotBytes = await readSdkBody(got);
    assert.equal(gotBytes.length, data.length);
    assert.ok(gotBytes.equals(data), 'bytes round-trip');
    assert.equal(got.ETag, `"${md5(data)}"`);
    assert.equal(got.ContentType, 'application/x-test');
    assert.equal(got.ContentLength, data.length);
    assert.deepEqual(got.Metadata, { color: 'blue', 'two-words': 'a b' });
    assert.equal(got.CacheControl, 'max-age=60');
    assert.equal(got.ContentDisposition, 'attachment; filename="f.bin"');
    assert.equal(got.ContentEncoding, undefined, 'aws-chunked never becomes the stored Content-Encoding');
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'obj', Key: 'dir/file.bin' }));
    assert.equal(head.ContentLength, data.length);
    assert.equal(head.ETag, `"${md5(data)}"`);
    assert.deepEqual(head.Metadata, { color: 'blue', 'two-words': 'a b' });
    assert.ok(head.LastModified instanceof Date && Math.abs(head.LastModified.getTime() - Date.now()) < 60_000);
    // The store recorded the bucket's checksum type (md5) and the MD5.
    const meta = await gw.store.headObject({ provider: 'ais', name: 'obj' }, 'dir/file.bin');
    assert.deepEqual(meta.checksum, { type: 'md5', value: md5(data) });
    assert.equal(meta.md5, md5(data));
    const rh = await unsignedRequest(`${gw.s3Endpoint}/obj/dir/file.bin`, 'HEAD');
    assert.equal(rh.headers['ais-checksum-type'], 'md5');
    assert.equal(rh.headers['ais-checksum-value'], md5(data));
  });

  test('PutObject with a streamed body of unknown length (aws-chunked or chunked) stores the payload only', async () => {
    const data = bytes(2 * MiB + 5, 7);
    const stream = Readable.from((function* () {
      for (let i = 0; i < data.length; i += 65536) yield data.subarray(i, i + 65536);
    })());
    const up = new Upload({ client: s3, params: { Bucket: 'obj', Key: 'streamed', Body: stream, ContentType: 'text/x-stream' } });
    await up.done();
    const got = await s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'streamed' }));
    assert.ok((await readSdkBody(got)).equals(data));
    assert.equal(got.ContentEncoding, undefined);
    assert.equal(got.ContentType, 'text/x-stream');
    // A stream with a known length: the SDK sends it aws-chunked with a trailing x-amz-checksum-crc32.
    const put = await s3.send(
      new PutObjectCommand({ Bucket: 'obj', Key: 'aws-chunked', Body: Readable.from([data.subarray(0, 70_000), data.subarray(70_000)]), ContentLength: data.length }),
    );
    assert.equal(put.ETag, `"${md5(data)}"`);
    assert.equal(put.ChecksumCRC32, amzChecksumOf('crc32', data), 'the trailing checksum was checked and echoed');
    const g2 = await s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'aws-chunked' }));
    assert.ok((await readSdkBody(g2)).equals(data));
    assert.equal(g2.ContentEncoding, undefined, 'aws-chunked is not stored as Content-Encoding');
    // Transfer-Encoding: chunked with no Content-Length, raw.
    const r = await new Promise<Omit<Reply, 'json'>>((resolve, reject) => {
      const req = http.request(`${gw.s3Endpoint}/obj/te-chunked`, { method: 'PUT' }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.alloc(0) }));
      });
      req.on('error', reject);
      req.write(data.subarray(0, 1000));
      req.end(data.subarray(1000, 5000));
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.etag, `"${md5(data.subarray(0, 5000))}"`);
  });

  test('empty objects and Content-MD5 (mismatch → BadDigest, nothing stored)', async () => {
    const empty = await s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'empty', Body: '' }));
    assert.equal(empty.ETag, '"d41d8cd98f00b204e9800998ecf8427e"');
    const g = await s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'empty' }));
    assert.equal((await readSdkBody(g)).length, 0);
    const data = Buffer.from('hello content-md5');
    const good = crypto.createHash('md5').update(data).digest('base64');
    const ok = await s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'cmd5', Body: data, ContentMD5: good }));
    assert.equal(ok.ETag, `"${md5(data)}"`);
    const bad = crypto.createHash('md5').update('other').digest('base64');
    await expectS3Error(() => s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'cmd5-bad', Body: data, ContentMD5: bad })), 400, 'BadDigest');
    await expectS3Error(() => s3.send(new HeadObjectCommand({ Bucket: 'obj', Key: 'cmd5-bad' })), 404);
    // An overwrite with a bad digest leaves the old object intact.
    await expectS3Error(() => s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'cmd5', Body: 'changed', ContentMD5: bad })), 400, 'BadDigest');
    assert.equal((await readSdkBody(await s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'cmd5' })))).toString(), data.toString());
    const r = await unsignedRequest(`${gw.s3Endpoint}/obj/cmd5`, 'PUT', { 'Content-MD5': 'not-base64-md5' }, 'x');
    assert.equal(r.status, 400);
    assert.match(r.body.toString(), /<Code>InvalidDigest<\/Code>/);
  });

  test('conditional writes: If-None-Match: * creates only, If-Match replaces only that version', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'cw', Body: 'v1', IfNoneMatch: '*' }));
    await expectS3Error(() => s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'cw', Body: 'v2', IfNoneMatch: '*' })), 412, 'PreconditionFailed');
    const etag = (await s3.send(new HeadObjectCommand({ Bucket: 'obj', Key: 'cw' }))).ETag!;
    await expectS3Error(() => s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'cw', Body: 'v2', IfMatch: '"0000"' })), 412, 'PreconditionFailed');
    await expectS3Error(() => s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'cw-missing', Body: 'v2', IfMatch: etag })), 404, 'NoSuchKey');
    await s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'cw', Body: 'v2', IfMatch: etag }));
    assert.equal((await readSdkBody(await s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'cw' })))).toString(), 'v2');
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'obj', Key: 'cw' }));
    const part = await s3.send(new UploadPartCommand({ Bucket: 'obj', Key: 'cw', UploadId: up.UploadId, PartNumber: 1, Body: 'v3' }));
    const complete = (extra: object) =>
      s3.send(new CompleteMultipartUploadCommand({ Bucket: 'obj', Key: 'cw', UploadId: up.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] }, ...extra }));
    await expectS3Error(() => complete({ IfNoneMatch: '*' }), 412, 'PreconditionFailed');
    await complete({ IfMatch: `"${md5('v2')}"` });
    assert.equal((await readSdkBody(await s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'cw' })))).toString(), 'v3');
  });

  test('keys with CR, LF, U+0085, U+2028 and literal entity text list and multi-delete byte-identical', async () => {
    // The SDK writes such characters as numeric character references in DeleteObjects' XML.
    const keys = ['cr/\rkey\r\nend', 'cr/nl\nkey', 'cr/u\u2028\u0085', 'cr/lit&#13;amp&amp;', 'cr/<tag>&"\'', 'cr/\tTab'];
    for (const k of keys) await s3.send(new PutObjectCommand({ Bucket: 'obj', Key: k, Body: k }));
    await s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'cr/keep', Body: 'keep' }));
    const l = await s3.send(new ListObjectsV2Command({ Bucket: 'obj', Prefix: 'cr/' }));
    assert.deepEqual(l.Contents?.map((c) => c.Key), [...keys, 'cr/keep'].sort(byteOrder));
    const del = await s3.send(new DeleteObjectsCommand({ Bucket: 'obj', Delete: { Objects: keys.map((Key) => ({ Key })) } }));
    assert.deepEqual(del.Deleted?.map((d) => d.Key!).sort(byteOrder), [...keys].sort(byteOrder));
    const left = await s3.send(new ListObjectsV2Command({ Bucket: 'obj', Prefix: 'cr/' }));
    assert.deepEqual(left.Contents?.map((c) => c.Key), ['cr/keep'], 'exactly those keys were deleted');
  });

  test('UTF-8 x-amz-meta values survive (Node receives header bytes as latin1)', async () => {
    const value = 'grüße ключ 文字';
    const r = await rawSocket(gw.port, `PUT /s3/obj/utf8meta HTTP/1.1\nHost: 127.0.0.1\nx-amz-meta-note: ${value}\nContent-Length: 1\nConnection: close\n`, Buffer.from('u'));
    assert.equal(r.status, 200, r.text);
    const meta = await gw.store.headObject({ provider: 'ais', name: 'obj' }, 'utf8meta');
    assert.equal(meta.userMeta.note, value);
    const h = await unsignedRequest(`${gw.s3Endpoint}/obj/utf8meta`, 'HEAD');
    assert.equal(Buffer.from(String(h.headers['x-amz-meta-note']), 'latin1').toString('utf8'), value);
  });

  test('GetObject Range: first, middle, suffix, open-ended, past the end (416 InvalidRange)', async () => {
    const data = bytes(1000, 3);
    await s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'ranged', Body: data }));
    const cases: [string, number, number][] = [
      ['bytes=0-0', 0, 0],
      ['bytes=0-99', 0, 99],
      ['bytes=100-199', 100, 199],
      ['bytes=-50', 950, 999],
      ['bytes=990-', 990, 999],
      ['bytes=900-5000', 900, 999],
      ['bytes=-5000', 0, 999],
    ];
    for (const [range, start, end] of cases) {
      const g = await s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'ranged', Range: range }));
      assert.equal(g.$metadata.httpStatusCode, 206, range);
      assert.equal(g.ContentRange, `bytes ${start}-${end}/1000`, range);
      assert.equal(g.ContentLength, end - start + 1, range);
      assert.ok((await readSdkBody(g)).equals(data.subarray(start, end + 1)), range);
    }
    const e = await expectS3Error(() => s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'ranged', Range: 'bytes=1000-' })), 416, 'InvalidRange');
    assert.ok(e);
    await expectS3Error(() => s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'ranged', Range: 'bytes=5000-6000' })), 416, 'InvalidRange');
    const hr = await s3.send(new HeadObjectCommand({ Bucket: 'obj', Key: 'ranged', Range: 'bytes=10-19' }));
    assert.equal(hr.ContentLength, 10);
    // A single-part object has one part: the whole object.
    const p1 = await s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'ranged', PartNumber: 1 }));
    assert.equal(p1.ContentRange, 'bytes 0-999/1000');
    assert.ok((await readSdkBody(p1)).equals(data));
    await expectS3Error(() => s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'ranged', PartNumber: 2 })), 400, 'InvalidPartNumber');
    await expectS3Error(() => s3.send(new HeadObjectCommand({ Bucket: 'obj', Key: 'ranged', PartNumber: 2 })), 400);
    // Preconditions come before the range: a matching If-None-Match is a 304 even with an unsatisfiable range.
    const etag = (await s3.send(new HeadObjectCommand({ Bucket: 'obj', Key: 'ranged' }))).ETag;
    const e304 = await s3Error(() => s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'ranged', Range: 'bytes=5000-', IfNoneMatch: etag })));
    assert.equal(e304.$metadata.httpStatusCode, 304);
  });

  test('GetObject preconditions: If-None-Match / If-Modified-Since → 304, If-Match → 412', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'cond', Body: 'conditional' }));
    const etag = put.ETag!;
    let e = await s3Error(() => s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'cond', IfNoneMatch: etag })));
    assert.equal(e.$metadata.httpStatusCode, 304);
    e = await s3Error(() => s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'cond', IfModifiedSince: new Date(Date.now() + 3600_000) })));
    assert.equal(e.$metadata.httpStatusCode, 304);
    e = await s3Error(() => s3.send(new HeadObjectCommand({ Bucket: 'obj', Key: 'cond', IfNoneMatch: etag })));
    assert.equal(e.$metadata.httpStatusCode, 304);
    const g = await s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'cond', IfNoneMatch: '"0123"', IfModifiedSince: new Date(0) }));
    assert.equal((await readSdkBody(g)).toString(), 'conditional');
    const g2 = await s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'cond', IfModifiedSince: new Date(Date.now() - 3600_000) }));
    assert.equal((await readSdkBody(g2)).toString(), 'conditional');
    await expectS3Error(() => s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'cond', IfMatch: '"0123"' })), 412, 'PreconditionFailed');
    const g3 = await s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'cond', IfMatch: etag }));
    assert.equal((await readSdkBody(g3)).toString(), 'conditional');
    await expectS3Error(() => s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'cond', IfUnmodifiedSince: new Date(Date.now() - 3600_000) })), 412, 'PreconditionFailed');
  });

  test('errors are S3 XML with status, code and RequestId', async () => {
    await expectS3Error(() => s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'missing' })), 404, 'NoSuchKey');
    await expectS3Error(() => s3.send(new GetObjectCommand({ Bucket: 'nobucket', Key: 'k' })), 404, 'NoSuchBucket');
    await expectS3Error(() => s3.send(new PutObjectCommand({ Bucket: 'nobucket', Key: 'k', Body: 'x' })), 404, 'NoSuchBucket');
    await expectS3Error(() => s3.send(new HeadObjectCommand({ Bucket: 'obj', Key: 'missing' })), 404);
    await expectS3Error(() => s3.send(new ListObjectsV2Command({ Bucket: 'nobucket' })), 404, 'NoSuchBucket');
    await expectS3Error(() => s3.send(new ListPartsCommand({ Bucket: 'obj', Key: 'k', UploadId: '0'.repeat(32) })), 404, 'NoSuchUpload');
    await expectS3Error(() => s3.send(new AbortMultipartUploadCommand({ Bucket: 'obj', Key: 'k', UploadId: 'bogus' })), 404, 'NoSuchUpload');
    for (const [url, code] of [
      [`${gw.s3Endpoint}/obj/missing`, 'NoSuchKey'],
      [`${gw.s3Endpoint}/nobucket`, 'NoSuchBucket'],
    ]) {
      const r = await unsignedRequest(url);
      assert.equal(r.status, 404);
      assert.match(String(r.headers['content-type']), /xml/);
      assert.ok(r.headers['x-amz-request-id']);
      const doc = s3Xml.parse(r.body.toString()) as { Error: Record<string, string> };
      assert.equal(doc.Error.Code, code);
      assert.equal(doc.Error.RequestId, r.headers['x-amz-request-id']);
      assert.ok(doc.Error.Message);
    }
    const ok = await unsignedRequest(`${gw.s3Endpoint}`);
    assert.ok(ok.headers['x-amz-request-id'], 'x-amz-request-id on success too');
  });

  test('DeleteObject and DeleteObjects (multi, quiet and verbose)', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'del' }));
    const keys = ['a', 'b/c', 'd e', 'ü+&%20'];
    for (const k of keys) await s3.send(new PutObjectCommand({ Bucket: 'del', Key: k, Body: k }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'del', Key: 'a' }));
    await expectS3Error(() => s3.send(new HeadObjectCommand({ Bucket: 'del', Key: 'a' })), 404);
    // Deleting a missing key succeeds in S3.
    const again = await s3.send(new DeleteObjectCommand({ Bucket: 'del', Key: 'a' }));
    assert.equal(again.$metadata.httpStatusCode, 204);
    const multi = await s3.send(
      new DeleteObjectsCommand({ Bucket: 'del', Delete: { Objects: [{ Key: 'b/c' }, { Key: 'd e' }, { Key: 'ü+&%20' }, { Key: 'never' }] } }),
    );
    assert.deepEqual(multi.Deleted?.map((d) => d.Key).sort(), ['b/c', 'd e', 'never', 'ü+&%20'].sort());
    assert.equal(multi.Errors, undefined);
    assert.equal((await s3.send(new ListObjectsV2Command({ Bucket: 'del' }))).KeyCount, 0);
    await s3.send(new PutObjectCommand({ Bucket: 'del', Key: 'q', Body: 'q' }));
    const quiet = await s3.send(new DeleteObjectsCommand({ Bucket: 'del', Delete: { Objects: [{ Key: 'q' }], Quiet: true } }));
    assert.equal(quiet.Deleted, undefined);
    await expectS3Error(() => s3.send(new HeadObjectCommand({ Bucket: 'del', Key: 'q' })), 404);
    await s3.send(new DeleteBucketCommand({ Bucket: 'del' }));
  });

  test('CopyObject: same and other bucket, COPY and REPLACE metadata, errors', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'copy-dst' }));
    const data = bytes(MiB + 3, 11);
    await s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'src key+ü', Body: data, ContentType: 'image/x-src', Metadata: { a: '1' } }));
    const c1 = await s3.send(new CopyObjectCommand({ Bucket: 'copy-dst', Key: 'copied', CopySource: `obj/${encodeURIComponent('src key+ü')}` }));
    assert.equal(c1.CopyObjectResult?.ETag, `"${md5(data)}"`);
    const g1 = await s3.send(new GetObjectCommand({ Bucket: 'copy-dst', Key: 'copied' }));
    assert.ok((await readSdkBody(g1)).equals(data));
    assert.equal(g1.ContentType, 'image/x-src');
    assert.deepEqual(g1.Metadata, { a: '1' });
    await s3.send(
      new CopyObjectCommand({ Bucket: 'obj', Key: 'src key+ü', CopySource: `/obj/${encodeURIComponent('src key+ü')}`, MetadataDirective: 'REPLACE', Metadata: { b: '2' }, ContentType: 'text/plain' }),
    );
    const h = await s3.send(new HeadObjectCommand({ Bucket: 'obj', Key: 'src key+ü' }));
    assert.deepEqual(h.Metadata, { b: '2' });
    assert.equal(h.ContentType, 'text/plain');
    assert.equal(h.ContentLength, data.length);
    await expectS3Error(() => s3.send(new CopyObjectCommand({ Bucket: 'obj', Key: 'src key+ü', CopySource: `obj/${encodeURIComponent('src key+ü')}` })), 400, 'InvalidRequest');
    await expectS3Error(() => s3.send(new CopyObjectCommand({ Bucket: 'obj', Key: 'x', CopySource: 'obj/missing' })), 404, 'NoSuchKey');
    await expectS3Error(() => s3.send(new CopyObjectCommand({ Bucket: 'obj', Key: 'x', CopySource: 'nobucket/k' })), 404, 'NoSuchBucket');
    await expectS3Error(() => s3.send(new CopyObjectCommand({ Bucket: 'obj', Key: 'x', CopySource: 'copy-dst/copied', CopySourceIfMatch: '"00"' })), 412, 'PreconditionFailed');
  });

  test('?acl, ?policy, ?cors answer what s3cmd accepts', async () => {
    const acl = await s3.send(new GetBucketAclCommand({ Bucket: 'obj' }));
    assert.equal(acl.Grants?.[0]?.Permission, 'FULL_CONTROL');
    assert.ok(acl.Owner?.ID);
    const policy = await unsignedRequest(`${gw.s3Endpoint}/obj?policy`);
    assert.ok([403, 404, 405, 501].includes(policy.status), `policy ${policy.status}`);
    const cors = await unsignedRequest(`${gw.s3Endpoint}/obj?cors`);
    assert.ok([404, 501].includes(cors.status), `cors ${cors.status}`);
    // Writing ACLs: only "owner has FULL_CONTROL" can be honoured; grants to others are 501.
    await s3.send(new PutObjectAclCommand({ Bucket: 'obj', Key: 'cond', ACL: 'private' }));
    await s3.send(new PutBucketAclCommand({ Bucket: 'obj', ACL: 'private' }));
    await s3.send(new PutObjectAclCommand({ Bucket: 'obj', Key: 'cond', AccessControlPolicy: { Owner: acl.Owner, Grants: acl.Grants } }));
    await expectS3Error(() => s3.send(new PutObjectAclCommand({ Bucket: 'obj', Key: 'cond', ACL: 'public-read' })), 501, 'NotImplemented');
    await expectS3Error(() => s3.send(new PutObjectAclCommand({ Bucket: 'obj', Key: 'missing', ACL: 'private' })), 404, 'NoSuchKey');
    const objAcl = await unsignedRequest(`${gw.s3Endpoint}/obj/cond?acl`);
    assert.ok(objAcl.status === 200 || objAcl.status === 501);
    if (objAcl.status === 200) assert.match(objAcl.body.toString(), /<Grant><Grantee[^>]*>.*<\/Grantee><Permission>FULL_CONTROL<\/Permission><\/Grant>/);
  });
});

describe('S3 API through the SDK on an xxhash gateway (AIStore default)', () => {
  let gw: TestGateway;
  before(async () => {
    await initChecksums();
    gw = await startTestGateway();
  });
  after(() => gw.dispose());

  test('new buckets take xxhash; ETag is the xxhash; the MD5 is recorded too; multipart ETag is still MD5-based', async () => {
    const s3 = gw.s3;
    await s3.send(new CreateBucketCommand({ Bucket: 'xx' }));
    const ref = { provider: 'ais' as const, name: 'xx' };
    assert.equal(gw.store.getBucket(ref).props.checksum.type, 'xxhash');
    const put = await s3.send(new PutObjectCommand({ Bucket: 'xx', Key: 'abc', Body: 'abc' }));
    assert.equal(put.ETag, '"44bc2cf5ad770999"');
    const meta = await gw.store.headObject(ref, 'abc');
    assert.deepEqual(meta.checksum, { type: 'xxhash', value: '44bc2cf5ad770999' });
    assert.equal(meta.md5, undefined, 'no MD5 on an xxhash bucket (as AIStore): nothing asked for it');
    const p1 = Buffer.alloc(5 * MiB, 'a');
    const p2 = Buffer.alloc(1000, 'b');
    const c = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'xx', Key: 'mp' }));
    const e1 = await s3.send(new UploadPartCommand({ Bucket: 'xx', Key: 'mp', UploadId: c.UploadId, PartNumber: 1, Body: p1 }));
    const e2 = await s3.send(new UploadPartCommand({ Bucket: 'xx', Key: 'mp', UploadId: c.UploadId, PartNumber: 2, Body: p2 }));
    const done = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket: 'xx', Key: 'mp', UploadId: c.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1.ETag }, { PartNumber: 2, ETag: e2.ETag }] } }),
    );
    assert.equal(done.ETag, '"8c6f96fe400c627d9394af6161f5921d-2"');
    const all = Buffer.concat([p1, p2]);
    const m2 = await gw.store.headObject(ref, 'mp');
    assert.deepEqual(m2.checksum, { type: 'xxhash', value: checksumOf('xxhash', all) });
    assert.equal(m2.md5, undefined);
    // Switching the bucket to md5 (what the guide tells s3cmd users) makes new ETags MD5s.
    await gw.store.setBucketProps(ref, { checksum: { type: 'md5' } });
    const put2 = await s3.send(new PutObjectCommand({ Bucket: 'xx', Key: 'abc2', Body: 'abc' }));
    assert.equal(put2.ETag, '"900150983cd24fb0d6963f7d28e17f72"');
  });

  test('a bucket name that exists under two providers is ambiguous and names both', async () => {
    await gw.store.createBucket({ provider: 'ais', name: 'twice' });
    await gw.store.createBucket({ provider: 'aws', name: 'twice' });
    // AIStore answers 404 AmbiguousBucketName (ais/s3/err.go) and names both buckets.
    const r = await unsignedRequest(`${gw.s3Endpoint}/twice?list-type=2`);
    assert.equal(r.status, 404);
    const text = r.body.toString();
    assert.match(text, /<Code>AmbiguousBucketName<\/Code>/);
    assert.match(text, /ais:\/\/twice/);
    assert.match(text, /s3:\/\/twice/);
    const e = await expectS3Error(() => gw.s3.send(new PutObjectCommand({ Bucket: 'twice', Key: 'k', Body: 'x' })), 404, 'AmbiguousBucketName');
    assert.ok(e);
    // CreateBucket through S3 refuses a name another provider already uses.
    await gw.store.createBucket({ provider: 'aws', name: 'cloudonly' });
    await expectS3Error(() => gw.s3.send(new CreateBucketCommand({ Bucket: 'cloudonly' })), 409, 'BucketAlreadyExists');
  });
});

describe('S3 API on an aws-provider bucket (a remote S3 service: a second gateway)', () => {
  let remote: TestGateway;
  let gw: TestGateway;
  before(async () => {
    await initChecksums();
    remote = await startTestGateway({ defaultChecksum: 'md5' });
    gw = await startTestGateway({ remote: s3RemoteOf(remote) });
    await remote.s3.send(new CreateBucketCommand({ Bucket: 'cloud' }));
    await remote.s3.send(new PutObjectCommand({ Bucket: 'cloud', Key: 'docs/readme.txt', Body: 'hello', Metadata: { m: '1' } }));
  });
  after(async () => {
    await gw?.dispose();
    await remote?.dispose();
  });

  test('a bare name resolves to the remote bucket: list, cold GET, write-through PUT, multipart, delete', async () => {
    const s3 = gw.s3;
    assert.ok((await s3.send(new ListBucketsCommand({}))).Buckets?.some((b) => b.Name === 'cloud'));
    await s3.send(new HeadBucketCommand({ Bucket: 'cloud' }));
    const l = await s3.send(new ListObjectsV2Command({ Bucket: 'cloud' }));
    assert.deepEqual(l.Contents?.map((c) => [c.Key, c.Size, c.ETag]), [['docs/readme.txt', 5, `"${md5('hello')}"`]]);
    const g = await s3.send(new GetObjectCommand({ Bucket: 'cloud', Key: 'docs/readme.txt' }));
    assert.equal((await readSdkBody(g)).toString(), 'hello');
    assert.deepEqual(g.Metadata, { m: '1' });
    await s3.send(new PutObjectCommand({ Bucket: 'cloud', Key: 'up.bin', Body: bytes(70_000, 9) }));
    const r = await remote.s3.send(new GetObjectCommand({ Bucket: 'cloud', Key: 'up.bin' }));
    assert.ok((await readSdkBody(r)).equals(bytes(70_000, 9)), 'written through to the remote');
    const data = bytes(6 * MiB, 4);
    await new Upload({ client: s3, params: { Bucket: 'cloud', Key: 'mp.bin', Body: data, Metadata: { k: 'v' } }, partSize: 5 * MiB }).done();
    const rm = await remote.s3.send(new GetObjectCommand({ Bucket: 'cloud', Key: 'mp.bin' }));
    assert.equal(md5(await readSdkBody(rm)), md5(data));
    assert.deepEqual(rm.Metadata, { k: 'v' });
    await s3.send(new DeleteObjectCommand({ Bucket: 'cloud', Key: 'up.bin' }));
    await expectS3Error(() => remote.s3.send(new HeadObjectCommand({ Bucket: 'cloud', Key: 'up.bin' })), 404);
    // An ais bucket of the same name makes the name ambiguous.
    await gw.store.createBucket({ provider: 'ais', name: 'cloud' });
    await expectS3Error(() => s3.send(new ListObjectsV2Command({ Bucket: 'cloud' })), 404, 'AmbiguousBucketName');
  });
});
