// S3 edge behaviours real clients meet, through @aws-sdk/client-s3 (raw HTTP where the SDK cannot send the
// request): max-keys=0, an empty continuation-token, encoding-type=url echoes, UploadPartCopy ranges,
// keys that are not UTF-8, and Content-Encoding: aws-chunked without a streaming payload hash.
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import type { TestGateway } from '../helpers/gateway';
import { expectS3Error, s3Xml, startMd5Gateway, unsignedRequest } from '../helpers/s3';

describe('S3 edge behaviours through @aws-sdk/client-s3', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startMd5Gateway();
    await gw.s3.send(new CreateBucketCommand({ Bucket: 'edge' }));
    for (const Key of ['a', 'b', 'line\nbreak/x', 'line\nbreak/y']) await gw.s3.send(new PutObjectCommand({ Bucket: 'edge', Key, Body: Key }));
  });
  after(() => gw.dispose());

  test('max-keys=0 lists nothing, not truncated (V1 and V2); an empty continuation-token is none', async () => {
    const v2 = await gw.s3.send(new ListObjectsV2Command({ Bucket: 'edge', MaxKeys: 0 }));
    assert.deepEqual([v2.KeyCount, v2.IsTruncated, v2.Contents, v2.NextContinuationToken], [0, false, undefined, undefined]);
    const v1 = await gw.s3.send(new ListObjectsCommand({ Bucket: 'edge', MaxKeys: 0 }));
    assert.deepEqual([v1.IsTruncated, v1.Contents, v1.NextMarker], [false, undefined, undefined]);
    const r = await unsignedRequest(`${gw.s3Endpoint}/edge?list-type=2&continuation-token=`);
    assert.equal(r.status, 200, r.body.toString());
    const doc = s3Xml.parse(r.body.toString()) as { ListBucketResult: { Contents: unknown[]; ContinuationToken?: string } };
    assert.equal(doc.ListBucketResult.Contents.length, 4);
    assert.equal(doc.ListBucketResult.ContinuationToken, undefined);
  });

  test('encoding-type=url: a prefix with a newline, the delimiter, start-after and marker come back encoded, and only then', async () => {
    const prefix = 'line\nbreak';
    const v2 = await gw.s3.send(new ListObjectsV2Command({ Bucket: 'edge', Prefix: prefix, Delimiter: '/', StartAfter: 'line\n', EncodingType: 'url' }));
    assert.deepEqual([v2.Prefix, v2.StartAfter, v2.Delimiter, v2.EncodingType], ['line%0Abreak', 'line%0A', '/', 'url']);
    assert.deepEqual(v2.CommonPrefixes?.map((p) => decodeURIComponent(p.Prefix!)), ['line\nbreak/']);
    const v1 = await gw.s3.send(new ListObjectsCommand({ Bucket: 'edge', Prefix: 'line\nbreak/', Marker: 'line\nbreak/x', MaxKeys: 1, EncodingType: 'url' }));
    assert.deepEqual([v1.Prefix, v1.Marker, v1.Contents?.map((c) => c.Key)], ['line%0Abreak/', 'line%0Abreak/x', ['line%0Abreak/y']]);
    const plain = await gw.s3.send(new ListObjectsV2Command({ Bucket: 'edge', Prefix: prefix }));
    assert.deepEqual(plain.Contents?.map((c) => c.Key), ['line\nbreak/x', 'line\nbreak/y'], 'not encoded when not asked');
  });

  test('UploadPartCopy: a malformed or out-of-range x-amz-copy-source-range is 400 InvalidArgument and copies nothing', async () => {
    const { UploadId } = await gw.s3.send(new CreateMultipartUploadCommand({ Bucket: 'edge', Key: 'copied' }));
    const copy = (CopySourceRange: string) =>
      gw.s3.send(new UploadPartCopyCommand({ Bucket: 'edge', Key: 'copied', UploadId, PartNumber: 1, CopySource: 'edge/a', CopySourceRange }));
    for (const bad of ['bytes=0-', 'bytes=-1', 'bytes=2-1', 'items=0-0', 'bytes=0-0,1-1']) await expectS3Error(() => copy(bad), 400, 'InvalidArgument');
    await expectS3Error(() => copy('bytes=0-1'), 400, 'InvalidArgument'); // the source is 1 byte
    assert.equal((await gw.s3.send(new ListPartsCommand({ Bucket: 'edge', Key: 'copied', UploadId }))).Parts, undefined, 'nothing copied');
    const ok = await copy('bytes=0-0');
    assert.match(ok.CopyPartResult?.ETag ?? '', /^"[0-9a-f]{32}"$/);
    await gw.s3.send(new AbortMultipartUploadCommand({ Bucket: 'edge', Key: 'copied', UploadId }));
  });

  test('a key that is not UTF-8 once decoded (%FF) is 400 InvalidURI', async () => {
    for (const method of ['GET', 'PUT']) {
      const r = await unsignedRequest(`${gw.s3Endpoint}/edge/bad%FFkey`, method, {}, method === 'PUT' ? Buffer.from('x') : undefined);
      assert.equal(r.status, 400);
      assert.match(r.body.toString(), /<Code>InvalidURI<\/Code><Message>Couldn(&apos;|')t parse the specified URI.<\/Message>/);
    }
  });

  test('Content-Encoding: aws-chunked without a STREAMING- payload hash is no chunk framing: the body is stored as sent', async () => {
    const body = Buffer.from('5\r\nhello\r\n0\r\n\r\n');
    const r = await unsignedRequest(`${gw.s3Endpoint}/edge/notchunked`, 'PUT', { 'content-encoding': 'aws-chunked', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, body);
    assert.equal(r.status, 200, r.body.toString());
    const meta = await gw.store.headObject({ provider: 'ais', name: 'edge' }, 'notchunked');
    assert.equal(meta.size, body.length);
    assert.equal(meta.headers?.['content-encoding'], undefined, 'aws-chunked alone stores no Content-Encoding');
  });
});
