// The requests a user pays for, counted at a proxy in front of the real gateway: deleting many keys is one
// request per 1000 (S3 DeleteObjects; AIStore's delete-listrange job and its status), keys that cannot be
// deleted come back by name, Cancel stops between batches, and an AIS HEAD is one request.
import { test, describe, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { request } from '../helpers/http';
import { AisClusterClient } from '../../src/client/ais/client';
import { S3ClusterClient } from '../../src/client/s3';
import type { BucketRef, ClusterClient } from '../../src/client/cluster';
import { listKeys } from '../helpers/data';
import { countingProxy, type CountingProxy, fixedAnswerServer } from '../helpers/servers';

const keysOf = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);

async function putAll(client: ClusterClient, bucket: BucketRef, keys: string[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < keys.length) {
        const key = keys[next++];
        await client.putObject(bucket, key, { open: () => Readable.from([Buffer.from(key)]), size: Buffer.byteLength(key) });
      }
    }),
  );
}


/** Requests other than the listings and bucket HEADs a test makes itself to check the outcome. */
const deletes = (seen: string[]) => seen.filter((r) => /^(DELETE|POST) /.test(r) || /what=status/.test(r));

/** A gateway for the tests of the describe() that calls it, with a counting proxy in front. */
function gatewayBehindProxy(): { gw: TestGateway; proxy: CountingProxy } {
  const env = {} as { gw: TestGateway; proxy: CountingProxy };
  before(async () => {
    env.gw = await startTestGateway();
    env.proxy = await countingProxy(env.gw.url);
  });
  after(async () => {
    await env.proxy?.close();
    await env.gw?.dispose();
  });
  return env;
}

describe('batch delete against the gateway', () => {
  const env = gatewayBehindProxy();

  for (const kind of ['ais', 's3'] as const) {
    const clientOf = () => (kind === 'ais' ? new AisClusterClient({ kind, endpoint: env.proxy.url }) : new S3ClusterClient({ kind, endpoint: `${env.proxy.url}/s3` }));

    test(`${kind}: 2,500 keys go ${kind === 'ais' ? 'as one job' : 'in 3 batch requests, in order, with progress after each'}`, async () => {
      const client = clientOf();
      const bucket = { name: `many-${kind}`, provider: kind };
      try {
        await client.createBucket(bucket);
        const keys = keysOf(2500, 'k/');
        await putAll(client, bucket, [...keys, 'keep']);
        env.proxy.seen.length = 0;
        const progress: [number, number][] = [];
        const result = await client.deleteObjects(bucket, keys, { onProgress: (done, total) => progress.push([done, total]) });
        assert.deepEqual(result, { deleted: 2500, failed: [], cancelled: false });
        const sent = deletes(env.proxy.seen);
        if (kind === 'ais') {
          // One job for every name, asked about once: the gateway has ended a list job by the time it answers.
          assert.deepEqual(progress, [[2500, 2500]]);
          assert.deepEqual(sent, [`DELETE /v1/buckets/${bucket.name}?provider=ais`, 'GET /v1/cluster?what=status']);
        } else {
          assert.deepEqual(progress, [[1000, 2500], [2000, 2500], [2500, 2500]]);
          assert.equal(sent.length, 3, sent.join('\n'));
          for (const r of sent) assert.match(r, new RegExp(`^POST /s3/${bucket.name}/?\\?delete`));
        }
        assert.deepEqual(await listKeys(client, bucket, ''), ['keep']);
      } finally {
        client.dispose();
      }
    });

    test(`${kind}: ${kind === 's3' ? 'Cancel stops before the next batch; what was sent is finished and counted' : 'aborted before it starts, nothing is sent'}`, async () => {
      const client = clientOf();
      const bucket = { name: `cancel-${kind}`, provider: kind };
      try {
        await client.createBucket(bucket);
        const keys = keysOf(2500, 'c/');
        await putAll(client, bucket, keys);
        env.proxy.seen.length = 0;
        if (kind === 's3') {
          // S3: batch after batch, so Cancel stops before the next one. (AIStore's one job is stopped instead.)
          const abort = new AbortController();
          const result = await client.deleteObjects(bucket, keys, { signal: abort.signal, onProgress: () => abort.abort() });
          assert.deepEqual(result, { deleted: 1000, failed: [], cancelled: true });
          assert.equal(deletes(env.proxy.seen).length, 1, 'one batch sent');
          assert.deepEqual(await listKeys(client, bucket, ''), keys.slice(1000));
        }
        // Aborted before it starts: nothing is sent.
        env.proxy.seen.length = 0;
        assert.deepEqual(await client.deleteObjects(bucket, keys, { signal: AbortSignal.abort() }), { deleted: 0, failed: [], cancelled: true });
        assert.deepEqual(deletes(env.proxy.seen), []);
      } finally {
        client.dispose();
      }
    });
  }
});

