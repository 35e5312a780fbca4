import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { CreateMultipartUploadCommand } from '@aws-sdk/client-s3';
import { startTestGateway } from '../helpers/gateway';
import { AisClusterClient, parseAisTime, parseCustomMd } from '../../src/client/ais';
import { createClusterClient } from '../../src/client';
import { ClientError, ClusterConnection } from '../../src/client/cluster';
import { HttpTransport, replayableStream } from '../../src/client/http';
import { closedPort, fixedAnswerServer, lateRedirectServer, readAll, silentServer, testCaFile, testTls } from './client-servers';

async function expectClientError(promise: Promise<unknown>, kind: ClientError['kind'], message?: RegExp, status?: number): Promise<ClientError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ClientError, `expected a ClientError(${kind}), got ${String(caught)}`);
  assert.equal(caught.kind, kind, caught.message);
  if (message) assert.match(caught.message, message);
  if (status !== undefined) assert.equal(caught.status, status);
  assert.doesNotMatch(caught.message, /<\?xml|<Error>|\n\s+at |"status":/, 'no raw XML, JSON or stack in the message');
  return caught;
}

for (const redirect of [false, true]) {
  test(`AIS client against the gateway${redirect ? ' in redirect mode (307 to a target)' : ''}`, async () => {
    const gw = await startTestGateway({ redirect });
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aisb-aisc-'));
    const client = createClusterClient({ kind: 'ais', endpoint: gw.url }) as AisClusterClient;
    try {
      assert.ok(client instanceof AisClusterClient);
      assert.equal(client.capabilities.bucketProps, true);
      const probe = await client.probe();
      assert.match(probe.summary, /AIStore cluster.*1 gateway, 1 target/);

      const bucket = { name: 'data', provider: 'ais' };
      await client.createBucket(bucket);
      const providers = await client.listProviders();
      assert.equal(providers[0].name, 'ais');
      assert.equal(providers[0].scheme, 'ais://');
      assert.deepEqual((await client.listBuckets('ais')).map((b) => [b.name, b.provider]), [['data', 'ais']]);
      await expectClientError(client.createBucket(bucket), 'conflict', /ais:\/\/data/, 409);

      // a file body (re-opened after a redirect), a re-openable source, a one-time stream
      const file = path.join(tmp, 'big.bin');
      const data = crypto.randomBytes(2 * 1024 * 1024 + 17);
      fs.writeFileSync(file, data);
      await client.putObject(bucket, 'a/b/big.bin', { path: file });
      await client.putObject(bucket, 'a/one.txt', { open: () => Readable.from([Buffer.from('one')]), size: 3 });
      await client.putObject(bucket, 'a/stream.txt', { stream: Readable.from([Buffer.from('str'), Buffer.from('eam')]), size: 6 });
      for (const k of ['a/c/x', 'a/d/y', 'top.txt', 'z/1', 'sp ace/ü+&%20.txt']) await client.putObject(bucket, k, { open: () => Readable.from([Buffer.from(k)]), size: Buffer.byteLength(k) });

      const root = await client.listObjects(bucket);
      assert.deepEqual(root.folders, ['a/', 'sp ace/', 'z/']);
      assert.deepEqual(root.objects.map((o) => o.key), ['top.txt']);
      assert.equal(root.nextToken, undefined);
      const top = root.objects[0];
      assert.equal(top.size, 7);
      assert.equal(top.checksum?.type, 'xxhash', "listings carry the bucket's checksum type");
      assert.match(top.checksum?.value ?? '', /^[0-9a-f]{16}$/);
      assert.ok(top.mtime instanceof Date && Math.abs(top.mtime.getTime() - Date.now()) < 60_000, `mtime ${top.mtime?.toISOString()}`);

      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await client.listObjects(bucket, { prefix: 'a/', pageSize: 2, token });
        assert.ok(page.objects.length + page.folders.length <= 2, JSON.stringify(page));
        seen.push(...page.folders, ...page.objects.map((o) => o.key));
        token = page.nextToken;
        pages++;
        assert.ok(pages < 10, 'paging must end');
      } while (token);
      assert.deepEqual(seen.sort(), ['a/b/', 'a/c/', 'a/d/', 'a/one.txt', 'a/stream.txt']);
      const flat = await client.listObjects(bucket, { prefix: 'a/', folders: false });
      assert.deepEqual(flat.folders, []);
      assert.deepEqual(flat.objects.map((o) => o.key).sort(), ['a/b/big.bin', 'a/c/x', 'a/d/y', 'a/one.txt', 'a/stream.txt']);
      assert.deepEqual((await client.listObjects(bucket, { prefix: 'sp ace/' })).objects.map((o) => o.key), ['sp ace/ü+&%20.txt']);

      // a partial name as prefix (a tree filter): AIStore's no-recursion walk only takes directories
      assert.deepEqual((await client.listObjects(bucket, { prefix: 'a/o' })).objects.map((o) => o.key), ['a/one.txt']);
      assert.deepEqual((await client.listObjects(bucket, { prefix: 's' })).folders, ['sp ace/']);
      const partial: string[] = [];
      token = undefined;
      pages = 0;
      do {
        const page = await client.listObjects(bucket, { prefix: 'a/s', pageSize: 1, token });
        partial.push(...page.folders, ...page.objects.map((o) => o.key));
        token = page.nextToken;
        assert.ok(++pages < 10, 'paging must end');
      } while (token);
      assert.deepEqual(partial, ['a/stream.txt']);

      const head = await client.headObject(bucket, 'a/b/big.bin');
      assert.equal(head.size, data.length);
      assert.equal(head.checksum?.type, 'xxhash');
      assert.equal(head.version, '1');
      const whole = await client.getObject(bucket, 'a/b/big.bin');
      assert.ok((await readAll(whole.body)).equals(data));
      const part = await client.getObject(bucket, 'a/b/big.bin', { start: 100, end: 1123 });
      assert.equal(part.contentLength, 1024);
      assert.ok((await readAll(part.body)).equals(data.subarray(100, 1124)));
      assert.equal((await readAll((await client.getObject(bucket, 'a/stream.txt')).body)).toString(), 'stream');
      assert.equal((await readAll((await client.getObject(bucket, 'sp ace/ü+&%20.txt')).body)).toString(), 'sp ace/ü+&%20.txt');

      // the server verifies a checksum we send
      const md5 = crypto.createHash('md5').update('checked').digest('hex');
      await client.putObject(bucket, 'checked', { open: () => Readable.from([Buffer.from('checked')]), size: 7 }, { checksum: { type: 'md5', value: md5 } });
      await expectClientError(
        client.putObject(bucket, 'bad', { open: () => Readable.from([Buffer.from('checked')]), size: 7 }, { checksum: { type: 'md5', value: '0'.repeat(32) } }),
        'bad-request',
        /object ais:\/\/data\/bad/,
        400,
      );

      // bucket props and cluster config: the checksum section
      assert.equal((await client.getBucketProps(bucket)).checksum?.type, 'xxhash');
      await client.setBucketProps(bucket, { checksum: { type: 'md5' } });
      assert.equal((await client.getBucketProps(bucket)).checksum?.type, 'md5');
      await client.putObject(bucket, 'after-md5', { open: () => Readable.from([Buffer.from('abc')]), size: 3 });
      const afterMd5 = (await client.listObjects(bucket)).objects.find((o) => o.key === 'after-md5');
      assert.deepEqual(afterMd5?.checksum, { type: 'md5', value: '900150983cd24fb0d6963f7d28e17f72' });
      const config = await client.getClusterConfig();
      assert.equal(config.checksum?.type, 'xxhash');
      await client.setClusterConfig({ 'checksum.type': 'sha256' });
      assert.equal((await client.getClusterConfig()).checksum?.type, 'sha256');
      await client.createBucket({ name: 'newer', provider: 'ais' });
      assert.equal((await client.getBucketProps({ name: 'newer', provider: 'ais' })).checksum?.type, 'sha256');

      // multipart uploads through the cluster's S3 side
      const started = await gw.s3.send(new CreateMultipartUploadCommand({ Bucket: 'data', Key: 'a/partial.bin' }));
      assert.deepEqual((await client.listMultipartUploads(bucket)).map((u) => [u.key, u.uploadId]), [['a/partial.bin', started.UploadId]]);
      await client.abortMultipartUpload(bucket, 'a/partial.bin', started.UploadId!);
      assert.deepEqual(await client.listMultipartUploads(bucket), []);

      await expectClientError(client.headObject(bucket, 'nope'), 'not-found', /^Object ais:\/\/data\/nope not found on http:\/\/127\.0\.0\.1:\d+/, 404);
      await expectClientError(client.getObject(bucket, 'nope'), 'not-found', undefined, 404);
      await expectClientError(client.listObjects({ name: 'missing', provider: 'ais' }), 'not-found', /ais:\/\/missing/, 404);
      await expectClientError(client.getBucketProps({ name: 'missing', provider: 'ais' }), 'not-found', /ais:\/\/missing/, 404);
      await expectClientError(client.deleteObject(bucket, 'nope'), 'not-found', undefined, 404);

      for (const o of (await client.listObjects(bucket, { folders: false })).objects) await client.deleteObject(bucket, o.key);
      assert.deepEqual((await client.listObjects(bucket)).objects, []);
      await client.deleteBucket(bucket);
      assert.deepEqual((await client.listBuckets('ais')).map((b) => b.name), ['newer']);
    } finally {
      client.dispose();
      await gw.dispose();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
}

test('AIS client failures: closed port, silent server, denied, not AIStore', async () => {
  const conn = (endpoint: string, extra: Partial<ClusterConnection> = {}): ClusterConnection => ({ kind: 'ais', endpoint, ...extra });
  const closed = await closedPort();
  let client = new AisClusterClient(conn(closed));
  await expectClientError(client.probe(), 'unreachable', /^Cannot reach http:\/\/127\.0\.0\.1:\d+: nothing listens on that port\. Check/);
  client.dispose();

  const silent = await silentServer();
  client = new AisClusterClient(conn(silent.url, { timeoutMs: 300 }));
  const started = Date.now();
  await expectClientError(client.listBuckets(), 'timeout', /accepted the connection but did not answer within 0\.3 s/);
  assert.ok(Date.now() - started < 3000);
  // an upload to a server that never answers times out too, whatever its body source
  await expectClientError(client.putObject({ name: 'b', provider: 'ais' }, 'k', { stream: Readable.from([Buffer.from('x')]) }), 'timeout');
  client.dispose();
  await silent.close();

  // AIStore with AuthN answers 401/403 with its JSON error
  const denied = await fixedAnswerServer(401, { 'Content-Type': 'application/json' }, JSON.stringify({ message: 'token expired', method: 'GET', url_path: '/v1/buckets', status: 401 }));
  client = new AisClusterClient(conn(denied.url, { authToken: 'old' }));
  await expectClientError(client.listBuckets(), 'auth', /denied .* \(401\)\. Check the access and secret keys \(or token\).* Server said: token expired/, 401);
  client.dispose();
  await denied.close();

  const html = await fixedAnswerServer(200, { 'Content-Type': 'text/html' }, '<html><body>Welcome to nginx!</body></html>');
  client = new AisClusterClient(conn(html.url));
  await expectClientError(client.listBuckets(), 'protocol', /did not answer like an AIStore gateway .*add it as an S3 cluster/);
  client.dispose();
  await html.close();

  assert.throws(() => new AisClusterClient(conn('10.0.0.1 51080')), (e: unknown) => e instanceof ClientError && /not a URL/.test(e.message));
});

test('AIS client over TLS: untrusted certificate, CA file, verification off', async () => {
  const gw = await startTestGateway({ tls: testTls() });
  try {
    let client = new AisClusterClient({ kind: 'ais', endpoint: gw.url });
    await expectClientError(client.listBuckets(), 'tls', /TLS handshake with https:\/\/127\.0\.0\.1:\d+ failed/);
    client.dispose();
    client = new AisClusterClient({ kind: 'ais', endpoint: gw.url, tls: { caFile: testCaFile } });
    await client.createBucket({ name: 'sec', provider: 'ais' });
    assert.deepEqual((await client.listBuckets()).map((b) => b.name), ['sec']);
    client.dispose();
    client = new AisClusterClient({ kind: 'ais', endpoint: gw.url, tls: { verify: false } });
    assert.deepEqual((await client.listBuckets()).map((b) => b.name), ['sec']);
    client.dispose();
    client = new AisClusterClient({ kind: 'ais', endpoint: gw.url, tls: { caFile: '/nonexistent/ca.pem' } });
    await expectClientError(client.listBuckets(), 'tls', /Cannot read the CA file \/nonexistent\/ca\.pem/);
    client.dispose();
  } finally {
    await gw.dispose();
  }
});

test('AIS wire details: custom metadata and time formats', () => {
  assert.deepEqual(parseCustomMd('[ETag:67c24314d6587da16bfa50dd4d2f6a0a LastModified:2023-09-20T21:04:51Z]'), { ETag: '67c24314d6587da16bfa50dd4d2f6a0a', LastModified: '2023-09-20T21:04:51Z' });
  assert.deepEqual(parseCustomMd(''), {});
  assert.equal(parseAisTime('2023-09-20T21:04:51.123456789Z')?.toISOString(), '2023-09-20T21:04:51.123Z');
  assert.equal(parseAisTime('1695243891123456789')?.toISOString(), '2023-09-20T21:04:51.123Z', 'Unix nanoseconds (Ais-Atime)');
  assert.equal(parseAisTime('Wed, 20 Sep 2023 21:04:51 GMT')?.toISOString(), '2023-09-20T21:04:51.000Z');
  assert.equal(parseAisTime('garbage'), undefined);
});

test('one-time streams and redirects: held back by 100-continue, replayed after a late 307, refused when too much was sent', async () => {
  const gw = await startTestGateway({ redirect: true });
  const client = new AisClusterClient({ kind: 'ais', endpoint: gw.url });
  const late = await lateRedirectServer(gw.url, 256 * 1024);
  try {
    assert.notEqual(new URL(gw.targetUrl).port, new URL(gw.url).port, 'redirect mode has its own target listener');
    const bucket = { name: 'streams', provider: 'ais' };
    await client.createBucket(bucket);
    // 20 MiB in 1 MiB chunks, unknown length (chunked): the 307 comes before the body is sent
    const chunks = Array.from({ length: 20 }, () => crypto.randomBytes(1024 * 1024));
    await client.putObject(bucket, 'big-stream', { stream: Readable.from(chunks) });
    assert.ok((await readAll((await client.getObject(bucket, 'big-stream')).body)).equals(Buffer.concat(chunks)));

    // a proxy that reads 256 KiB before it redirects: what was sent is replayed to the gateway
    const viaLate = new AisClusterClient({ kind: 'ais', endpoint: late.url });
    try {
      await viaLate.putObject(bucket, 'replayed', { stream: Readable.from(chunks.slice(0, 3)), size: 3 * 1024 * 1024 });
    } finally {
      viaLate.dispose();
    }
    assert.ok((await readAll((await client.getObject(bucket, 'replayed')).body)).equals(Buffer.concat(chunks.slice(0, 3))));

    // with a replay bound below what the proxy read, the upload fails with a message, not a corrupt object
    const transport = new HttpTransport({});
    try {
      const body = replayableStream(Readable.from(chunks.slice(0, 3)), 3 * 1024 * 1024, 1024);
      await assert.rejects(
        transport.request({ method: 'PUT', url: new URL(`${late.url}/v1/objects/streams/too-big?provider=ais`), body, endpoint: late.url, headers: { 'Content-Type': 'application/json' } }),
        (err: unknown) => err instanceof ClientError && err.kind === 'protocol' && /Upload from a file instead/.test(err.message),
      );
    } finally {
      transport.dispose();
    }
    await expectClientError(client.headObject(bucket, 'too-big'), 'not-found');
  } finally {
    client.dispose();
    await late.close();
    await gw.dispose();
  }
});
