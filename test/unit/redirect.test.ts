// Redirect mode: the gateway behaves like a real AIStore proxy. Object GET/PUT/HEAD on the public port
// (native and S3) answer 307 with Location at the target listener; a client that follows, re-opening the
// PUT body from its file, gets the object stored and read back. Everything else is served directly.
/* eslint-disable @typescript-eslint/no-explicit-any -- wire replies are untyped JSON, checked field by field */
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { checksumOf, initChecksums } from '../../src/gateway/checksum';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { request, Reply } from '../helpers/http';
import { makeTempDir, removeDir } from '../helpers/temp';

/** Sends a request and follows 307s by re-sending method and a re-opened body to Location, as AIStore clients must. */
async function following(method: string, url: string, openBody?: () => Readable, headers: Record<string, string> = {}): Promise<{ reply: Reply; hops: string[] }> {
  const hops: string[] = [];
  for (let i = 0; i < 5; i++) {
    const reply = await request(method, url, { body: openBody?.(), headers });
    if (reply.status !== 307 && reply.status !== 301) return { reply, hops }; // native GET is 301 (ais/proxy.go)
    url = String(reply.headers.location);
    hops.push(url);
  }
  throw new Error('too many redirects');
}

describe('redirect mode (--redirect)', () => {
  let gw: TestGateway;
  let tmp: string;
  let file: string;
  const data = Buffer.alloc(2 * 1024 * 1024 + 17);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) % 256;

  before(async () => {
    await initChecksums();
    gw = await startTestGateway({ redirect: true });
    tmp = makeTempDir('redirect');
    file = path.join(tmp, 'payload.bin');
    fs.writeFileSync(file, data);
    assert.equal((await request('POST', `${gw.url}/v1/buckets/rb`, { json: { action: 'create-bck' } })).status, 200);
  });
  after(async () => {
    await gw.dispose();
    removeDir(tmp);
  });

  test('the cluster map lists the proxy at the public URL and the target at its own listener', async () => {
    assert.notEqual(gw.targetUrl, gw.url);
    const smap = (await request('GET', `${gw.url}/v1/daemon?what=smap`)).json as any;
    assert.equal(smap.proxy_si.public_net.direct_url, gw.url);
    const [target] = Object.values(smap.tmap) as any[];
    assert.equal(target.public_net.direct_url, gw.targetUrl);
    assert.equal(target.public_net.daemon_port, new URL(gw.targetUrl).port);
  });

  test('native PUT/GET/HEAD are redirected (307 + Location); a client that re-sends the body stores the object', async () => {
    const first = await request('PUT', `${gw.url}/v1/objects/rb/dir/obj.bin?provider=ais`, { body: fs.createReadStream(file) });
    assert.equal(first.status, 307);
    const loc = new URL(String(first.headers.location));
    assert.equal(loc.origin, gw.targetUrl);
    assert.equal(loc.pathname, '/v1/objects/rb/dir/obj.bin');
    assert.equal(loc.searchParams.get('provider'), 'ais', 'the original query is kept');
    assert.match(loc.searchParams.get('pid') ?? '', /^[A-Za-z]{8}$/, 'the redirecting proxy id (ais/prxred.go)');
    assert.match(loc.searchParams.get('utm') ?? '', /^\d+$/);
    // The 307 stored nothing.
    const before = (await request('GET', `${gw.url}/v1/buckets/rb`, { json: { action: 'list', value: {} } })).json as any;
    assert.equal(before.entries.length, 0);

    const put = await following('PUT', `${gw.url}/v1/objects/rb/dir/obj.bin?provider=ais`, () => fs.createReadStream(file), {
      'Ais-Checksum-Type': 'xxhash',
      'Ais-Checksum-Value': checksumOf('xxhash', data),
    });
    assert.equal(put.hops.length, 1);
    assert.equal(put.reply.status, 200, put.reply.body.toString());

    const get = await following('GET', `${gw.url}/v1/objects/rb/dir/obj.bin`);
    assert.equal(get.hops.length, 1);
    assert.ok(get.reply.body.equals(data));
    assert.equal(get.reply.headers['ais-checksum-value'], checksumOf('xxhash', data));

    const head = await following('HEAD', `${gw.url}/v1/objects/rb/dir/obj.bin`);
    assert.equal(head.hops.length, 1);
    assert.equal(head.reply.headers['content-length'], String(data.length));

    const ranged = await following('GET', `${gw.url}/v1/objects/rb/dir/obj.bin`, undefined, { range: 'bytes=10-19' });
    assert.equal(ranged.reply.status, 206);
    assert.ok(ranged.reply.body.equals(data.subarray(10, 20)));
  });

  test('a PUT with Expect: 100-continue gets its 307 before sending the body', async () => {
    const result = await new Promise<{ status: number; continued: boolean }>((resolve, reject) => {
      let continued = false;
      const req = http.request(`${gw.url}/v1/objects/rb/expect.bin`, {
        method: 'PUT',
        headers: { expect: '100-continue', 'content-length': data.length },
      });
      req.on('continue', () => {
        continued = true;
        req.end(data);
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, continued }));
        req.destroy();
      });
      req.on('error', (e) => (continued ? undefined : reject(e)));
      req.flushHeaders();
    });
    assert.deepEqual(result, { status: 307, continued: false });
  });

  test('control requests are served directly by the proxy', async () => {
    const list = await request('GET', `${gw.url}/v1/buckets/rb`, { json: { action: 'list' } });
    assert.equal(list.status, 200);
    assert.equal((await request('HEAD', `${gw.url}/v1/buckets/rb`)).status, 200);
    assert.equal((await request('GET', `${gw.url}/v1/health`)).status, 200);
    assert.equal((await request('GET', `${gw.url}/s3/rb?list-type=2`)).status, 200);
  });

  test('S3 object GET/PUT/HEAD are redirected the way AIStore words it (XML TemporaryRedirect + Location)', async () => {
    const first = await request('GET', `${gw.url}/s3/rb/dir/obj.bin`);
    assert.equal(first.status, 307);
    assert.equal(first.headers.location, `${gw.targetUrl}/s3/rb/dir/obj.bin`);
    const xml = first.body.toString();
    assert.match(xml, /<Code>TemporaryRedirect<\/Code>/);
    assert.ok(xml.includes(`<Endpoint>${gw.targetUrl}/s3/rb/dir/obj.bin</Endpoint>`));
    assert.match(xml, /<Bucket>rb<\/Bucket>/);

    const got = await following('GET', `${gw.url}/s3/rb/dir/obj.bin`);
    assert.ok(got.reply.body.equals(data));

    const put = await following('PUT', `${gw.url}/s3/rb/via-s3.bin`, () => fs.createReadStream(file));
    assert.equal(put.hops.length, 1);
    assert.equal(put.reply.status, 200, put.reply.body.toString());
    const back = await following('GET', `${gw.url}/v1/objects/rb/via-s3.bin`);
    assert.ok(back.reply.body.equals(data), 'the object PUT through S3 via the target reads back through /v1');
  });
});
