// Presigned URLs (and their expiry at the gateway), metadata edits, native rename, ListParts and
// start-after listings: both clients against a real embedded gateway.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { Readable } from 'node:stream';
import { startTestGateway } from '../helpers/gateway';
import { createClusterClient } from '../../src/client';
import { ClientError, ClusterClient } from '../../src/client/cluster';
import { checkPresignedWindow, parseAmzDate } from '../../src/gateway/s3/presign';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      })
      .on('error', reject);
  });
}

const put = (c: ClusterClient, b: { name: string; provider: string }, key: string, text: string, opts = {}) =>
  c.putObject(b, key, { open: () => Readable.from([Buffer.from(text)]), size: Buffer.byteLength(text) }, opts);

test('presigned window: expired, not yet valid, malformed, absent', () => {
  const now = Date.UTC(2026, 0, 25, 9, 35, 12);
  assert.equal(parseAmzDate('20260125T093512Z'), now);
  assert.equal(parseAmzDate('2026-01-25T09:35:12Z'), undefined);
  const q = (date: string, expires: string) => new URLSearchParams({ 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256', 'X-Amz-Date': date, 'X-Amz-Expires': expires });
  checkPresignedWindow(q('20260125T093512Z', '60'), now + 59_000);
  assert.throws(() => checkPresignedWindow(q('20260125T093512Z', '60'), now + 61_000), { code: 'AccessDenied', message: 'Request has expired', status: 403 });
  assert.throws(() => checkPresignedWindow(q('20260125T093512Z', '60'), now - 3600_000), { code: 'AccessDenied', status: 403 });
  assert.throws(() => checkPresignedWindow(q('yesterday', '60'), now), { code: 'AuthorizationQueryParametersError', status: 400 });
  assert.throws(() => checkPresignedWindow(q('20260125T093512Z', '604801'), now), { code: 'AuthorizationQueryParametersError' });
  assert.throws(() => checkPresignedWindow(q('20260125T093512Z', '-5'), now), { code: 'AuthorizationQueryParametersError' });
  checkPresignedWindow(new URLSearchParams({ prefix: 'a' }), now);
});

for (const kind of ['ais', 's3'] as const) {
  test(`${kind} client: presign, metadata, rename, listParts, startAfter`, async () => {
    const gw = await startTestGateway();
    const client = createClusterClient(kind === 'ais' ? { kind, endpoint: gw.url } : { kind, endpoint: gw.s3Endpoint, accessKey: 'k', secretKey: 's' });
    const b = { name: 'pre', provider: kind === 'ais' ? 'ais' : 's3' };
    try {
      await client.createBucket(b);
      await put(client, b, 'dir/hello world+ü.txt', 'hello bytes', { contentType: 'text/plain', userMeta: { a: '1' } });

      // presigned GET: plain HTTP gets the bytes; an expired URL is refused with S3's answer
      const url = await client.presignGetObject(b, 'dir/hello world+ü.txt', 60);
      assert.match(url, /X-Amz-Expires=60/);
      assert.match(url, /X-Amz-Signature=/);
      assert.ok(url.startsWith(`${gw.url}/s3/pre/`), url);
      assert.deepEqual(await get(url), { status: 200, body: 'hello bytes' });
      const short = await client.presignGetObject(b, 'dir/hello world+ü.txt', 1);
      await new Promise((r) => setTimeout(r, 2100));
      const refused = await get(short);
      assert.equal(refused.status, 403);
      assert.match(refused.body, /<Code>AccessDenied<\/Code>/);
      assert.match(refused.body, /Request has expired/);

      // metadata in place: new content type and user metadata, same bytes
      await client.setObjectMetadata(b, 'dir/hello world+ü.txt', { contentType: 'application/json', userMeta: { owner: 'me', b: 'two' } });
      let head = await client.headObject(b, 'dir/hello world+ü.txt');
      assert.equal(head.contentType, 'application/json');
      assert.deepEqual(head.userMeta, { owner: 'me', b: 'two' });
      assert.equal(head.size, 11);
      // user metadata only (AIS: the native PATCH, content type kept)
      await client.setObjectMetadata(b, 'dir/hello world+ü.txt', { contentType: 'application/json', userMeta: { only: 'this' } });
      head = await client.headObject(b, 'dir/hello world+ü.txt');
      assert.equal(head.contentType, 'application/json');
      assert.deepEqual(head.userMeta, { only: 'this' });
      const { body } = await client.getObject(b, 'dir/hello world+ü.txt');
      let text = '';
      for await (const c of body) text += String(c);
      assert.equal(text, 'hello bytes');

      // native rename on AIS only
      if (kind === 'ais') {
        assert.ok(client.renameObject);
        await client.renameObject(b, 'dir/hello world+ü.txt', 'moved/x.txt');
        await assert.rejects(client.headObject(b, 'dir/hello world+ü.txt'), (e: ClientError) => e.kind === 'not-found');
        assert.deepEqual((await client.headObject(b, 'moved/x.txt')).userMeta, { only: 'this' });
      } else assert.equal(client.renameObject, undefined);

      // ListParts: what an unfinished upload holds
      const id = await client.createMultipartUpload(b, 'mp.bin');
      const part = Buffer.alloc(5 * 1024 * 1024, 7);
      const e1 = await client.uploadPart(b, 'mp.bin', id, 1, { open: () => Readable.from([part]), size: part.length });
      const e3 = await client.uploadPart(b, 'mp.bin', id, 3, { open: () => Readable.from([Buffer.from('tail')]), size: 4 });
      assert.deepEqual(await client.listParts(b, 'mp.bin', id), [
        { partNumber: 1, etag: e1, size: part.length },
        { partNumber: 3, etag: e3, size: 4 },
      ]);
      await client.abortMultipartUpload(b, 'mp.bin', id);
      await assert.rejects(client.listParts(b, 'mp.bin', id), ClientError);

      // startAfter: flat and with folders
      for (let i = 0; i < 30; i++) await put(client, b, `k/${String(i).padStart(3, '0')}`, 'x');
      const flat = await client.listObjects(b, { prefix: 'k/', folders: false, pageSize: 5, startAfter: 'k/017' });
      assert.deepEqual(flat.objects.map((o) => o.key), ['k/018', 'k/019', 'k/020', 'k/021', 'k/022']);
      const next = await client.listObjects(b, { prefix: 'k/', folders: false, pageSize: 5, startAfter: 'k/017', token: flat.nextToken });
      assert.equal(next.objects[0].key, 'k/023');
      const top = await client.listObjects(b, { folders: true, startAfter: 'k/' });
      assert.ok(!top.folders.includes('k/'), JSON.stringify(top));
      assert.ok(top.folders.includes('moved/') || kind === 's3', JSON.stringify(top));
    } finally {
      client.dispose();
      await gw.dispose();
    }
  });
}
