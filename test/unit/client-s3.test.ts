import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { CreateMultipartUploadCommand } from '@aws-sdk/client-s3';
import { startTestGateway } from '../helpers/gateway';
import { S3ClusterClient } from '../../src/client/s3';
import { createClusterClient } from '../../src/client';
import { ClientError, ClusterConnection } from '../../src/client/cluster';
import { expectClientError } from '../helpers/client-error';
import { readAll } from '../helpers/data';
import { closedPort, fixedAnswerServer, silentServer } from '../helpers/servers';
import { testCaFile, testTls } from '../helpers/tls';
import { makeTempDir, removeDir } from '../helpers/temp';

const keys = { accessKey: 'test', secretKey: 'test' };

for (const redirect of [false, true]) test(`S3 client against the gateway${redirect ? ' in redirect mode (307 to a target)' : ''}: buckets, folders, paging, objects, ranges, multipart`, async () => {
  const gw = await startTestGateway({ redirect });
  const tmp = makeTempDir('s3c');
  const client = createClusterClient({ kind: 's3', endpoint: gw.s3Endpoint, ...keys }) as S3ClusterClient;
  try {
    assert.ok(client instanceof S3ClusterClient);
    assert.deepEqual(client.capabilities, { providers: false, bucketProps: false, clusterConfig: false, checksums: false, multipart: true, createBucket: true, cacheState: false });
    const bucket = { name: 'photos', provider: 's3' };
    await client.createBucket(bucket);
    await client.createBucket({ name: 'another', provider: 's3' });
    assert.deepEqual((await client.listProviders()).map((p) => p.name), ['s3']);
    const buckets = await client.listBuckets();
    assert.deepEqual(buckets.map((b) => [b.name, b.provider]), [['another', 's3'], ['photos', 's3']]);
    assert.match((await client.probe()).summary, /2 buckets/);

    // from a file, from a re-openable source, from a one-time stream of unknown length
    const file = path.join(tmp, 'big.bin');
    const data = crypto.randomBytes(3 * 1024 * 1024 + 5); // above the SDK's Expect: 100-continue threshold
    fs.writeFileSync(file, data);
    const put = await client.putObject(bucket, 'a/b/big.bin', { path: file }, { contentType: 'application/x-test', userMeta: { origin: 'unit' } });
    assert.ok(put.etag);
    await client.putObject(bucket, 'a/one.txt', { open: () => Readable.from([Buffer.from('one')]), size: 3 });
    await client.putObject(bucket, 'a/stream.txt', { stream: Readable.from([Buffer.from('str'), Buffer.from('eam')]) });
    // unknown length above one part: lib-storage turns it into a multipart upload
    const parts = Array.from({ length: 6 }, () => crypto.randomBytes(1024 * 1024 + 3));
    const multi = await client.putObject(bucket, 'z/multi.bin', { stream: Readable.from(parts) });
    assert.match(multi.etag ?? '', /-2$/);
    assert.ok((await readAll((await client.getObject(bucket, 'z/multi.bin')).body)).equals(Buffer.concat(parts)));
    for (const k of ['a/c/x', 'a/d/y', 'top.txt', 'z/1']) await client.putObject(bucket, k, { open: () => Readable.from([Buffer.from(k)]), size: k.length });

    // root level: folders a/ and z/, object top.txt
    const root = await client.listObjects(bucket);
    assert.deepEqual(root.folders, ['a/', 'z/']);
    assert.deepEqual(root.objects.map((o) => o.key), ['top.txt']);
    assert.equal(root.nextToken, undefined);

    // one level down, paged by 2: a/b/, a/c/, a/d/, a/one.txt, a/stream.txt
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.listObjects(bucket, { prefix: 'a/', pageSize: 2, token });
      assert.ok(page.objects.length + page.folders.length <= 2);
      seen.push(...page.folders, ...page.objects.map((o) => o.key));
      token = page.nextToken;
      pages++;
    } while (token);
    assert.equal(pages, 3);
    assert.deepEqual(seen.sort(), ['a/b/', 'a/c/', 'a/d/', 'a/one.txt', 'a/stream.txt']);
    const flat = await client.listObjects(bucket, { prefix: 'a/', folders: false });
    assert.equal(flat.folders.length, 0);
    assert.equal(flat.objects.length, 5);
    const one = flat.objects.find((o) => o.key === 'a/one.txt')!;
    assert.equal(one.size, 3);
    assert.ok(one.mtime instanceof Date && Math.abs(one.mtime.getTime() - Date.now()) < 60_000);

    const head = await client.headObject(bucket, 'a/b/big.bin');
    assert.equal(head.size, data.length);
    assert.equal(head.contentType, 'application/x-test');
    assert.deepEqual(head.userMeta, { origin: 'unit' });
    assert.equal(head.etag, put.etag);

    const whole = await client.getObject(bucket, 'a/b/big.bin');
    assert.ok((await readAll(whole.body)).equals(data));
    const part = await client.getObject(bucket, 'a/b/big.bin', { start: 1000, end: 1999 });
    assert.equal(part.contentLength, 1000);
    assert.equal(part.head.size, data.length, 'size is the object size, not the range');
    assert.ok((await readAll(part.body)).equals(data.subarray(1000, 2000)));
    assert.equal((await readAll((await client.getObject(bucket, 'a/stream.txt')).body)).toString(), 'stream');

    // multipart uploads started elsewhere (s3cmd, an interrupted upload) are listed and aborted
    const started = await gw.s3.send(new CreateMultipartUploadCommand({ Bucket: 'photos', Key: 'a/partial.bin' }));
    const uploads = await client.listMultipartUploads(bucket);
    assert.deepEqual(uploads.map((u) => [u.key, u.uploadId]), [['a/partial.bin', started.UploadId]]);
    assert.ok(uploads[0].initiated instanceof Date);
    assert.deepEqual(await client.listMultipartUploads(bucket, 'z/'), []);
    await client.abortMultipartUpload(bucket, 'a/partial.bin', started.UploadId!);
    assert.deepEqual(await client.listMultipartUploads(bucket), []);

    // what a plain S3 endpoint cannot do is said up front and refused clearly
    const props = await client.getBucketProps(bucket);
    assert.equal(props.provider, 's3');
    assert.equal(props.checksum, undefined);
    await expectClientError(client.setBucketProps(bucket, { checksum: { type: 'md5' } }), 'unsupported', /plain S3 endpoint/);
    await expectClientError(client.getClusterConfig(), 'unsupported');

    await expectClientError(client.headObject(bucket, 'nope'), 'not-found', /^Object s3:\/\/photos\/nope not found on http:\/\/127\.0\.0\.1:\d+\/s3\.$/, 404);
    await expectClientError(client.listObjects({ name: 'missing', provider: 's3' }), 'not-found', /missing/, 404);
    await expectClientError(client.getObject({ name: 'missing', provider: 's3' }, 'k'), 'not-found', undefined, 404);
    await expectClientError(client.getObject(bucket, 'a/one.txt', { start: 10 }), 'bad-request', undefined, 416);
    await expectClientError(client.deleteBucket(bucket), 'conflict', /BucketNotEmpty/, 409);
    await expectClientError(client.putObject(bucket, 'k', { path: path.join(tmp, 'no-such-file') }), 'bad-request', /Cannot upload/);

    for (const o of (await client.listObjects(bucket, { folders: false })).objects) await client.deleteObject(bucket, o.key);
    await client.deleteBucket(bucket);
    assert.deepEqual((await client.listBuckets()).map((b) => b.name), ['another']);
  } finally {
    client.dispose();
    await gw.dispose();
    removeDir(tmp);
  }
});

