// The gateway's S3 API through the real AWS SDK v3 (@aws-sdk/client-s3), against a gateway started here.
// Every operation compares real outcomes: bytes, checksums, ETags, exact error codes and statuses.
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import * as net from 'node:net';
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
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutBucketAclCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { XMLParser } from 'fast-xml-parser';
import { checksumOf, initChecksums } from '../../src/gateway/checksum';
import { amzChecksumOf } from '../../src/gateway/s3/checksums';
import { s3RemoteOf, startTestGateway, TestGateway } from '../helpers/gateway';
import { pseudoRandomBytes } from '../helpers/data';

const md5 = (b: Uint8Array | string) => crypto.createHash('md5').update(b).digest('hex');
const MiB = 1024 * 1024;

const bytes = (n: number, seed = 1) => pseudoRandomBytes(n, seed * 2654435761);

async function body(out: { Body?: unknown }): Promise<Buffer> {
  const b = out.Body as { transformToByteArray(): Promise<Uint8Array> };
  return Buffer.from(await b.transformToByteArray());
}

/** Runs `fn`, expects an S3 error; returns it for status/code checks. */
async function s3Error(fn: () => Promise<unknown>): Promise<S3ServiceException> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof S3ServiceException) return e;
    throw e;
  }
  assert.fail('expected an S3 error');
}

async function expectError(fn: () => Promise<unknown>, status: number, code?: string): Promise<S3ServiceException> {
  const e = await s3Error(fn);
  assert.equal(e.$metadata.httpStatusCode, status, `status of ${e.name}: ${e.message}`);
  if (code) assert.equal(e.name, code, e.message);
  assert.ok(e.$metadata.requestId, 'every error carries a request id');
  return e;
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A plain (unsigned) HTTP request: the gateway does not verify signatures. Header values may be latin1-encoded bytes. */
function raw(url: string, method = 'GET', headers: Record<string, string> = {}, data?: Buffer | string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}

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

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (n) => ['Contents', 'CommonPrefixes', 'Bucket', 'Upload', 'Part'].includes(n) });