// What AIStore's own clients see (api/multiobj.go, api/xaction.go GetOneXactionStatus): a job id, then the
// job's nl.Status, whose err counts a listed name that was not there (xact/xs/evict.go).
describe("the gateway's delete-listrange job, on the wire", () => {
  const env = gatewayBehindProxy();

  test('answers a job id whose status has ended, naming the missing name; unknown ids are 404', async () => {
    const v1 = `${env.gw.url}/v1`;
    assert.equal((await request('POST', `${v1}/buckets/wire`, { json: { action: 'create-bck' } })).status, 200);
    for (const k of ['a', 'b']) assert.equal((await request('PUT', `${v1}/objects/wire/${k}`, { body: k })).status, 200);
    const del = await request('DELETE', `${v1}/buckets/wire`, { json: { action: 'delete-listrange', value: { objnames: ['a', 'gone', 'b'] } } });
    assert.equal(del.status, 200);
    const id = del.body.toString();
    const status = await request('GET', `${v1}/cluster?what=status`, { json: { id, kind: 'delete-listrange' } });
    assert.equal(status.status, 200);
    const job = status.json as { kind: string; uuid: string; err: string; end_time: number; aborted: boolean };
    assert.deepEqual([job.kind, job.uuid, job.aborted], ['delete-listrange', id, false]);
    assert.ok(Math.abs(job.end_time / 1e6 - Date.now()) < 60_000, `end_time in Unix ns: ${job.end_time}`);
    assert.match(job.err, /ais:\/\/wire\/gone does not exist$/);
    // A template's names that are not there are no error.
    const byTemplate = await request('DELETE', `${v1}/buckets/wire`, { json: { action: 'delete-listrange', value: { template: 'x{1..3}' } } });
    const quiet = await request('GET', `${v1}/cluster?what=status`, { json: { id: byTemplate.body.toString() } });
    assert.equal((quiet.json as { err: string }).err, '');
    assert.equal((await request('GET', `${v1}/cluster?what=status`, { json: { id: 'nosuchjob1' } })).status, 404);
    assert.equal((await request('GET', `${v1}/cluster?what=status`, { json: { id, kind: 'copy-listrange' } })).status, 400);
    assert.equal((await request('GET', `${v1}/cluster?what=status`, { json: {} })).status, 400);
  });
});

