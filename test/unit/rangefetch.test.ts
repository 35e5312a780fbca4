// The download worker (rangefetch.ts) through AisClusterClient.getRangeToFile: the bytes land at their
// offset, answers and failures come back as the same ClientErrors the main-thread path gives, and a
// local file's own error stays raw for the transfer engine to word.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { startTestGateway } from '../helpers/gateway';
import { AisClusterClient } from '../../src/client/ais/client';
import { expectClientError } from '../helpers/client-error';
import { fixedAnswerServer, silentServer } from '../helpers/servers';
import { testCaFile, testTls } from '../helpers/tls';
import { makeTempDir, removeDir } from '../helpers/temp';

const cancelled = () => new Error('cancelled by the test');

test('download worker: ranges land at their offsets (across a redirect), 404 and local file errors as the main-thread path gives them', async () => {
  const gw = await startTestGateway({ redirect: true });
  const tmp = makeTempDir('range');
  const client = new AisClusterClient({ kind: 'ais', endpoint: gw.url });
  try {
    const bucket = { name: 'r', provider: 'ais' };
    await client.createBucket(bucket);
    const data = crypto.randomBytes(5 * 1024 * 1024 + 333);
    const src = path.join(tmp, 'src.bin');
    fs.writeFileSync(src, data);
    await client.putObject(bucket, 'dir/obj.bin', { path: src });

    const dest = path.join(tmp, 'dest.bin');
    fs.writeFileSync(dest, Buffer.alloc(data.length));
    // two ranges, the first larger than the worker's write batch, written out of order
    const ranges = [
      { start: 3 * 1024 * 1024 + 7, end: data.length - 1 },
      { start: 0, end: 3 * 1024 * 1024 + 6 },
    ];
    for (const range of ranges) {
      let heard = 0;
      assert.equal(await client.getRangeToFile(bucket, 'dir/obj.bin', range, dest, (n) => (heard += n)), true);
      assert.equal(heard, range.end - range.start + 1, 'progress adds up to the range');
    }
    assert.ok(fs.readFileSync(dest).equals(data), 'the file holds the object byte for byte');

    // a range in the middle leaves the rest of the file alone
    const partial = path.join(tmp, 'partial.bin');
    fs.writeFileSync(partial, Buffer.alloc(4096));
    await client.getRangeToFile(bucket, 'dir/obj.bin', { start: 1000, end: 1999 }, partial, () => undefined);
    const got = fs.readFileSync(partial);
    assert.equal(got.length, 4096);
    assert.ok(got.subarray(1000, 2000).equals(data.subarray(1000, 2000)));
    assert.ok(got.subarray(0, 1000).equals(Buffer.alloc(1000)) && got.subarray(2000).equals(Buffer.alloc(2096)));

    await expectClientError(client.getRangeToFile(bucket, 'nope', { start: 0, end: 9 }, dest, () => undefined), 'not-found', /ais:\/\/r\/nope/, 404);

    let raw: unknown;
    try {
      await client.getRangeToFile(bucket, 'dir/obj.bin', { start: 0, end: 9 }, path.join(tmp, 'missing', 'x.bin'), () => undefined);
    } catch (e) {
      raw = e;
    }
    assert.ok(raw instanceof Error, String(raw));
    assert.equal((raw as NodeJS.ErrnoException).code, 'ENOENT');
    assert.equal((raw as NodeJS.ErrnoException).syscall, 'open');

    // aborted before it starts: nothing is asked of the server
    const ac = new AbortController();
    ac.abort(cancelled());
    await assert.rejects(client.getRangeToFile(bucket, 'dir/obj.bin', { start: 0, end: 9 }, dest, () => undefined, ac.signal), /cancelled by the test/);
  } finally {
    client.dispose();
    await gw.dispose();
    removeDir(tmp);
  }
});

