// Ranged S3 downloads on the download worker (S3ClusterClient.getRangeToFile, s3rangefetch.ts), against
// the embedded gateway's S3 side: the ranges of a download go there and not through the SDK's GET, the
// file is byte for byte the object, signed access works and a refusal is the very ClientError the SDK's
// GetObject gives for it; the version HEAD saw is pinned, cancel closes the worker's connection, and a
// proxied connection (the worker does no proxies) streams through the SDK as before.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { ClientError, ClusterClient, ClusterConnection } from '../../src/client/cluster';
import { S3ClusterClient } from '../../src/client/s3';
import { downloadFile } from '../../src/client/transfer/download';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { expectClientError } from '../helpers/client-error';
import { forward, forwardProxy } from '../helpers/servers';
import { testCaFile, testTls } from '../helpers/tls';
import { makeTempDir, removeDir } from '../helpers/temp';

const MiB = 1024 * 1024;
const AK = 'AKIAIOSFODNN7EXAMPLE';
const SK = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const bucket = { name: 'rng', provider: 's3' };

/** What the transfer engine asked of the client: ranges handed to the worker (and its answers), SDK GETs. */
interface Calls {
  toFile: boolean[];
  getObject: number;
}

/** The real client, counting the engine's calls; `afterRange` runs once a range is in (to change the object midway). */
function counting(client: S3ClusterClient, calls: Calls, afterRange?: () => Promise<void>): ClusterClient {
  return new Proxy(client, {
    get(target, prop) {
      if (prop === 'getObject') {
        return (...args: Parameters<ClusterClient['getObject']>) => {
          calls.getObject++;
          return target.getObject(...args);
        };
      }
      if (prop === 'getRangeToFile') {
        return async (...args: Parameters<NonNullable<ClusterClient['getRangeToFile']>>) => {
          const handled = await target.getRangeToFile(...args);
          calls.toFile.push(handled);
          await afterRange?.();
          return handled;
        };
      }
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as unknown as ClusterClient;
}

/** The failure `promise` ends with, which must be a ClientError. */
async function failure(promise: Promise<unknown>): Promise<ClientError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof ClientError, `a ClientError, not ${String(e)}`);
    return e;
  }
  assert.fail('expected a failure');
}

/** The worker path's error is the SDK path's: same kind, status, code, credential problem and sentence. */
function assertSameError(worker: ClientError, sdk: ClientError): void {
  assert.deepEqual(
    { kind: worker.kind, status: worker.status, code: worker.code, authProblem: worker.authProblem, message: worker.message },
    { kind: sdk.kind, status: sdk.status, code: sdk.code, authProblem: sdk.authProblem, message: sdk.message },
  );
}

/** A file of `size` zero bytes to fetch ranges into. */
function blank(file: string, size: number): string {
  fs.writeFileSync(file, Buffer.alloc(size));
  return file;
}