describe('S3 API through @aws-sdk/client-s3 (gateway default checksum md5)', () => {
  let gw: TestGateway;
  let s3: S3Client;
  before(async () => {
    await initChecksums();
    gw = await startTestGateway({ defaultChecksum: 'md5' });
    s3 = gw.s3;
  });
  after(() => gw.dispose());

  test('CreateBucket, HeadBucket, ListBuckets, GetBucketLocation, DeleteBucket', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'alpha' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'beta.2_x' }));
    await expectError(() => s3.send(new CreateBucketCommand({ Bucket: 'alpha' })), 409, 'BucketAlreadyOwnedByYou');
    const head = await s3.send(new HeadBucketCommand({ Bucket: 'alpha' }));
    assert.equal(head.$metadata.httpStatusCode, 200);
    await expectError(() => s3.send(new HeadBucketCommand({ Bucket: 'nope' })), 404);
    const list = await s3.send(new ListBucketsCommand({}));
    assert.deepEqual(list.Buckets?.map((b) => b.Name), ['alpha', 'beta.2_x']);
    for (const b of list.Buckets ?? []) assert.ok(b.CreationDate instanceof Date && Math.abs(b.CreationDate.getTime() - Date.now()) < 60_000);
    const loc = await s3.send(new GetBucketLocationCommand({ Bucket: 'alpha' }));
    assert.ok(!loc.LocationConstraint, `us-east-1 is an empty LocationConstraint, not ${loc.LocationConstraint}`);
    await expectError(() => s3.send(new GetBucketLocationCommand({ Bucket: 'nope' })), 404, 'NoSuchBucket');
    // New buckets take the cluster default checksum (md5 here).
    assert.equal(gw.store.getBucket({ provider: 'ais', name: 'alpha' }).props.checksum.type, 'md5');

    await s3.send(new PutObjectCommand({ Bucket: 'alpha', Key: 'x', Body: 'x' }));
    await expectError(() => s3.send(new DeleteBucketCommand({ Bucket: 'alpha' })), 409, 'BucketNotEmpty');
    await s3.send(new DeleteObjectCommand({ Bucket: 'alpha', Key: 'x' }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'alpha' }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'beta.2_x' }));
    await expectError(() => s3.send(new DeleteBucketCommand({ Bucket: 'alpha' })), 404, 'NoSuchBucket');
    assert.deepEqual((await s3.send(new ListBucketsCommand({}))).Buckets ?? [], []);
  });

  test('invalid bucket names are refused with InvalidBucketName', async () => {
    const r = await raw(`${gw.s3Endpoint}/bad%20name`, 'PUT');
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
    const gotBytes = await body(got);
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
    const rh = await raw(`${gw.s3Endpoint}/obj/dir/file.bin`, 'HEAD');
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
    assert.ok((await body(got)).equals(data));
    assert.equal(got.ContentEncoding, undefined);
    assert.equal(got.ContentType, 'text/x-stream');
    // A stream with a known length: the SDK sends it aws-chunked with a trailing x-amz-checksum-crc32.
    const put = await s3.send(
      new PutObjectCommand({ Bucket: 'obj', Key: 'aws-chunked', Body: Readable.from([data.subarray(0, 70_000), data.subarray(70_000)]), ContentLength: data.length }),
    );
    assert.equal(put.ETag, `"${md5(data)}"`);
    assert.equal(put.ChecksumCRC32, amzChecksumOf('crc32', data), 'the trailing checksum was checked and echoed');
    const g2 = await s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'aws-chunked' }));
    assert.ok((await body(g2)).equals(data));
    assert.equal(g2.ContentEncoding, undefined, 'aws-chunked is not stored as Content-Encoding');
    // Transfer-Encoding: chunked with no Content-Length, raw.
    const r = await new Promise<RawResponse>((resolve, reject) => {
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
    assert.equal((await body(g)).length, 0);
    const data = Buffer.from('hello content-md5');
    const good = crypto.createHash('md5').update(data).digest('base64');
    const ok = await s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'cmd5', Body: data, ContentMD5: good }));
    assert.equal(ok.ETag, `"${md5(data)}"`);
    const bad = crypto.createHash('md5').update('other').digest('base64');
    await expectError(() => s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'cmd5-bad', Body: data, ContentMD5: bad })), 400, 'BadDigest');
    await expectError(() => s3.send(new HeadObjectCommand({ Bucket: 'obj', Key: 'cmd5-bad' })), 404);
    // An overwrite with a bad digest leaves the old object intact.
    await expectError(() => s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'cmd5', Body: 'changed', ContentMD5: bad })), 400, 'BadDigest');
    assert.equal((await body(await s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'cmd5' })))).toString(), data.toString());
    const r = await raw(`${gw.s3Endpoint}/obj/cmd5`, 'PUT', { 'Content-MD5': 'not-base64-md5' }, 'x');
    assert.equal(r.status, 400);
    assert.match(r.body.toString(), /<Code>InvalidDigest<\/Code>/);
  });

  test('conditional writes: If-None-Match: * creates only, If-Match replaces only that version', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'cw', Body: 'v1', IfNoneMatch: '*' }));
    await expectError(() => s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'cw', Body: 'v2', IfNoneMatch: '*' })), 412, 'PreconditionFailed');
    const etag = (await s3.send(new HeadObjectCommand({ Bucket: 'obj', Key: 'cw' }))).ETag!;
    await expectError(() => s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'cw', Body: 'v2', IfMatch: '"0000"' })), 412, 'PreconditionFailed');
    await expectError(() => s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'cw-missing', Body: 'v2', IfMatch: etag })), 404, 'NoSuchKey');
    await s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'cw', Body: 'v2', IfMatch: etag }));
    assert.equal((await body(await s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'cw' })))).toString(), 'v2');
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'obj', Key: 'cw' }));
    const part = await s3.send(new UploadPartCommand({ Bucket: 'obj', Key: 'cw', UploadId: up.UploadId, PartNumber: 1, Body: 'v3' }));
    const complete = (extra: object) =>
      s3.send(new CompleteMultipartUploadCommand({ Bucket: 'obj', Key: 'cw', UploadId: up.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] }, ...extra }));
    await expectError(() => complete({ IfNoneMatch: '*' }), 412, 'PreconditionFailed');
    await complete({ IfMatch: `"${md5('v2')}"` });
    assert.equal((await body(await s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'cw' })))).toString(), 'v3');
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
    const h = await raw(`${gw.s3Endpoint}/obj/utf8meta`, 'HEAD');
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
      assert.ok((await body(g)).equals(data.subarray(start, end + 1)), range);
    }
    const e = await expectError(() => s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'ranged', Range: 'bytes=1000-' })), 416, 'InvalidRange');
    assert.ok(e);
    await expectError(() => s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'ranged', Range: 'bytes=5000-6000' })), 416, 'InvalidRange');
    const hr = await s3.send(new HeadObjectCommand({ Bucket: 'obj', Key: 'ranged', Range: 'bytes=10-19' }));
    assert.equal(hr.ContentLength, 10);
    // A single-part object has one part: the whole object.
    const p1 = await s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'ranged', PartNumber: 1 }));
    assert.equal(p1.ContentRange, 'bytes 0-999/1000');
    assert.ok((await body(p1)).equals(data));
    await expectError(() => s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'ranged', PartNumber: 2 })), 416, 'InvalidPartNumber');
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
    assert.equal((await body(g)).toString(), 'conditional');
    const g2 = await s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'cond', IfModifiedSince: new Date(Date.now() - 3600_000) }));
    assert.equal((await body(g2)).toString(), 'conditional');
    await expectError(() => s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'cond', IfMatch: '"0123"' })), 412, 'PreconditionFailed');
    const g3 = await s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'cond', IfMatch: etag }));
    assert.equal((await body(g3)).toString(), 'conditional');
    await expectError(() => s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'cond', IfUnmodifiedSince: new Date(Date.now() - 3600_000) })), 412, 'PreconditionFailed');
  });

  test('errors are S3 XML with status, code and RequestId', async () => {
    await expectError(() => s3.send(new GetObjectCommand({ Bucket: 'obj', Key: 'missing' })), 404, 'NoSuchKey');
    await expectError(() => s3.send(new GetObjectCommand({ Bucket: 'nobucket', Key: 'k' })), 404, 'NoSuchBucket');
    await expectError(() => s3.send(new PutObjectCommand({ Bucket: 'nobucket', Key: 'k', Body: 'x' })), 404, 'NoSuchBucket');
    await expectError(() => s3.send(new HeadObjectCommand({ Bucket: 'obj', Key: 'missing' })), 404);
    await expectError(() => s3.send(new ListObjectsV2Command({ Bucket: 'nobucket' })), 404, 'NoSuchBucket');
    await expectError(() => s3.send(new ListPartsCommand({ Bucket: 'obj', Key: 'k', UploadId: '0'.repeat(32) })), 404, 'NoSuchUpload');
    await expectError(() => s3.send(new AbortMultipartUploadCommand({ Bucket: 'obj', Key: 'k', UploadId: 'bogus' })), 404, 'NoSuchUpload');
    for (const [url, code] of [
      [`${gw.s3Endpoint}/obj/missing`, 'NoSuchKey'],
      [`${gw.s3Endpoint}/nobucket`, 'NoSuchBucket'],
    ]) {
      const r = await raw(url);
      assert.equal(r.status, 404);
      assert.match(String(r.headers['content-type']), /xml/);
      assert.ok(r.headers['x-amz-request-id']);
      const doc = xml.parse(r.body.toString()) as { Error: Record<string, string> };
      assert.equal(doc.Error.Code, code);
      assert.equal(doc.Error.RequestId, r.headers['x-amz-request-id']);
      assert.ok(doc.Error.Message);
    }
    const ok = await raw(`${gw.s3Endpoint}`);
    assert.ok(ok.headers['x-amz-request-id'], 'x-amz-request-id on success too');
  });

  test('DeleteObject and DeleteObjects (multi, quiet and verbose)', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'del' }));
    const keys = ['a', 'b/c', 'd e', 'ü+&%20'];
    for (const k of keys) await s3.send(new PutObjectCommand({ Bucket: 'del', Key: k, Body: k }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'del', Key: 'a' }));
    await expectError(() => s3.send(new HeadObjectCommand({ Bucket: 'del', Key: 'a' })), 404);
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
    await expectError(() => s3.send(new HeadObjectCommand({ Bucket: 'del', Key: 'q' })), 404);
    await s3.send(new DeleteBucketCommand({ Bucket: 'del' }));
  });

  test('CopyObject: same and other bucket, COPY and REPLACE metadata, errors', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'copy-dst' }));
    const data = bytes(MiB + 3, 11);
    await s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'src key+ü', Body: data, ContentType: 'image/x-src', Metadata: { a: '1' } }));
    const c1 = await s3.send(new CopyObjectCommand({ Bucket: 'copy-dst', Key: 'copied', CopySource: `obj/${encodeURIComponent('src key+ü')}` }));
    assert.equal(c1.CopyObjectResult?.ETag, `"${md5(data)}"`);
    const g1 = await s3.send(new GetObjectCommand({ Bucket: 'copy-dst', Key: 'copied' }));
    assert.ok((await body(g1)).equals(data));
    assert.equal(g1.ContentType, 'image/x-src');
    assert.deepEqual(g1.Metadata, { a: '1' });
    await s3.send(
      new CopyObjectCommand({ Bucket: 'obj', Key: 'src key+ü', CopySource: `/obj/${encodeURIComponent('src key+ü')}`, MetadataDirective: 'REPLACE', Metadata: { b: '2' }, ContentType: 'text/plain' }),
    );
    const h = await s3.send(new HeadObjectCommand({ Bucket: 'obj', Key: 'src key+ü' }));
    assert.deepEqual(h.Metadata, { b: '2' });
    assert.equal(h.ContentType, 'text/plain');
    assert.equal(h.ContentLength, data.length);
    await expectError(() => s3.send(new CopyObjectCommand({ Bucket: 'obj', Key: 'src key+ü', CopySource: `obj/${encodeURIComponent('src key+ü')}` })), 400, 'InvalidRequest');
    await expectError(() => s3.send(new CopyObjectCommand({ Bucket: 'obj', Key: 'x', CopySource: 'obj/missing' })), 404, 'NoSuchKey');
    await expectError(() => s3.send(new CopyObjectCommand({ Bucket: 'obj', Key: 'x', CopySource: 'nobucket/k' })), 404, 'NoSuchBucket');
    await expectError(() => s3.send(new CopyObjectCommand({ Bucket: 'obj', Key: 'x', CopySource: 'copy-dst/copied', CopySourceIfMatch: '"00"' })), 412, 'PreconditionFailed');
  });

  test('ListObjects V1 and V2: prefix, delimiter/CommonPrefixes, marker, start-after, max-keys, encoding-type=url', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'lst' }));
    const keys = ['a/b/c.txt', 'a/b/d.txt', 'a/e.txt', 'a.txt', 'b.txt', 'c d/e+f&g.txt', 'unicodé/ключ.txt', '%20literal', 'z', 'a/f/g/h'];
    for (const k of keys) await s3.send(new PutObjectCommand({ Bucket: 'lst', Key: k, Body: k }));
    const sorted = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    const v2 = await s3.send(new ListObjectsV2Command({ Bucket: 'lst' }));
    assert.deepEqual(v2.Contents?.map((c) => c.Key), sorted);
    assert.equal(v2.KeyCount, keys.length);
    assert.equal(v2.IsTruncated, false);
    for (const c of v2.Contents ?? []) {
      assert.equal(c.Size, Buffer.byteLength(c.Key!));
      assert.equal(c.ETag, `"${md5(c.Key!)}"`);
    }
    const v1 = await s3.send(new ListObjectsCommand({ Bucket: 'lst' }));
    assert.deepEqual(v1.Contents?.map((c) => c.Key), sorted);
    // prefix
    const p = await s3.send(new ListObjectsV2Command({ Bucket: 'lst', Prefix: 'a/' }));
    assert.deepEqual(p.Contents?.map((c) => c.Key), ['a/b/c.txt', 'a/b/d.txt', 'a/e.txt', 'a/f/g/h']);
    // delimiter
    const d = await s3.send(new ListObjectsV2Command({ Bucket: 'lst', Delimiter: '/' }));
    assert.deepEqual(d.CommonPrefixes?.map((c) => c.Prefix), ['a/', 'c d/', 'unicodé/']);
    assert.deepEqual(d.Contents?.map((c) => c.Key), ['%20literal', 'a.txt', 'b.txt', 'z']);
    assert.equal(d.KeyCount, 7);
    const d2 = await s3.send(new ListObjectsCommand({ Bucket: 'lst', Prefix: 'a/', Delimiter: '/' }));
    assert.deepEqual(d2.CommonPrefixes?.map((c) => c.Prefix), ['a/b/', 'a/f/']);
    assert.deepEqual(d2.Contents?.map((c) => c.Key), ['a/e.txt']);
    // marker / start-after (exclusive)
    const m = await s3.send(new ListObjectsCommand({ Bucket: 'lst', Marker: 'a/e.txt' }));
    assert.deepEqual(m.Contents?.map((c) => c.Key), sorted.slice(sorted.indexOf('a/e.txt') + 1));
    const sa = await s3.send(new ListObjectsV2Command({ Bucket: 'lst', StartAfter: 'b' }));
    assert.deepEqual(sa.Contents?.map((c) => c.Key), sorted.filter((k) => k > 'b'));
    // max-keys and paging, V1 with NextMarker (delimiter given) and V2 with continuation tokens
    const seenV1: string[] = [];
    let marker: string | undefined;
    for (let i = 0; i < 20; i++) {
      const page = await s3.send(new ListObjectsCommand({ Bucket: 'lst', MaxKeys: 3, Marker: marker, Delimiter: '/' }));
      assert.ok((page.Contents?.length ?? 0) + (page.CommonPrefixes?.length ?? 0) <= 3);
      seenV1.push(...(page.Contents ?? []).map((c) => c.Key!), ...(page.CommonPrefixes ?? []).map((c) => c.Prefix!));
      if (!page.IsTruncated) break;
      marker = page.NextMarker;
      assert.ok(marker);
    }
    assert.deepEqual(seenV1.sort(), ['%20literal', 'a.txt', 'b.txt', 'z', 'a/', 'c d/', 'unicodé/'].sort());
    const seenV2: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 3 }, { Bucket: 'lst' })) {
      pages++;
      assert.ok((page.KeyCount ?? 0) <= 3);
      seenV2.push(...(page.Contents ?? []).map((c) => c.Key!));
    }
    assert.deepEqual(seenV2, sorted);
    assert.equal(pages, Math.ceil(keys.length / 3));
    const zero = await s3.send(new ListObjectsV2Command({ Bucket: 'lst', MaxKeys: 0 }));
    assert.equal(zero.KeyCount, 0);
    await expectError(() => s3.send(new ListObjectsV2Command({ Bucket: 'lst', ContinuationToken: 'garbage!' })), 400, 'InvalidArgument');
    // encoding-type=url: keys come back percent-encoded, decode to the stored bytes.
    for (const listType of ['list-type=2&', '']) {
      const r = await raw(`${gw.s3Endpoint}/lst?${listType}encoding-type=url&delimiter=%2F&prefix=${encodeURIComponent('c d/')}`);
      assert.equal(r.status, 200);
      const doc = xml.parse(r.body.toString()) as { ListBucketResult: { Contents: { Key: string }[]; EncodingType: string; Prefix: string } };
      assert.equal(doc.ListBucketResult.EncodingType, 'url');
      assert.equal(doc.ListBucketResult.Prefix, 'c%20d/');
      assert.deepEqual(doc.ListBucketResult.Contents.map((c) => c.Key), ['c%20d/e%2Bf%26g.txt']);
      assert.equal(decodeURIComponent(doc.ListBucketResult.Contents[0].Key), 'c d/e+f&g.txt');
    }
    const u = await raw(`${gw.s3Endpoint}/lst?list-type=2&encoding-type=url&prefix=unicod`);
    const ud = xml.parse(u.body.toString()) as { ListBucketResult: { Contents: { Key: string }[] } };
    assert.deepEqual(ud.ListBucketResult.Contents.map((c) => decodeURIComponent(c.Key)), ['unicodé/ключ.txt']);
    assert.ok(/^[\x20-\x7e]+$/.test(ud.ListBucketResult.Contents[0].Key), 'url-encoded keys are ASCII');
  });

  test('listing pages through 2,345 keys in order with continuation tokens and markers', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'many' }));
    const ref = { provider: 'ais' as const, name: 'many' };
    const keys: string[] = [];
    for (let i = 0; i < 2345; i++) keys.push(`k/${String(i % 97).padStart(3, '0')}/${i}`);
    for (const k of keys) await gw.store.putObject(ref, k, Readable.from([Buffer.from(k)]));
    keys.sort();
    const got: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 1000 }, { Bucket: 'many' })) {
      pages++;
      got.push(...(page.Contents ?? []).map((c) => c.Key!));
    }
    assert.equal(pages, 3);
    assert.deepEqual(got, keys);
    // The default and the cap are 1000.
    const big = await s3.send(new ListObjectsV2Command({ Bucket: 'many', MaxKeys: 5000 }));
    assert.equal(big.KeyCount, 1000);
    assert.equal(big.IsTruncated, true);
    // V1 without delimiter: the next marker is the last key.
    const v1 = await s3.send(new ListObjectsCommand({ Bucket: 'many' }));
    assert.equal(v1.Contents?.length, 1000);
    assert.equal(v1.IsTruncated, true);
    const v1b = await s3.send(new ListObjectsCommand({ Bucket: 'many', Marker: v1.Contents![999].Key }));
    assert.equal(v1b.Contents?.[0].Key, keys[1000]);
    const dl = await s3.send(new ListObjectsV2Command({ Bucket: 'many', Prefix: 'k/', Delimiter: '/', MaxKeys: 50 }));
    assert.equal(dl.CommonPrefixes?.length, 50);
    assert.equal(dl.IsTruncated, true);
    const dl2 = await s3.send(new ListObjectsV2Command({ Bucket: 'many', Prefix: 'k/', Delimiter: '/', ContinuationToken: dl.NextContinuationToken }));
    assert.equal(dl2.CommonPrefixes?.length, 47);
    assert.equal(dl2.CommonPrefixes?.[0].Prefix, 'k/050/');
    assert.equal(dl2.IsTruncated, false);
  });

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
    await expectError(
      () => s3.send(new CompleteMultipartUploadCommand({ Bucket: 'mp', Key: 'big/obj', UploadId: uploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: u2.ETag }, { PartNumber: 2, ETag: u2.ETag }] } })),
      400,
      'InvalidPart',
    );
    await expectError(
      () => s3.send(new CompleteMultipartUploadCommand({ Bucket: 'mp', Key: 'big/obj', UploadId: uploadId, MultipartUpload: { Parts: [{ PartNumber: 2, ETag: u2.ETag }, { PartNumber: 1, ETag: u1.ETag }] } })),
      400,
      'InvalidPartOrder',
    );
    await expectError(
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
    const all = await body(g);
    assert.ok(all.equals(Buffer.concat([p1, p2])));
    assert.equal(g.ETag, '"8c6f96fe400c627d9394af6161f5921d-2"');
    assert.equal(g.ContentType, 'video/x-test');
    assert.deepEqual(g.Metadata, { 's3cmd-attrs': 'md5:abc', md5chksum: 'xyz' });
    // GET/HEAD ?partNumber=N serve part N (multipart downloaders use it).
    const g1 = await s3.send(new GetObjectCommand({ Bucket: 'mp', Key: 'big/obj', PartNumber: 1 }));
    assert.equal(g1.$metadata.httpStatusCode, 206);
    assert.equal(g1.PartsCount, 2);
    assert.equal(g1.ContentRange, `bytes 0-${p1.length - 1}/${p1.length + p2.length}`);
    assert.ok((await body(g1)).equals(p1));
    const g2 = await s3.send(new GetObjectCommand({ Bucket: 'mp', Key: 'big/obj', PartNumber: 2 }));
    assert.equal(g2.ContentRange, `bytes ${p1.length}-${p1.length + p2.length - 1}/${p1.length + p2.length}`);
    assert.ok((await body(g2)).equals(p2));
    const h2 = await s3.send(new HeadObjectCommand({ Bucket: 'mp', Key: 'big/obj', PartNumber: 2 }));
    assert.equal(h2.ContentLength, p2.length);
    assert.equal(h2.PartsCount, 2);
    await expectError(() => s3.send(new GetObjectCommand({ Bucket: 'mp', Key: 'big/obj', PartNumber: 3 })), 416, 'InvalidPartNumber');
    await expectError(() => s3.send(new GetObjectCommand({ Bucket: 'mp', Key: 'big/obj', PartNumber: 1, Range: 'bytes=0-1' })), 400, 'InvalidRequest');
    // The store recorded the whole object's MD5 and its checksum of the bucket type.
    const meta = await gw.store.headObject({ provider: 'ais', name: 'mp' }, 'big/obj');
    assert.equal(meta.md5, md5(all));
    assert.deepEqual(meta.checksum, { type: 'md5', value: md5(all) });
    assert.equal(meta.parts, 2);
    // The upload is gone.
    assert.equal((await s3.send(new ListMultipartUploadsCommand({ Bucket: 'mp' }))).Uploads, undefined);
    await expectError(() => s3.send(new ListPartsCommand({ Bucket: 'mp', Key: 'big/obj', UploadId: uploadId })), 404, 'NoSuchUpload');
    await expectError(
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
    await expectError(
      () => s3.send(new CompleteMultipartUploadCommand({ Bucket: 'mp', Key: 'small', UploadId: id, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: a.ETag }, { PartNumber: 2, ETag: b.ETag }] } })),
      400,
      'EntityTooSmall',
    );
    const bad = crypto.createHash('md5').update('nope').digest('base64');
    await expectError(
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
    assert.equal((await body(await s3.send(new GetObjectCommand({ Bucket: 'mp', Key: 'small' })))).toString(), 'tiny2');

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
    await expectError(() => s3.send(new AbortMultipartUploadCommand({ Bucket: 'mp', Key: 'p/one', UploadId: x.UploadId })), 404, 'NoSuchUpload');
    await expectError(() => s3.send(new HeadObjectCommand({ Bucket: 'mp', Key: 'p/one' })), 404);
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
    assert.equal(md5(await body(g)), md5(data));
    assert.equal(g.PartsCount ?? partMd5s.length, partMd5s.length);
  });

  test('?acl, ?policy, ?cors answer what s3cmd accepts', async () => {
    const acl = await s3.send(new GetBucketAclCommand({ Bucket: 'obj' }));
    assert.equal(acl.Grants?.[0]?.Permission, 'FULL_CONTROL');
    assert.ok(acl.Owner?.ID);
    const policy = await raw(`${gw.s3Endpoint}/obj?policy`);
    assert.ok([403, 404, 405, 501].includes(policy.status), `policy ${policy.status}`);
    const cors = await raw(`${gw.s3Endpoint}/obj?cors`);
    assert.ok([404, 501].includes(cors.status), `cors ${cors.status}`);
    // Writing ACLs: only "owner has FULL_CONTROL" can be honoured; grants to others are 501.
    await s3.send(new PutObjectAclCommand({ Bucket: 'obj', Key: 'cond', ACL: 'private' }));
    await s3.send(new PutBucketAclCommand({ Bucket: 'obj', ACL: 'private' }));
    await s3.send(new PutObjectAclCommand({ Bucket: 'obj', Key: 'cond', AccessControlPolicy: { Owner: acl.Owner, Grants: acl.Grants } }));
    await expectError(() => s3.send(new PutObjectAclCommand({ Bucket: 'obj', Key: 'cond', ACL: 'public-read' })), 501, 'NotImplemented');
    await expectError(() => s3.send(new PutObjectAclCommand({ Bucket: 'obj', Key: 'missing', ACL: 'private' })), 404, 'NoSuchKey');
    const objAcl = await raw(`${gw.s3Endpoint}/obj/cond?acl`);
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
    const r = await raw(`${gw.s3Endpoint}/twice?list-type=2`);
    assert.equal(r.status, 404);
    const text = r.body.toString();
    assert.match(text, /<Code>AmbiguousBucketName<\/Code>/);
    assert.match(text, /ais:\/\/twice/);
    assert.match(text, /s3:\/\/twice/);
    const e = await expectError(() => gw.s3.send(new PutObjectCommand({ Bucket: 'twice', Key: 'k', Body: 'x' })), 404, 'AmbiguousBucketName');
    assert.ok(e);
    // CreateBucket through S3 refuses a name another provider already uses.
    await gw.store.createBucket({ provider: 'aws', name: 'cloudonly' });
    await expectError(() => gw.s3.send(new CreateBucketCommand({ Bucket: 'cloudonly' })), 409, 'BucketAlreadyExists');
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
    assert.equal((await body(g)).toString(), 'hello');
    assert.deepEqual(g.Metadata, { m: '1' });
    await s3.send(new PutObjectCommand({ Bucket: 'cloud', Key: 'up.bin', Body: bytes(70_000, 9) }));
    const r = await remote.s3.send(new GetObjectCommand({ Bucket: 'cloud', Key: 'up.bin' }));
    assert.ok((await body(r)).equals(bytes(70_000, 9)), 'written through to the remote');
    const data = bytes(6 * MiB, 4);
    await new Upload({ client: s3, params: { Bucket: 'cloud', Key: 'mp.bin', Body: data, Metadata: { k: 'v' } }, partSize: 5 * MiB }).done();
    const rm = await remote.s3.send(new GetObjectCommand({ Bucket: 'cloud', Key: 'mp.bin' }));
    assert.equal(md5(await body(rm)), md5(data));
    assert.deepEqual(rm.Metadata, { k: 'v' });
    await s3.send(new DeleteObjectCommand({ Bucket: 'cloud', Key: 'up.bin' }));
    await expectError(() => remote.s3.send(new HeadObjectCommand({ Bucket: 'cloud', Key: 'up.bin' })), 404);
    // An ais bucket of the same name makes the name ambiguous.
    await gw.store.createBucket({ provider: 'ais', name: 'cloud' });
    await expectError(() => s3.send(new ListObjectsV2Command({ Bucket: 'cloud' })), 404, 'AmbiguousBucketName');
  });
});