// The gateway's aws provider in front of a remote S3 service that refuses to delete some keys (an object
// lock): a failure on a key that exists, which the batch reports by name while the others go.
describe('batch delete where the backend refuses some keys', () => {
  let remote: TestGateway;
  let lock: CountingProxy;
  let gw: TestGateway;
  before(async () => {
    remote = await startTestGateway();
    lock = await countingProxy(remote.url, (req) => req.method === 'DELETE' && /locked/.test(req.url ?? ''));
    gw = await startTestGateway({ remote: { endpoint: `${lock.url}/s3`, accessKey: 'test', secretKey: 'test' } });
    await remote.s3.send(new CreateBucketCommand({ Bucket: 'cloud' }));
    for (const key of ['d/a', 'd/b', 'd/locked-1', 'd/c', 'd/locked-2', 'other/x']) await remote.s3.send(new PutObjectCommand({ Bucket: 'cloud', Key: key, Body: key }));
  });
  after(async () => {
    await gw?.dispose();
    await lock?.close();
    await remote?.dispose();
  });

  for (const kind of ['ais', 's3'] as const) {
    test(`${kind}: the keys that failed come back by name with the server's reason; the rest are deleted`, async () => {
      const client = kind === 'ais' ? new AisClusterClient({ kind, endpoint: gw.url }) : new S3ClusterClient({ kind, endpoint: gw.s3Endpoint });
      const bucket = { name: 'cloud', provider: kind === 'ais' ? 'aws' : 's3' };
      try {
        const keys = kind === 'ais' ? ['d/a', 'd/locked-1', 'd/b'] : ['d/c', 'd/locked-2'];
        const result = await client.deleteObjects(bucket, [...keys, 'd/never-was']);
        assert.equal(result.cancelled, false);
        const locked = keys.filter((k) => k.includes('locked'));
        assert.deepEqual(result.failed.map((f) => f.key), locked);
        for (const f of result.failed) assert.match(f.message, /AccessDenied|Access Denied/, f.message);
        assert.equal(result.deleted, keys.length + 1 - locked.length, 'a key that was not there counts as deleted');
        const left = (await listKeys(client, bucket, 'd/')).filter((k) => keys.includes(k));
        assert.deepEqual(left, locked);
      } finally {
        client.dispose();
      }
    });
  }
});

describe('AIS HEAD: one request', () => {
  const env = gatewayBehindProxy();

  test('with every field the native HEAD and the S3 HEAD gave together', async () => {
    const client = new AisClusterClient({ kind: 'ais', endpoint: env.proxy.url });
    const s3 = new S3ClusterClient({ kind: 's3', endpoint: env.gw.s3Endpoint });
    const bucket = { name: 'heads', provider: 'ais' };
    try {
      await client.createBucket(bucket);
      // With metadata the object is written through the S3 side, which keeps content type and user metadata.
      await client.putObject(bucket, 'dir/obj.txt', { open: () => Readable.from([Buffer.from('hello head')]), size: 10 }, { contentType: 'text/x-test', userMeta: { owner: 'me', stage: 'raw' } });
      await new Promise((r) => setTimeout(r, 1100)); // the access time moves on from the write time
      const native = await request('HEAD', `${env.gw.url}/v1/objects/heads/dir/obj.txt?provider=ais`);
      const viaS3 = await s3.headObject({ name: 'heads', provider: 's3' }, 'dir/obj.txt');

      env.proxy.seen.length = 0;
      const head = await client.headObject(bucket, 'dir/obj.txt');
      assert.deepEqual(env.proxy.seen, ['HEAD /v1/objects/heads/dir/obj.txt?provider=ais&props=name%2Csize%2Cchecksum%2Catime%2Cversion%2Ccustom%2Clast-modified%2Cetag']);

      assert.equal(head.size, 10);
      assert.deepEqual(head.checksum, { type: String(native.headers['ais-checksum-type']), value: String(native.headers['ais-checksum-value']) });
      assert.equal(head.checksum?.type, 'xxhash');
      assert.equal(head.version, String(native.headers['ais-version']));
      // Nanoseconds past 2^53 as a Number: within a millisecond.
      assert.ok(Math.abs(head.atime!.getTime() - Number(BigInt(String(native.headers['ais-atime'])) / 1_000_000n)) <= 1, String(head.atime?.getTime()));
      // What only the S3 HEAD gave before: the modification time, the ETag, content type and user metadata.
      assert.equal(head.mtime?.getTime(), viaS3.mtime?.getTime());
      assert.equal(head.etag, viaS3.etag);
      assert.ok(head.etag);
      assert.equal(head.contentType, 'text/x-test');
      assert.equal(head.contentType, viaS3.contentType);
      assert.deepEqual(head.userMeta, { owner: 'me', stage: 'raw' });
      assert.deepEqual(head.userMeta, viaS3.userMeta);
    } finally {
      client.dispose();
      s3.dispose();
    }
  });

  // What a real AIStore sends (cmn/objattrs.go ToHeaderV2, ais/tgthead.go): user metadata written through
  // its S3 side or learned from a backend as X-Amz-Meta-* custom keys, the content type as Content-Type.
  test("reads AIStore's custom md: Content-Type, X-Amz-Meta-*, and leaves out AIStore's own keys", async () => {
    const server = await fixedAnswerServer(
      200,
      {
        'Ais-Custom-Md': 'Content-Type=image/png, X-Amz-Meta-Owner=alice, ETag=abc123, source=aws, color=blue',
        'Ais-Checksum-Type': 'md5',
        'Ais-Checksum-Value': 'abc123',
        'Ais-Atime': '1700000000000000000',
        'Ais-Present': 'true',
        'Last-Modified': 'Tue, 14 Nov 2023 22:13:20 GMT',
        ETag: '"abc123"',
      },
      '',
    );
    const client = new AisClusterClient({ kind: 'ais', endpoint: server.url });
    try {
      const head = await client.headObject({ name: 'b', provider: 'aws' }, 'pic.png');
      assert.equal(head.contentType, 'image/png');
      assert.deepEqual(head.userMeta, { owner: 'alice', color: 'blue' });
      assert.equal(head.etag, 'abc123');
      assert.equal(head.mtime?.toISOString(), '2023-11-14T22:13:20.000Z');
      assert.equal(head.atime?.toISOString(), '2023-11-14T22:13:20.000Z');
    } finally {
      client.dispose();
      await server.close();
    }
  });
});