describe('S3 ranges on the download worker', () => {
  let gw: TestGateway;
  let tmp: string;
  const clients: S3ClusterClient[] = [];
  const client = (extra: Partial<ClusterConnection> = {}) => {
    const c = new S3ClusterClient({ kind: 's3', endpoint: gw.s3Endpoint, accessKey: AK, secretKey: SK, ...extra });
    clients.push(c);
    return c;
  };
  // Not a whole number of MiB, so the last range is short.
  const data = crypto.randomBytes(5 * MiB + 4321);

  before(async () => {
    gw = await startTestGateway({ credentials: { accessKey: AK, secretKey: SK } });
    tmp = makeTempDir('s3range');
    const c = client();
    await c.createBucket(bucket);
    await c.putObject(bucket, 'dir/obj one+é.bin', { open: () => Readable.from([data]), size: data.length });
  });

  after(async () => {
    for (const c of clients) c.dispose();
    await gw.dispose();
    removeDir(tmp);
  });

  test('a download by ranges comes byte for byte through the worker, no SDK GET; signed with a session token too', async () => {
    for (const extra of [{}, { sessionToken: 'FQoGZXIvYXdzEXAMPLETOKEN' }]) {
      const calls: Calls = { toFile: [], getObject: 0 };
      const out = path.join(tmp, 'down', 'obj.bin');
      await downloadFile(counting(client(extra), calls), bucket, 'dir/obj one+é.bin', out, { partSize: MiB, partConcurrency: 3 });
      assert.ok(fs.readFileSync(out).equals(data), 'the file is the object');
      assert.deepEqual(calls, { toFile: [true, true, true, true, true, true], getObject: 0 }, 'six ranges, all on the worker');
      fs.rmSync(out);
    }
    assert.deepEqual(fs.readdirSync(path.join(tmp, 'down')), [], 'no temp file left');
  });

  test('a wrong secret, an unknown key and no keys at all: the errors the SDK path gives, word for word', async () => {
    const dest = blank(path.join(tmp, 'auth.bin'), 100);
    const range = { start: 0, end: 99 };
    for (const [extra, problem] of [
      [{ secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYWRONGSECRET' }, 'wrong-secret'],
      [{ accessKey: 'AKIAWRONGKEY0000ABCD' }, 'unknown-key'],
      [{ accessKey: undefined, secretKey: undefined }, 'no-credentials'],
    ] as const) {
      const c = client(extra);
      const worker = await failure(c.getRangeToFile(bucket, 'dir/obj one+é.bin', range, dest, () => undefined));
      assert.equal(worker.kind, 'auth', worker.message);
      assert.equal(worker.authProblem, problem);
      assertSameError(worker, await failure(c.getObject(bucket, 'dir/obj one+é.bin', range)));
      assert.ok(!worker.message.includes(SK) && !worker.message.includes('WRONGSECRET'), 'no secret in the message');
    }
    assert.ok(fs.readFileSync(dest).equals(Buffer.alloc(100)), 'nothing was written');
  });

  test('a missing key and a version that is not there any more: the SDK path errors; a replaced object fails the download', async () => {
    const c = client();
    const dest = blank(path.join(tmp, 'missing.bin'), 10);
    const range = { start: 0, end: 9 };
    const missing = await failure(c.getRangeToFile(bucket, 'no/such key', range, dest, () => undefined));
    assert.equal(missing.kind, 'not-found');
    assert.equal(missing.code, 'NoSuchKey');
    assertSameError(missing, await failure(c.getObject(bucket, 'no/such key', range)));
    const stale = await failure(c.getRangeToFile(bucket, 'dir/obj one+é.bin', range, dest, () => undefined, undefined, '0123456789abcdef0123456789abcdef'));
    assert.equal(stale.status, 412);
    assert.equal(stale.code, 'PreconditionFailed');
    assertSameError(stale, await failure(c.getObject(bucket, 'dir/obj one+é.bin', range, { ifMatch: '0123456789abcdef0123456789abcdef' })));
    const etag = (await c.headObject(bucket, 'dir/obj one+é.bin')).etag;
    assert.equal(await c.getRangeToFile(bucket, 'dir/obj one+é.bin', range, dest, () => undefined, undefined, etag), true, 'the current version');
    assert.ok(fs.readFileSync(dest).equals(data.subarray(0, 10)));

    // The object is replaced (same size, other bytes) after the first range. Its ETag is no MD5 (the
    // gateway's xxhash, as a multipart ETag is none): no checksum afterwards would catch a mix of the two.
    const key = 'replaced.bin';
    await c.putObject(bucket, key, { open: () => Readable.from([data]), size: data.length });
    let replaced = false;
    const calls: Calls = { toFile: [], getObject: 0 };
    const replace = async () => {
      if (replaced) return;
      replaced = true;
      await c.putObject(bucket, key, { open: () => Readable.from([Buffer.alloc(data.length, 1)]), size: data.length });
    };
    const out = path.join(tmp, 'replaced.bin');
    const e = await expectClientError(downloadFile(counting(c, calls, replace), bucket, key, out, { partSize: MiB, partConcurrency: 1 }), 'conflict', /^s3:\/\/rng\/replaced\.bin changed on http:\/\/127\.0\.0\.1:\d+\/s3 during the download: nothing was saved/, 412);
    assert.equal(e.code, 'PreconditionFailed');
    assert.deepEqual(calls.toFile, [true], 'the first range came; the second was refused, not retried');
    assert.equal(fs.existsSync(out), false);
    assert.deepEqual(fs.readdirSync(tmp).filter((f) => f.includes('.aisb-')), []);
  });

  test('a key the URL parser would fold ("..") and a proxied connection are left to the SDK', async () => {
    const c = client();
    const dest = blank(path.join(tmp, 'fold.bin'), 10);
    await c.putObject(bucket, 'a/../b.bin', { open: () => Readable.from([data.subarray(0, 10)]), size: 10 });
    assert.equal(await c.getRangeToFile(bucket, 'a/../b.bin', { start: 0, end: 9 }, dest, () => undefined), false);

    const proxy = await forwardProxy();
    try {
      const calls: Calls = { toFile: [], getObject: 0 };
      const out = path.join(tmp, 'proxied.bin');
      await downloadFile(counting(client({ proxy: { host: proxy.host, port: proxy.port } }), calls), bucket, 'dir/obj one+é.bin', out, { partSize: 2 * MiB });
      assert.ok(fs.readFileSync(out).equals(data));
      assert.deepEqual(calls, { toFile: [false, false, false], getObject: 3 }, 'every range fell back to the SDK');
      assert.ok(proxy.tunnels.length > 0, 'through the proxy');
    } finally {
      await proxy.close();
    }
  });
});

test('an open endpoint takes the unsigned request; an AIS proxy\'s 307 to its target is followed', async () => {
  const gw = await startTestGateway({ redirect: true });
  const tmp = makeTempDir('s3range');
  // In front of the gateway's proxy side: notes what each GET was signed with (the 307 then goes to the target directly).
  const signed: string[] = [];
  const agent = new http.Agent({ keepAlive: true });
  const front = http.createServer((req, res) => {
    if (req.method === 'GET') signed.push(String(req.headers.authorization ?? 'none'));
    forward(req, res, new URL(gw.url), agent);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const c = new S3ClusterClient({ kind: 's3', endpoint: `http://127.0.0.1:${(front.address() as AddressInfo).port}/s3` });
  try {
    const data = crypto.randomBytes(3 * MiB + 5);
    await c.createBucket(bucket);
    await c.putObject(bucket, 'open.bin', { open: () => Readable.from([data]), size: data.length });
    const calls: Calls = { toFile: [], getObject: 0 };
    const out = path.join(tmp, 'open.bin');
    await downloadFile(counting(c, calls), bucket, 'open.bin', out, { partSize: MiB });
    assert.ok(fs.readFileSync(out).equals(data));
    assert.deepEqual(calls, { toFile: [true, true, true, true], getObject: 0 });
    assert.deepEqual(signed, ['none', 'none', 'none', 'none'], 'no Authorization on the ranged GETs');
  } finally {
    c.dispose();
    agent.destroy();
    front.closeAllConnections();
    front.close();
    await gw.dispose();
    removeDir(tmp);
  }
});

test('over TLS: the CA file and verification off as the SDK path has them; an untrusted certificate is a tls error', async () => {
  const gw = await startTestGateway({ tls: testTls() });
  const tmp = makeTempDir('s3range');
  const data = crypto.randomBytes(300_000);
  const range = { start: 0, end: data.length - 1 };
  const dest = path.join(tmp, 'tls.bin');
  const clients: S3ClusterClient[] = [];
  const client = (tls: ClusterConnection['tls']) => {
    const c = new S3ClusterClient({ kind: 's3', endpoint: gw.s3Endpoint, tls });
    clients.push(c);
    return c;
  };
  try {
    await client({ caFile: testCaFile }).createBucket(bucket);
    await client({ caFile: testCaFile }).putObject(bucket, 'k', { open: () => Readable.from([data]), size: data.length });
    for (const tls of [{ caFile: testCaFile }, { verify: false }, { caFile: testCaFile, verifyHostname: false }]) {
      blank(dest, data.length);
      assert.equal(await client(tls).getRangeToFile(bucket, 'k', range, dest, () => undefined), true, JSON.stringify(tls));
      assert.ok(fs.readFileSync(dest).equals(data));
    }
    const untrusted = client(undefined);
    const e = await expectClientError(untrusted.getRangeToFile(bucket, 'k', range, dest, () => undefined), 'tls', /TLS handshake with https:\/\/127\.0\.0\.1:\d+\/s3 failed/);
    assert.equal(e.kind, (await failure(untrusted.getObject(bucket, 'k', range))).kind);
  } finally {
    for (const c of clients) c.dispose();
    await gw.dispose();
    removeDir(tmp);
  }
});

test('cancel stops the worker\'s request mid-body; a 5xx and a bucket in another region as the SDK has them', async () => {
  const tmp = makeTempDir('s3range');
  const dest = blank(path.join(tmp, 'cancel.bin'), MiB);
  const range = { start: 0, end: MiB - 1 };
  // Sends half the range, then holds the connection open; notes when the client closes it.
  let closed = false;
  const stalling = http.createServer((req, res) => {
    req.socket.once('close', () => (closed = true));
    res.writeHead(206, { 'Content-Length': String(MiB), 'Content-Range': `bytes 0-${MiB - 1}/${MiB}` });
    res.write(Buffer.alloc(MiB / 2, 7));
  });
  await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
  let c = new S3ClusterClient({ kind: 's3', endpoint: `http://127.0.0.1:${(stalling.address() as AddressInfo).port}`, accessKey: AK, secretKey: SK, timeoutMs: 20_000 });
  try {
    const ac = new AbortController();
    const started = Date.now();
    let heard = 0;
    const fetching = c.getRangeToFile(bucket, 'k', range, dest, (n) => {
      heard += n;
      ac.abort(new Error('cancelled by the test'));
    }, ac.signal);
    await assert.rejects(fetching, /cancelled by the test/);
    assert.ok(heard > 0 && heard < MiB, `heard ${heard}`);
    for (let i = 0; i < 100 && !closed; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(closed, 'the worker closed its connection');
    assert.ok(Date.now() - started < 5000, 'cancel does not wait for the idle timeout');
  } finally {
    c.dispose();
    stalling.closeAllConnections();
    stalling.close();
  }

  // S3's 503 SlowDown: the SDK retries it once on either path, then both give the same 'server' error.
  const xml = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';
  let asked = 0;
  const busy = http.createServer((req, res) => {
    req.resume();
    asked++;
    res.writeHead(503, { 'Content-Type': 'application/xml', 'Content-Length': String(Buffer.byteLength(xml)) }).end(xml);
  });
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  c = new S3ClusterClient({ kind: 's3', endpoint: `http://127.0.0.1:${(busy.address() as AddressInfo).port}`, accessKey: AK, secretKey: SK });
  try {
    const worker = await expectClientError(c.getRangeToFile(bucket, 'k', range, dest, () => undefined), 'server', /SlowDown: Please reduce your request rate/, 503);
    assert.equal(asked, 2, 'asked twice on the worker');
    assertSameError(worker, await failure(c.getObject(bucket, 'k', range)));
    assert.equal(asked, 4, 'as by the SDK');
  } finally {
    c.dispose();
    busy.closeAllConnections();
    busy.close();
  }

  // A bucket in eu-west-1 asked for in us-east-1: the 301 names the region, the range is signed again for it.
  const regions: string[] = [];
  const body = Buffer.alloc(100, 3);
  const regional = http.createServer((req, res) => {
    req.resume();
    const region = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
    regions.push(region);
    if (region !== 'eu-west-1') {
      const moved = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message></Error>';
      res.writeHead(301, { 'Content-Type': 'application/xml', 'x-amz-bucket-region': 'eu-west-1', 'Content-Length': String(Buffer.byteLength(moved)) }).end(moved);
      return;
    }
    res.writeHead(206, { 'Content-Length': '100', 'Content-Range': 'bytes 0-99/1000' }).end(body);
  });
  await new Promise<void>((resolve) => regional.listen(0, '127.0.0.1', resolve));
  c = new S3ClusterClient({ kind: 's3', endpoint: `http://127.0.0.1:${(regional.address() as AddressInfo).port}`, accessKey: AK, secretKey: SK });
  try {
    const small = blank(path.join(tmp, 'region.bin'), 100);
    assert.equal(await c.getRangeToFile(bucket, 'k', { start: 0, end: 99 }, small, () => undefined), true);
    assert.ok(fs.readFileSync(small).equals(body));
    assert.deepEqual(regions, ['us-east-1', 'eu-west-1']);
  } finally {
    c.dispose();
    regional.closeAllConnections();
    regional.close();
    removeDir(tmp);
  }
});
