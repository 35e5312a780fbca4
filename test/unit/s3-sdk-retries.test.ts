// What SDKs do when an answer is lost or slow, through @aws-sdk/client-s3 against a gateway started here:
// a CompleteMultipartUpload sent again answers as the first did (also after a restart), and a part sent
// again while its first upload is still in flight: the one that finishes last is the part.
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { pseudoRandomBytes } from '../helpers/data';
import { expectS3Error, md5Hex, readSdkBody, startMd5Gateway } from '../helpers/s3';
import { makeTempDir } from '../helpers/temp';

const MiB = 1024 * 1024;

/** Starts an UploadPart whose body is sent up to `held` bytes; `finish()` sends the rest and gives the ETag. */
function slowPart(url: string, body: Buffer, held: number): { finish(): Promise<string> } {
  const req = http.request(url, { method: 'PUT', headers: { 'content-length': body.length } });
  const answer = new Promise<string>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(String(res.headers.etag)) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
  });
  req.write(body.subarray(0, held));
  return {
    finish() {
      req.end(body.subarray(held));
      return answer;
    },
  };
}

describe('S3 retries through @aws-sdk/client-s3', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startMd5Gateway();
    await gw.s3.send(new CreateBucketCommand({ Bucket: 'rt' }));
  });
  after(() => gw.dispose());

  test('a CompleteMultipartUpload sent again answers 200 with the same ETag; another part list is InvalidPart; overwritten, NoSuchUpload', async () => {
    const s3 = gw.s3;
    const p1 = pseudoRandomBytes(5 * MiB, 1);
    const p2 = pseudoRandomBytes(1000, 2);
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'rt', Key: 'done/twice' }));
    const e1 = (await s3.send(new UploadPartCommand({ Bucket: 'rt', Key: 'done/twice', UploadId, PartNumber: 1, Body: p1 }))).ETag;
    const e2 = (await s3.send(new UploadPartCommand({ Bucket: 'rt', Key: 'done/twice', UploadId, PartNumber: 2, Body: p2 }))).ETag;
    const complete = (parts = [{ PartNumber: 1, ETag: e1 }, { PartNumber: 2, ETag: e2 }], Key = 'done/twice') =>
      s3.send(new CompleteMultipartUploadCommand({ Bucket: 'rt', Key, UploadId, MultipartUpload: { Parts: parts } }));
    const first = await complete();
    const again = await complete();
    assert.equal(again.$metadata.httpStatusCode, 200);
    assert.deepEqual([again.ETag, again.Bucket, again.Key, again.Location], [first.ETag, first.Bucket, first.Key, first.Location]);
    assert.match(first.ETag!, /^"[0-9a-f]{32}-2"$/);
    await expectS3Error(() => complete([{ PartNumber: 1, ETag: e1 }]), 400, 'InvalidPart');
    await expectS3Error(() => complete(undefined, 'other/key'), 404, 'NoSuchUpload');
    const got = await s3.send(new GetObjectCommand({ Bucket: 'rt', Key: 'done/twice' }));
    assert.deepEqual([md5Hex(await readSdkBody(got)), got.ETag], [md5Hex(Buffer.concat([p1, p2])), first.ETag]);
    await s3.send(new PutObjectCommand({ Bucket: 'rt', Key: 'done/twice', Body: 'replaced' }));
    await expectS3Error(() => complete(), 404, 'NoSuchUpload');
  });

  test('a retried CompleteMultipartUpload after the gateway restarted still answers the object', async () => {
    const dataDir = makeTempDir('gw-retry');
    let g = await startTestGateway({ dataDir, defaultChecksum: 'md5' });
    await g.s3.send(new CreateBucketCommand({ Bucket: 'rs' }));
    const { UploadId } = await g.s3.send(new CreateMultipartUploadCommand({ Bucket: 'rs', Key: 'k' }));
    const ETag = (await g.s3.send(new UploadPartCommand({ Bucket: 'rs', Key: 'k', UploadId, PartNumber: 1, Body: 'only part' }))).ETag;
    const input = { Bucket: 'rs', Key: 'k', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] } };
    const first = await g.s3.send(new CompleteMultipartUploadCommand(input));
    g.s3.destroy();
    await g.close();
    g = await startTestGateway({ dataDir, defaultChecksum: 'md5' });
    try {
      const again = await g.s3.send(new CompleteMultipartUploadCommand(input));
      assert.equal(again.ETag, first.ETag);
    } finally {
      await g.dispose();
    }
  });

  for (const [what, size] of [['small parts (own files)', 1000], ['5 MiB parts (written in place)', 5 * MiB]] as const) {
    test(`a part sent again while the first is in flight: the one that finishes last is the part, bytes never mix (${what})`, async () => {
      const s3 = gw.s3;
      const key = `resent/${size}`;
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'rt', Key: key }));
      const url = `${gw.s3Endpoint}/rt/${key}?partNumber=1&uploadId=${UploadId}`;
      const a = pseudoRandomBytes(size, 3);
      const b = pseudoRandomBytes(size, 4);
      // a starts first and finishes last; b starts and finishes in between.
      const slow = slowPart(url, a, Math.floor(size / 2));
      await new Promise((r) => setTimeout(r, 100));
      const eb = (await s3.send(new UploadPartCommand({ Bucket: 'rt', Key: key, UploadId, PartNumber: 1, Body: b }))).ETag;
      const ea = await slow.finish();
      assert.deepEqual([ea, eb], [`"${md5Hex(a)}"`, `"${md5Hex(b)}"`]);
      const complete = (ETag: string | undefined) =>
        s3.send(new CompleteMultipartUploadCommand({ Bucket: 'rt', Key: key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] } }));
      await expectS3Error(() => complete(eb), 400, 'InvalidPart');
      await complete(ea);
      const got = await readSdkBody(await s3.send(new GetObjectCommand({ Bucket: 'rt', Key: key })));
      assert.equal(md5Hex(got), md5Hex(a));
    });
  }
});