test('download worker: cancel mid-body, short body, idle server, redirect loop', async () => {
  const tmp = makeTempDir('range');
  const dest = path.join(tmp, 'dest.bin');
  fs.writeFileSync(dest, Buffer.alloc(1 << 20));
  const bucket = { name: 'b', provider: 'ais' };
  const range = { start: 0, end: (1 << 20) - 1 };

  // sends half the range, then holds the connection open
  const stalling = http.createServer((req, res) => {
    res.writeHead(206, { 'Content-Length': String(1 << 20) });
    res.write(Buffer.alloc(512 * 1024, 7));
  });
  await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
  const stallUrl = `http://127.0.0.1:${(stalling.address() as AddressInfo).port}`;
  let client = new AisClusterClient({ kind: 'ais', endpoint: stallUrl, timeoutMs: 20_000 });
  try {
    const ac = new AbortController();
    const started = Date.now();
    let heard = 0;
    const fetching = client.getRangeToFile(bucket, 'k', range, dest, (n) => {
      heard += n;
      ac.abort(cancelled());
    }, ac.signal);
    await assert.rejects(fetching, /cancelled by the test/);
    assert.ok(heard > 0 && heard < 1 << 20, `heard ${heard}`);
    assert.ok(Date.now() - started < 5000, 'cancel does not wait for the idle timeout');
    client.dispose();

    client = new AisClusterClient({ kind: 'ais', endpoint: stallUrl, timeoutMs: 300 });
    await expectClientError(client.getRangeToFile(bucket, 'k', range, dest, () => undefined), 'timeout', /did not answer within 0\.3 s/);
    client.dispose();
  } finally {
    stalling.closeAllConnections();
    stalling.close();
  }

  // a 206 whose body is shorter than the range asked for
  const short = await fixedAnswerServer(206, {}, 'only ten b');
  client = new AisClusterClient({ kind: 'ais', endpoint: short.url });
  await expectClientError(client.getRangeToFile(bucket, 'k', { start: 0, end: 99 }, dest, () => undefined), 'server', /wrong length for bytes 0-99: got 10 bytes, expected 100/);
  client.dispose();
  await short.close();

  const silent = await silentServer();
  client = new AisClusterClient({ kind: 'ais', endpoint: silent.url, timeoutMs: 300 });
  await expectClientError(client.getRangeToFile(bucket, 'k', range, dest, () => undefined), 'timeout', /accepted the connection but did not answer within 0\.3 s/);
  client.dispose();
  await silent.close();

  const loop = await fixedAnswerServer(307, { Location: '/v1/objects/b/k' }, '');
  client = new AisClusterClient({ kind: 'ais', endpoint: loop.url });
  await expectClientError(client.getRangeToFile(bucket, 'k', range, dest, () => undefined), 'protocol', /redirected more than 5 times/);
  client.dispose();
  await loop.close();
  removeDir(tmp);
});

test('download worker over TLS: the CA file, verification off, and an untrusted certificate as the main-thread path has them', async () => {
  const gw = await startTestGateway({ tls: testTls() });
  const tmp = makeTempDir('range');
  const bucket = { name: 'sec', provider: 'ais' };
  const data = crypto.randomBytes(300_000);
  const dest = path.join(tmp, 'dest.bin');
  const range = { start: 0, end: data.length - 1 };
  try {
    let client = new AisClusterClient({ kind: 'ais', endpoint: gw.url, tls: { caFile: testCaFile } });
    await client.createBucket(bucket);
    await client.putObject(bucket, 'k', { open: () => Readable.from([data]), size: data.length });
    fs.writeFileSync(dest, Buffer.alloc(data.length));
    assert.equal(await client.getRangeToFile(bucket, 'k', range, dest, () => undefined), true);
    assert.ok(fs.readFileSync(dest).equals(data));
    client.dispose();

    client = new AisClusterClient({ kind: 'ais', endpoint: gw.url, tls: { verify: false } });
    fs.writeFileSync(dest, Buffer.alloc(data.length));
    assert.equal(await client.getRangeToFile(bucket, 'k', range, dest, () => undefined), true);
    assert.ok(fs.readFileSync(dest).equals(data));
    client.dispose();

    client = new AisClusterClient({ kind: 'ais', endpoint: gw.url });
    await expectClientError(client.getRangeToFile(bucket, 'k', range, dest, () => undefined), 'tls', /TLS handshake with https:\/\/127\.0\.0\.1:\d+ failed/);
    client.dispose();
  } finally {
    await gw.dispose();
    removeDir(tmp);
  }
});