describe('HTTP details real clients rely on', () => {
  let gw: TestGateway;
  before(async () => {
    await initChecksums();
    gw = await startTestGateway({ defaultChecksum: 'md5' });
    await gw.s3.send(new CreateBucketCommand({ Bucket: 'h' }));
  });
  after(() => gw.dispose());

  /**
   * Writes the steps on one connection (numbers are pauses in ms); returns all the bytes answered once
   * `responses` complete responses are in (or the server closed, or 10 s passed).
   */
  function session(steps: (string | Buffer | number)[], responses = 1): Promise<string> {
    return new Promise((resolve, reject) => {
      const s = net.connect(gw.port, '127.0.0.1');
      let out = '';
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        s.destroy();
        resolve(out);
      };
      const timer = setTimeout(finish, 10_000);
      s.on('data', (d: Buffer) => {
        out += d.toString('latin1');
        if (complete(out) >= responses) finish();
      });
      s.on('error', (e) => (done ? undefined : reject(e)));
      s.on('close', finish);
      void (async () => {
        for (const st of steps) {
          if (typeof st === 'number') await new Promise((r) => setTimeout(r, st));
          else if (!s.destroyed) s.write(st);
        }
      })();
    });
  }
  /** How many final (non-1xx) responses with their whole Content-Length body are in `text`. */
  function complete(text: string): number {
    let n = 0;
    // A response may start right after the previous body (no newline in between).
    const re = /HTTP\/1\.1 (\d+)[^\r]*\r\n([^]*?)\r\n\r\n/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m[1].startsWith('1')) continue;
      const len = Number(/^content-length: (\d+)/im.exec(m[2])?.[1] ?? 0);
      if (text.length >= m.index + m[0].length + len) n++;
    }
    return n;
  }
  const statuses = (text: string) => [...text.matchAll(/HTTP\/1\.1 (\d+) /g)].map((m) => Number(m[1]));

  test('Expect values other than 100-continue are ignored (Node would answer 417)', async () => {
    const out = await session(['PUT /s3/h/odd-expect HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\nContent-Length: 3\r\n\r\nabc']);
    assert.deepEqual(statuses(out), [200]);
    assert.equal((await gw.store.headObject({ provider: 'ais', name: 'h' }, 'odd-expect')).size, 3);
  });

  test('100-continue: sent once the request is accepted; a refused one gets its error, no 100, and Connection: close', async () => {
    const ok = await session(['PUT /s3/h/cont HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n', 300, 'hello']);
    assert.deepEqual(statuses(ok), [100, 200]);
    const refused = await session(['PUT /s3/nobucket/k HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n']);
    assert.deepEqual(statuses(refused), [404]);
    assert.match(refused, /<Code>NoSuchBucket<\/Code>/);
    assert.match(refused, /^Connection: close/im);
  });

  test('an error sent while the client is still sending its body: the client reads the error, the connection stays usable', async () => {
    const big = Buffer.alloc(8 * MiB, 7);
    const head = `PUT /s3/nobucket/k HTTP/1.1\r\nHost: x\r\nContent-Length: ${big.length}\r\n\r\n`;
    const out = await session([head, big, 'GET /s3/h?list-type=2&prefix=cont HTTP/1.1\r\nHost: x\r\n\r\n'], 2);
    assert.deepEqual(statuses(out), [404, 200]);
    assert.match(out, /<Key>cont<\/Key>/);
    // The same through Node's client, which fails with EPIPE when a server closes on an unread body.
    for (let i = 0; i < 3; i++) {
      const r = await raw(`${gw.s3Endpoint}/nobucket/k`, 'PUT', { 'Content-Length': String(big.length) }, big);
      assert.equal(r.status, 404);
      assert.match(r.body.toString(), /NoSuchBucket/);
    }
    // An error after the body was accepted (key too long) with aws-chunked framing does not hang either.
    const chunked = `5;chunk-signature=00\r\nhello\r\n0;chunk-signature=00\r\n\r\n`;
    const bad = await session([
      `PUT /s3/h/${'k'.repeat(1100)} HTTP/1.1\r\nHost: x\r\nContent-Encoding: aws-chunked\r\nx-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD\r\nx-amz-decoded-content-length: 5\r\nContent-Length: ${chunked.length}\r\n\r\n${chunked}`,
      'GET /s3 HTTP/1.1\r\nHost: x\r\n\r\n',
    ], 2);
    assert.deepEqual(statuses(bad), [400, 200]);
    assert.match(bad, /KeyTooLongError/);
  });

  test('x-amz-checksum-* (what the SDKs send): verified, echoed; a mismatch is BadDigest and stores nothing', async () => {
    const data = bytes(300_000, 21);
    for (const [alg, field] of [
      ['CRC32', 'ChecksumCRC32'],
      ['CRC32C', 'ChecksumCRC32C'],
      ['SHA1', 'ChecksumSHA1'],
      ['SHA256', 'ChecksumSHA256'],
      ['CRC64NVME', 'ChecksumCRC64NVME'],
    ] as const) {
      const put = await gw.s3.send(new PutObjectCommand({ Bucket: 'h', Key: `ck-${alg}`, Body: data, ChecksumAlgorithm: alg }));
      const want = amzChecksumOf(alg.toLowerCase() as never, data);
      assert.equal((put as unknown as Record<string, string>)[field], want, `${alg} echoed`);
      const got = await gw.s3.send(new GetObjectCommand({ Bucket: 'h', Key: `ck-${alg}` }));
      assert.ok((await body(got)).equals(data));
    }
    // The known check values ("123456789").
    const nine = Buffer.from('123456789');
    assert.deepEqual(
      (['crc32', 'crc32c', 'crc64nvme'] as const).map((a) => Buffer.from(amzChecksumOf(a, nine), 'base64').toString('hex')),
      ['cbf43926', 'e3069283', 'ae8b14860a799888'],
    );
    for (const alg of ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const) {
      const wrong = amzChecksumOf(alg, Buffer.from('something else'));
      const r = await raw(`${gw.s3Endpoint}/h/ck-bad`, 'PUT', { [`x-amz-checksum-${alg}`]: wrong }, data);
      assert.equal(r.status, 400, alg);
      assert.match(r.body.toString(), /<Code>BadDigest<\/Code>/);
      await assert.rejects(gw.store.headObject({ provider: 'ais', name: 'h' }, 'ck-bad'), alg);
    }
    // UploadPart too.
    const up = await gw.s3.send(new CreateMultipartUploadCommand({ Bucket: 'h', Key: 'ck-mp', ChecksumAlgorithm: 'CRC32' }));
    const part = await gw.s3.send(new UploadPartCommand({ Bucket: 'h', Key: 'ck-mp', UploadId: up.UploadId, PartNumber: 1, Body: data, ChecksumAlgorithm: 'CRC32' }));
    assert.equal(part.ChecksumCRC32, amzChecksumOf('crc32', data));
    const badPart = await raw(`${gw.s3Endpoint}/h/ck-mp?partNumber=2&uploadId=${up.UploadId}`, 'PUT', { 'x-amz-checksum-crc32': 'AAAAAA==' }, data);
    assert.equal(badPart.status, 400);
    assert.match(badPart.body.toString(), /BadDigest/);
    const parts = await gw.s3.send(new ListPartsCommand({ Bucket: 'h', Key: 'ck-mp', UploadId: up.UploadId }));
    assert.deepEqual(parts.Parts?.map((p) => p.PartNumber), [1]);
    await gw.s3.send(new AbortMultipartUploadCommand({ Bucket: 'h', Key: 'ck-mp', UploadId: up.UploadId }));
  });

  test('aws-chunked bodies with a trailing checksum store the payload only', async () => {
    const payload = Buffer.from('0123456789'.repeat(1000));
    const body =
      `2000;chunk-signature=aa\r\n${payload.subarray(0, 0x2000).toString()}\r\n` +
      `${(payload.length - 0x2000).toString(16)};chunk-signature=bb\r\n${payload.subarray(0x2000).toString()}\r\n` +
      `0;chunk-signature=cc\r\nx-amz-checksum-crc32:${amzChecksumOf('crc32', payload)}\r\n\r\n`;
    const out = await session([
      `PUT /s3/h/chunked HTTP/1.1\r\nHost: x\r\nContent-Encoding: aws-chunked,gzip\r\nx-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\n` +
        `x-amz-trailer: x-amz-checksum-crc32\r\nx-amz-decoded-content-length: ${payload.length}\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    ]);
    assert.deepEqual(statuses(out), [200]);
    const { meta, stream } = await gw.store.getObject({ provider: 'ais', name: 'h' }, 'chunked');
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    assert.ok(Buffer.concat(chunks).equals(payload));
    assert.equal(meta.headers?.['content-encoding'], 'gzip', 'aws-chunked is framing, the rest of Content-Encoding is kept');
    // A trailing checksum that does not match the payload: BadDigest, nothing stored.
    const badBody = body.replace(/x-amz-checksum-crc32:[^\r]+/, 'x-amz-checksum-crc32:AAAAAA==');
    const bad = await session([
      `PUT /s3/h/chunked-bad HTTP/1.1\r\nHost: x\r\nContent-Encoding: aws-chunked\r\nx-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\n` +
        `x-amz-trailer: x-amz-checksum-crc32\r\nx-amz-decoded-content-length: ${payload.length}\r\nContent-Length: ${badBody.length}\r\n\r\n${badBody}`,
    ]);
    assert.deepEqual(statuses(bad), [400]);
    assert.match(bad, /<Code>BadDigest<\/Code>/);
    await assert.rejects(gw.store.headObject({ provider: 'ais', name: 'h' }, 'chunked-bad'));
    const shortBody = '5;chunk-signature=00\r\nhello\r\n0\r\n\r\n';
    const short = await session([
      `PUT /s3/h/chunked2 HTTP/1.1\r\nHost: x\r\nContent-Encoding: aws-chunked\r\nx-amz-decoded-content-length: 99\r\nContent-Length: ${shortBody.length}\r\n\r\n${shortBody}`,
    ]);
    assert.deepEqual(statuses(short), [400], 'decoded length shorter than declared: IncompleteBody');
    assert.match(short, /IncompleteBody/);
  });
});