// A real AIStore runs delete-listrange as a job that ends after the answer (ais/proxy.go writeXid), and
// its status names only a few errors: the client waits for the end, then lists what is left.
test('AIS: waits for a job that is still running, then names the keys still listed', async () => {
  const seen: string[] = [];
  let polls = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url} ${body}`);
      const json = (value: unknown) => {
        const text = JSON.stringify(value);
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
      };
      if (req.method === 'DELETE') {
        res.writeHead(200, { 'Content-Length': 10 });
        res.end('xid-123456');
      } else if (req.url?.includes('what=status')) {
        polls++;
        const ended = polls >= 3;
        json({ kind: 'delete-listrange', uuid: 'xid-123456', err: ended ? 't[x]: failed to delete ais://b/d/b: disk error' : '', end_time: ended ? 1_700_000_000_000_000_000 : 0, aborted: false });
      } else if (req.method === 'GET' && req.url?.startsWith('/v1/buckets/b')) {
        json({ uuid: 'l1', continuation_token: '', entries: [{ name: 'd/b', size: '1' }, { name: 'd/z', size: '1' }] });
      } else {
        res.writeHead(404, { 'Content-Length': 0 });
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new AisClusterClient({ kind: 'ais', endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  try {
    const result = await client.deleteObjects({ name: 'b', provider: 'ais' }, ['d/a', 'd/b', 'd/c']);
    assert.deepEqual(result, { deleted: 2, failed: [{ key: 'd/b', message: 't[x]: failed to delete ais://b/d/b: disk error' }], cancelled: false });
    assert.equal(polls, 3, 'asked until the job ended');
    const del = seen.find((s) => s.startsWith('DELETE '))!;
    assert.equal(del, 'DELETE /v1/buckets/b?provider=ais {"action":"delete-listrange","value":{"objnames":["d/a","d/b","d/c"]}}');
    assert.ok(seen.some((s) => s === 'GET /v1/cluster?what=status {"id":"xid-123456","kind":"delete-listrange"}'));
    // The listing asked for the keys' common prefix.
    assert.ok(seen.some((s) => s.startsWith('GET /v1/buckets/b?provider=ais ') && s.includes('"prefix":"d/"')), seen.join('\n'));
  } finally {
    client.dispose();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
