// S3 listings through the real AWS SDK v3 against a gateway started here: ListObjects V1 and V2 with prefix,
// delimiter, markers, start-after, max-keys and URL encoding, and paging through thousands of keys in order.
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import type { TestGateway } from '../helpers/gateway';
import { expectS3Error, md5Hex, s3Xml, startMd5Gateway, unsignedRequest } from '../helpers/s3';

const md5 = md5Hex;

describe('S3 listings through @aws-sdk/client-s3 (gateway default checksum md5)', () => {
  let gw: TestGateway;
  let s3: S3Client;
  before(async () => {
    gw = await startMd5Gateway();
    s3 = gw.s3;
  });
  after(() => gw.dispose());

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
    await expectS3Error(() => s3.send(new ListObjectsV2Command({ Bucket: 'lst', ContinuationToken: 'garbage!' })), 400, 'InvalidArgument');
    // encoding-type=url: keys come back percent-encoded, decode to the stored bytes.
    for (const listType of ['list-type=2&', '']) {
      const r = await unsignedRequest(`${gw.s3Endpoint}/lst?${listType}encoding-type=url&delimiter=%2F&prefix=${encodeURIComponent('c d/')}`);
      assert.equal(r.status, 200);
      const doc = s3Xml.parse(r.body.toString()) as { ListBucketResult: { Contents: { Key: string }[]; EncodingType: string; Prefix: string } };
      assert.equal(doc.ListBucketResult.EncodingType, 'url');
      assert.equal(doc.ListBucketResult.Prefix, 'c%20d/');
      assert.deepEqual(doc.ListBucketResult.Contents.map((c) => c.Key), ['c%20d/e%2Bf%26g.txt']);
      assert.equal(decodeURIComponent(doc.ListBucketResult.Contents[0].Key), 'c d/e+f&g.txt');
    }
    const u = await unsignedRequest(`${gw.s3Endpoint}/lst?list-type=2&encoding-type=url&prefix=unicod`);
    const ud = s3Xml.parse(u.body.toString()) as { ListBucketResult: { Contents: { Key: string }[] } };
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
});
