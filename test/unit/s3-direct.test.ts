// Whole-object S3 GETs and PUTs signed without the SDK's middleware (s3direct.ts), against the embedded
// gateway with keys (every signature checked): the engine's folder up and down goes that way byte for
// byte, with a session token and names that need escaping; the head is the SDK path's; a refusal is sent
// again through the SDK and reads as its error; a route the server refuses where the SDK is let in is
// dropped; names with dot segments, one-time streams, metadata and proxies go through the SDK.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import type { ClusterConnection } from '../../src/client';
import { S3ClusterClient } from '../../src/client/s3';
import { downloadFiles, collectPrefix } from '../../src/client/transfer/download';
import { collectFolder, uploadFiles } from '../../src/client/transfer/upload';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { expectClientError } from '../helpers/client-error';
import { countingProxy, forwardProxy } from '../helpers/servers';
import { makeTempDir, removeDir } from '../helpers/temp';

const AK = 'AKIAIOSFODNN7EXAMPLE';
const SK = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const bucket = { name: 'direct', provider: 's3' };

/** A pass-through in front of the gateway that notes every request; `refuse` picks those answered 403 instead. */
async function front(target: string, refuse: (req: http.IncomingMessage) => boolean = () => false) {
  const proxy = await countingProxy(target, refuse);
  return {
    url: proxy.url,
    /** The requests for objects (GET and PUT of a key), as "sdk GET /key" or "direct PUT /key" (the SDK adds amz-sdk-invocation-id). */
    objects: () =>
      proxy.requests
        .map((r) => ({ sdk: r.headers['amz-sdk-invocation-id'] !== undefined, method: r.method, key: decodeURIComponent(r.url.split('?')[0]).split('/').slice(3).join('/') }))
        .filter((r) => (r.method === 'GET' || r.method === 'PUT') && r.key !== '')
        .map((r) => `${r.sdk ? 'sdk' : 'direct'} ${r.method} ${r.key}`),
    close: () => proxy.close(),
  };
}

