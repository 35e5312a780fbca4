import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { CreateMultipartUploadCommand } from '@aws-sdk/client-s3';
import { startTestGateway } from '../helpers/gateway';
import { AisClusterClient } from '../../src/client/ais/client';
import { parseAisTime } from '../../src/client/ais/headers';
import { parseCustomMd } from '../../src/common/aisapi';
import { createClusterClient } from '../../src/client';
import { ClientError, ClusterConnection } from '../../src/client/cluster';
import { HttpTransport, replayableStream } from '../../src/client/http';
import { expectClientError } from '../helpers/client-error';
import { readAll } from '../helpers/data';
import { closedPort, fixedAnswerServer, lateRedirectServer, silentServer } from '../helpers/servers';
import { testCaFile, testTls } from '../helpers/tls';
import { makeTempDir, removeDir } from '../helpers/temp';

for (const redirect of [false, true]) {
  test(`AIS client against the gateway${redirect ? ' in redirect mode (307 to a target)' : ''}`, async () => {
    const gw = await startTestGateway({ redirect });
    const tmp = makeTempDir('aisc');
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
      // Names only (Search Names): the same names and sizes, without what it did not ask for.
      const names = await client.listObjects(bucket, { prefix: 'a/', folders: false, namesOnly: true });
      assert.deepEqual(names.objects.map((o) => [o.key, o.size]), flat.objects.map((o) => [o.key, o.size]));
      assert.ok(flat.objects.every((o) => o.checksum) && names.objects.every((o) => !o.checksum && !o.mtime), 'name,size only');
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
      removeDir(tmp);
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
  const expired = await expectClientError(client.listBuckets(), 'auth', /^The AuthN token for http:\/\/127\.0\.0\.1:\d+ has expired: sign in again\.$/, 401);
  assert.equal(expired.authProblem, 'token-expired');
  client.dispose();
  await denied.close();

  const html = await fixedAnswerServer(200, { 'Content-Type': 'text/html' }, '<html><body>Welcome to nginx!</body></html>');
  client = new AisClusterClient(conn(html.url));
  await expectClientError(client.listBuckets(), 'protocol', /sent an HTML page \("Welcome to nginx!"\) instead of AIStore's JSON.*added as an S3 cluster/);
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

// AIStore's own reply shapes, from AIStore's repository (NVIDIA/aistore at 583e7729), served by a loopback
// server that answers only what a real proxy answers (ais/prxclu.go httpcluget, ais/proxy.go httpbckget).
const AIS_DOCS_LIST_OBJECTS = `{
  "uuid": "MksSfasdg",
  "continuation_token": "",
  "entries": [
    {
      "name": "qq",
      "checksum": "fd0f7acc8e278588",
      "atime": "24 Aug 22 10:00 EDT",
      "size": "10689",
      "flags": 64
    }
  ],
  "flags": 0
}`; // docs/easy_url.md, "list-objects in a bucket"
const AIS_DOCS_HDR_ERROR =
  '{"tcode":"ErrBckNotFound","message":"bucket \\"ais://ddd\\" does not exist","method":"HEAD","url_path":"/v1/buckets/ddd","remote_addr":"127.0.0.1:57026","caller":"","node":"p[JFkp8080]","status":404}'; // docs/cli.md, verbose CLI error

async function aisShapedServer(opts: { oldCluster?: boolean } = {}): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const aisError = (res: http.ServerResponse, req: http.IncomingMessage, status: number, message: string) => {
    const body = JSON.stringify({ message, method: req.method, url_path: req.url?.split('?')[0], remote_addr: '', caller: '', node: 'p[JFkp8080]', status });
    if (req.method === 'HEAD') res.writeHead(status, { 'Hdr-Error': body }).end();
    else res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body);
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push(`${req.method} ${url.pathname}${url.search} ${Buffer.concat(chunks).toString()}`.trim());
      const what = url.searchParams.get('what');
      const json = (body: string) => res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body);
      const config = JSON.stringify({ checksum: { type: 'xxhash', validate_cold_get: true, validate_warm_get: false, validate_obj_move: false, enable_read_range: false }, backend: {}, config_version: '7' });
      if (url.pathname === '/v1/cluster' && what === (opts.oldCluster ? 'config' : 'cluster_config')) return json(config);
      if (url.pathname === '/v1/cluster') return aisError(res, req, 400, `unexpected query [what=${what}]`); // ais/err.go fmtUnknownQue
      if (req.method === 'HEAD' && url.pathname === '/v1/buckets/ddd') return res.writeHead(404, { 'Hdr-Error': AIS_DOCS_HDR_ERROR }).end();
      if (req.method === 'HEAD' && url.pathname === '/v1/buckets/abc')
        return res.writeHead(200, { 'Ais-Bucket-Props': JSON.stringify({ provider: 'ais', checksum: { type: 'xxhash', validate_cold_get: true, validate_warm_get: false, validate_obj_move: false, enable_read_range: false }, bid: '1', created: '1661349600000000000', access: '18446744073709551615', features: '0' }) }).end();
      if (req.method === 'GET' && url.pathname === '/v1/buckets/abc') return json(AIS_DOCS_LIST_OBJECTS);
      if (req.method === 'HEAD' && url.pathname === '/v1/objects/abc/qq') {
        // cmn/objattrs.go ToHeader: checksum, Ais-Atime in Unix nanoseconds, size, version, one Ais-Custom-Md per key
        res.setHeader('Ais-Checksum-Type', 'xxhash');
        res.setHeader('Ais-Checksum-Value', 'fd0f7acc8e278588');
        res.setHeader('Ais-Atime', '1661349600000000000');
        res.setHeader('Content-Length', '10689');
        res.setHeader('Ais-Version', '3');
        res.setHeader('Ais-Custom-Md', ['ETag=67c24314d6587da16bfa50dd4d2f6a0a', 'source=aws', 'color=blue']);
        res.setHeader('ETag', '67c24314d6587da16bfa50dd4d2f6a0a');
        return res.writeHead(200).end();
      }
      return aisError(res, req, 404, `${url.pathname} does not exist`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test("AIS client decodes AIStore's own replies: docs' list-objects JSON, Hdr-Error, cluster_config, ToHeader custom md", async () => {
  const ais = await aisShapedServer();
  const client = new AisClusterClient({ kind: 'ais', endpoint: ais.url });
  try {
    // api/cluster.go GetClusterConfig asks what=cluster_config; a proxy refuses what=config with 400.
    assert.equal((await client.getClusterConfig()).checksum?.type, 'xxhash');
    assert.ok(ais.seen.includes('GET /v1/cluster?what=cluster_config'), ais.seen.join('\n'));
    assert.ok(!ais.seen.some((r) => r.includes('what=config')), 'never the query a proxy refuses');

    // A failed HEAD has no body: AIStore's message is in Hdr-Error.
    await expectClientError(client.getBucketProps({ name: 'ddd', provider: 'ais' }), 'not-found', /Server said: bucket "ais:\/\/ddd" does not exist$/, 404);

    const page = await client.listObjects({ name: 'abc', provider: 'ais' });
    assert.deepEqual(page.folders, []);
    assert.equal(page.nextToken, undefined);
    assert.equal(page.objects.length, 1);
    const qq = page.objects[0];
    assert.equal(qq.key, 'qq');
    assert.equal(qq.size, 10689, 'size is a decimal string on the wire');
    assert.deepEqual(qq.checksum, { type: 'xxhash', value: 'fd0f7acc8e278588' });
    assert.equal(qq.mtime?.toISOString(), '2022-08-24T14:00:00.000Z', "AIStore's default RFC822 atime");
    const list = ais.seen.find((r) => r.startsWith('GET /v1/buckets/abc'))!;
    const msg = JSON.parse(list.slice(list.indexOf('{'))) as { action: string; value: { flags: unknown; continuation_token: string } };
    assert.equal(msg.action, 'list');
    assert.equal(typeof msg.value.flags, 'string', 'LsoMsg.flags is json:",string"');

    const head = await client.headObject({ name: 'abc', provider: 'ais' }, 'qq');
    assert.equal(head.size, 10689);
    assert.equal(head.version, '3');
    assert.equal(head.etag, '67c24314d6587da16bfa50dd4d2f6a0a');
    assert.deepEqual(head.checksum, { type: 'xxhash', value: 'fd0f7acc8e278588' });
    assert.equal(head.atime?.toISOString(), '2022-08-24T14:00:00.000Z');
    assert.deepEqual(head.userMeta, { color: 'blue' }, "AIStore's own custom keys (ETag, source) are not user metadata");
  } finally {
    client.dispose();
    await ais.close();
  }
});

test('AIS client: a cluster older than what=cluster_config still gives its config (what=config)', async () => {
  const ais = await aisShapedServer({ oldCluster: true });
  const client = new AisClusterClient({ kind: 'ais', endpoint: ais.url });
  try {
    assert.equal((await client.getClusterConfig()).checksum?.type, 'xxhash');
    assert.deepEqual(ais.seen.filter((r) => r.startsWith('GET /v1/cluster')), ['GET /v1/cluster?what=cluster_config', 'GET /v1/cluster?what=config']);
  } finally {
    client.dispose();
    await ais.close();
  }
});