test('S3 client without keys sends unsigned requests', async () => {
  const gw = await startTestGateway();
  const client = new S3ClusterClient({ kind: 's3', endpoint: gw.s3Endpoint });
  try {
    await client.createBucket({ name: 'public', provider: 's3' });
    await client.putObject({ name: 'public', provider: 's3' }, 'k', { open: () => Readable.from([Buffer.from('v')]), size: 1 });
    assert.equal((await readAll((await client.getObject({ name: 'public', provider: 's3' }, 'k')).body)).toString(), 'v');
  } finally {
    client.dispose();
    await gw.dispose();
  }
});

test('S3 client failures: closed port, silent server, wrong keys, not S3', async () => {
  const conn = (endpoint: string, extra: Partial<ClusterConnection> = {}): ClusterConnection => ({ kind: 's3', endpoint, ...keys, ...extra });
  const closed = await closedPort();
  let client = new S3ClusterClient(conn(closed));
  const refused = await expectClientError(client.probe(), 'unreachable', /Cannot reach http:\/\/127\.0\.0\.1:\d+: nothing listens on that port/);
  assert.equal(refused.endpoint, closed);
  client.dispose();

  const silent = await silentServer();
  client = new S3ClusterClient(conn(silent.url, { timeoutMs: 300 }));
  const started = Date.now();
  await expectClientError(client.listBuckets(), 'timeout', /did not answer in time/);
  assert.ok(Date.now() - started < 5000, 'a silent server must not hang the client');
  client.dispose();
  await silent.close();

  // A cluster that checks keys answers 403 SignatureDoesNotMatch (our gateway does not check yet).
  const denied = await fixedAnswerServer(403, { 'Content-Type': 'application/xml' }, '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message><RequestId>1</RequestId></Error>');
  client = new S3ClusterClient(conn(denied.url));
  await expectClientError(client.listBuckets(), 'auth', /secret key does not match/, 403);
  client.dispose();
  await denied.close();

  const html = await fixedAnswerServer(404, { 'Content-Type': 'text/html' }, '<html><body><h1>Not Found</h1></body></html>');
  client = new S3ClusterClient(conn(html.url));
  await expectClientError(client.listObjects({ name: 'b', provider: 's3' }), 'not-found', undefined, 404);
  client.dispose();
  await html.close();

  assert.throws(() => new S3ClusterClient(conn('10.0.0.1:9000')), (e: unknown) => e instanceof ClientError && /not an http\(s\) URL/.test(e.message));
});