describe('S3 whole-object requests without the SDK middleware', () => {
  let gw: TestGateway;
  let tmp: string;
  const clients: { dispose(): void }[] = [];
  const s3 = (endpoint: string, extra: Partial<ClusterConnection> = {}) => {
    const c = new S3ClusterClient({ kind: 's3', endpoint, accessKey: AK, secretKey: SK, ...extra });
    clients.push(c);
    return c;
  };

  before(async () => {
    gw = await startTestGateway({ credentials: { accessKey: AK, secretKey: SK } });
    tmp = makeTempDir('s3direct');
    await s3(gw.s3Endpoint).createBucket(bucket);
  });

  after(async () => {
    for (const c of clients) c.dispose();
    await gw.dispose();
    removeDir(tmp);
  });

  test('a folder goes up and comes down through the engine with no SDK request per object, byte for byte, signed (with a session token too)', async () => {
    const names = ['plain.bin', 'sp ace/ü+é.txt', "marks/!'()*~.txt", 'pct/a%20b', 'deep/er/x'];
    const src = path.join(tmp, 'src');
    names.forEach((n, i) => {
      fs.mkdirSync(path.dirname(path.join(src, n)), { recursive: true });
      fs.writeFileSync(path.join(src, n), crypto.randomBytes(1000 + i * 20_000));
    });
    for (const [i, extra] of [{}, { sessionToken: 'FQoGZXIvYXdzEXAMPLETOKEN' }].entries()) {
      const f = await front(gw.url);
      try {
        const c = s3(`${f.url}/s3`, extra);
        await uploadFiles(c, bucket, await collectFolder(src, `up${i}/`));
        const dest = path.join(tmp, `dest${i}`);
        fs.mkdirSync(dest);
        const items = await collectPrefix(c, bucket, `up${i}/`, dest);
        assert.equal(items.length, names.length);
        await downloadFiles(c, bucket, items);
        for (const n of names) assert.ok(fs.readFileSync(path.join(dest, n)).equals(fs.readFileSync(path.join(src, n))), n);
        const objects = f.objects();
        assert.equal(objects.length, 2 * names.length, objects.join('\n'));
        assert.deepEqual(objects.filter((o) => o.startsWith('sdk')), [], 'every object PUT and GET went the direct way');
        assert.deepEqual(fs.readdirSync(dest, { recursive: true }).filter((f) => String(f).includes('.aisb-')), [], 'no temp file left');
      } finally {
        await f.close();
      }
    }
  });

  test("a GET's head is the SDK path's: size, ETag, type, user metadata, time", async () => {
    const sdkPut = s3(gw.s3Endpoint);
    const body = Buffer.from('with metadata\n');
    await sdkPut.putObject(bucket, 'meta/obj.txt', { bytes: body }, { contentType: 'text/x-test', userMeta: { owner: 'zoë', plain: 'yes' } });
    const c = s3(gw.s3Endpoint);
    const direct = await c.getObject(bucket, 'meta/obj.txt');
    direct.body.resume();
    // A ranged GET goes through the SDK; its head names the whole object's size as well.
    const viaSdk = await c.getObject(bucket, 'meta/obj.txt', { start: 0 });
    viaSdk.body.resume();
    assert.deepEqual(direct.head, viaSdk.head);
    assert.equal(direct.contentLength, body.length);
    assert.deepEqual(direct.head.userMeta, { owner: 'zoë', plain: 'yes' });
    assert.equal(direct.head.contentType, 'text/x-test');
  });

  test('a refusal is sent again through the SDK and reads as its error; the route stays', async () => {
    const f = await front(gw.url);
    try {
      const c = s3(`${f.url}/s3`);
      const missing = await expectClientError(c.getObject(bucket, 'no/such.key'), 'not-found', /NoSuchKey/, 404);
      const viaSdk = await expectClientError(c.getObject(bucket, 'no/such.key', { start: 0 }), 'not-found', undefined, 404);
      assert.equal(missing.message, viaSdk.message);
      assert.deepEqual(f.objects(), ['direct GET no/such.key', 'sdk GET no/such.key', 'sdk GET no/such.key']);
      await c.putObject(bucket, 'after/miss', { bytes: Buffer.from('x') });
      assert.equal(f.objects().at(-1), 'direct PUT after/miss', 'a 404 says nothing against the route');
      const wrong = s3(`${f.url}/s3`, { secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYWRONGSECRET' });
      const e = await expectClientError(wrong.getObject(bucket, 'after/miss'), 'auth', /secret key does not match/, 403);
      assert.equal(e.authProblem, 'wrong-secret');
    } finally {
      await f.close();
    }
  });

  test('a route the server refuses where the SDK gets in is dropped: that bucket goes through the SDK from then on', async () => {
    // Stands for a server that wants something of the SDK's requests this path does not send.
    const f = await front(gw.url, (req) => req.headers['amz-sdk-invocation-id'] === undefined && (req.method === 'GET' || req.method === 'PUT'));
    try {
      const c = s3(`${f.url}/s3`);
      await c.putObject(bucket, 'route/a', { bytes: Buffer.from('aaa') });
      const got = await c.getObject(bucket, 'route/a');
      assert.equal(await text(got.body), 'aaa');
      await c.putObject(bucket, 'route/b', { path: path.join(tmp, 'src', 'plain.bin') });
      assert.deepEqual(f.objects(), ['direct PUT route/a', 'sdk PUT route/a', 'sdk GET route/a', 'sdk PUT route/b']);
    } finally {
      await f.close();
    }
  });

  test('a name with "." or ".." segments (a URL parser would fold them away) goes through the SDK', async () => {
    const f = await front(gw.url);
    try {
      const c = s3(`${f.url}/s3`);
      await c.putObject(bucket, 'dots/./x', { bytes: Buffer.from('dot') });
      assert.equal(await text((await c.getObject(bucket, 'dots/./x')).body), 'dot');
      assert.deepEqual(f.objects(), ['sdk PUT dots/./x', 'sdk GET dots/./x']);
    } finally {
      await f.close();
    }
  });

  test('a one-time stream, metadata or a proxy: the SDK sends, as before', async () => {
    const f = await front(gw.url);
    try {
      const c = s3(`${f.url}/s3`);
      await c.putObject(bucket, 'sdk/stream', { stream: Readable.from([Buffer.from('once')]), size: 4 });
      await c.putObject(bucket, 'sdk/meta', { bytes: Buffer.from('m') }, { userMeta: { a: 'b' } });
      assert.deepEqual(f.objects(), ['sdk PUT sdk/stream', 'sdk PUT sdk/meta']);
    } finally {
      await f.close();
    }
    // Through a proxy the SDK tunnels (CONNECT) as it always did; this path would send absolute-form requests.
    const proxy = await forwardProxy();
    try {
      const c = s3(gw.s3Endpoint, { proxy: { host: proxy.host, port: proxy.port } });
      await c.putObject(bucket, 'sdk/proxied', { bytes: Buffer.from('via proxy') });
      assert.equal(await text((await c.getObject(bucket, 'sdk/proxied')).body), 'via proxy');
      assert.ok(proxy.tunnels.length > 0, 'tunnelled');
      assert.deepEqual(proxy.forwarded, []);
    } finally {
      await proxy.close();
    }
  });
});

async function text(body: Readable, encoding: BufferEncoding = 'utf8'): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString(encoding);
}
