// Both clients' object operations beyond plain get and put, against a real embedded gateway: presigned
// URLs (and their expiry at the gateway), metadata edits in place, native rename, ListParts and start-after
// listings.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { createClusterClient } from '../../src/client';
import { ClientError, ClusterClient } from '../../src/client/cluster';
import { bodyOf, readObjectText } from '../helpers/data';
import { startTestGateway } from '../helpers/gateway';
import { request } from '../helpers/http';

const put = (c: ClusterClient, b: { name: string; provider: string }, key: string, text: string, opts = {}) => c.putObject(b, key, bodyOf(text), opts);

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
      const got = await request('GET', url);
      assert.deepEqual({ status: got.status, body: got.body.toString() }, { status: 200, body: 'hello bytes' });
      const short = await client.presignGetObject(b, 'dir/hello world+ü.txt', 1);
      await new Promise((r) => setTimeout(r, 2100));
      const refused = await request('GET', short);
      assert.equal(refused.status, 403);
      assert.match(refused.body.toString(), /<Code>AccessDenied<\/Code>/);
      assert.match(refused.body.toString(), /Request has expired/);

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
      assert.equal(await readObjectText(client, b, 'dir/hello world+ü.txt'), 'hello bytes');

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
      const e1 = await client.uploadPart(b, 'mp.bin', id, 1, bodyOf(part));
      const e3 = await client.uploadPart(b, 'mp.bin', id, 3, bodyOf('tail'));
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