test('S3 client over TLS: untrusted certificate, CA file, verification off, http port', async () => {
  const gw = await startTestGateway({ tls: testTls() });
  const plain = await startTestGateway();
  try {
    assert.ok(gw.s3Endpoint.startsWith('https://'));
    let client = new S3ClusterClient({ kind: 's3', endpoint: gw.s3Endpoint, ...keys });
    await expectClientError(client.listBuckets(), 'tls', /TLS handshake with https:\/\/127\.0\.0\.1:\d+\/s3 failed .*ca_certs_file/);
    client.dispose();
    client = new S3ClusterClient({ kind: 's3', endpoint: gw.s3Endpoint, ...keys, tls: { caFile: testCaFile } });
    assert.deepEqual(await client.listBuckets(), []);
    client.dispose();
    client = new S3ClusterClient({ kind: 's3', endpoint: gw.s3Endpoint, ...keys, tls: { verify: false } });
    assert.deepEqual(await client.listBuckets(), []);
    client.dispose();
    client = new S3ClusterClient({ kind: 's3', endpoint: plain.s3Endpoint.replace('http:', 'https:'), ...keys });
    await expectClientError(client.listBuckets(), 'tls', /does not speak HTTPS on this port/);
    client.dispose();
    assert.throws(() => new S3ClusterClient({ kind: 's3', endpoint: gw.s3Endpoint, tls: { caFile: '/nonexistent/ca.pem' } }), (e: unknown) => e instanceof ClientError && e.kind === 'tls');
  } finally {
    await gw.dispose();
    await plain.dispose();
  }
});
