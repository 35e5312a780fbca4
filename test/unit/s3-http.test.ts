// HTTP details real S3 clients rely on, on raw sockets against a gateway started here: Expect and
// 100-continue, errors sent while a body is still coming, x-amz-checksum-* headers and aws-chunked bodies.
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { initChecksums } from '../../src/gateway/checksum';
import { amzChecksumOf } from '../../src/gateway/s3/checksums';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { pseudoRandomBytes } from '../helpers/data';
import { readSdkBody, unsignedRequest } from '../helpers/s3';

const MiB = 1024 * 1024;
const bytes = (n: number, seed = 1) => pseudoRandomBytes(n, seed * 2654435761);

describe('HTTP details real clients rely on', () => {
  let gw: TestGateway;
  before(async () => {
    await initChecksums();
    gw = await startTestGateway({ defaultChecksum: 'md5' });
    await gw.s3.send(new CreateBucketCommand({ Bucket: 'h' }));
  });
  after(() => gw.dispose());

  /**
   * Writes the steps on one connection (numbers are pauses in ms); returns all the bytes answered once
   * `responses` complete responses are in (or the server closed, or 10 s passed).
   */
  function session(steps: (string | Buffer | number)[], responses = 1): Promise<string> {
    return new Promise((resolve, reject) => {
      const s = net.connect(gw.port, '127.0.0.1');
      let out = '';
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        s.destroy();
        resolve(out);
      };
      const timer = setTimeout(finish, 10_000);
      s.on('data', (d: Buffer) => {
        out += d.toString('latin1');
        if (complete(out) >= responses) finish();
      });
      s.on('error', (e) => (done ? undefined : reject(e)));
      s.on('close', finish);
      void (async () => {
        for (const st of steps) {
          if (typeof st === 'number') await new Promise((r) => setTimeout(r, st));
          else if (!s.destroyed) s.write(st);
        }
      })();
    });
  }
  /** How many final (non-1xx) responses with their whole Content-Length body are in `text`. */
  function complete(text: string): number {
    let n = 0;
    // A response may start right after the previous body (no newline in between).
    const re = /HTTP\/1\.1 (\d+)[^\r]*\r\n([^]*?)\r\n\r\n/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m[1].startsWith('1')) continue;
      const len = Number(/^content-length: (\d+)/im.exec(m[2])?.[1] ?? 0);
      if (text.length >= m.index + m[0].length + len) n++;
    }
    return n;
  }
  const statuses = (text: string) => [...text.matchAll(/HTTP\/1\.1 (\d+) /g)].map((m) => Number(m[1]));

  test('Expect values other than 100-continue are ignored (Node would answer 417)', async () => {
    const out = await session(['PUT /s3/h/odd-expect HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\nContent-Length: 3\r\n\r\nabc']);
    assert.deepEqual(statuses(out), [200]);
    assert.equal((await gw.store.headObject({ provider: 'ais', name: 'h' }, 'odd-expect')).size, 3);
  });

  test('100-continue: sent once the request is accepted; a refused one gets its error, no 100, and Connection: close', async () => {
    const ok = await session(['PUT /s3/h/cont HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n', 300, 'hello']);
    assert.deepEqual(statuses(ok), [100, 200]);
    const refused = await session(['PUT /s3/nobucket/k HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n']);
    assert.deepEqual(statuses(refused), [404]);
    assert.match(refused, /<Code>NoSuchBucket<\/Code>/);
    assert.match(refused, /^Connection: close/im);
  });

  test('an error sent while the client is still sending its body: the client reads the error, the connection stays usable', async () => {
    const big = Buffer.alloc(8 * MiB, 7);
    const head = `PUT /s3/nobucket/k HTTP/1.1\r\nHost: x\r\nContent-Length: ${big.length}\r\n\r\n`;
    const out = await session([head, big, 'GET /s3/h?list-type=2&prefix=cont HTTP/1.1\r\nHost: x\r\n\r\n'], 2);
    assert.deepEqual(statuses(out), [404, 200]);
    assert.match(out, /<Key>cont<\/Key>/);
    // The same through Node's client, which fails with EPIPE when a server closes on an unread body.
    for (let i = 0; i < 3; i++) {
      const r = await unsignedRequest(`${gw.s3Endpoint}/nobucket/k`, 'PUT', { 'Content-Length': String(big.length) }, big);
      assert.equal(r.status, 404);
      assert.match(r.body.toString(), /NoSuchBucket/);
    }
    // An error after the body was accepted (key too long) with aws-chunked framing does not hang either.
    const chunked = `5;chunk-signature=00\r\nhello\r\n0;chunk-signature=00\r\n\r\n`;
    const bad = await session([
      `PUT /s3/h/${'k'.repeat(1100)} HTTP/1.1\r\nHost: x\r\nContent-Encoding: aws-chunked\r\nx-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD\r\nx-amz-decoded-content-length: 5\r\nContent-Length: ${chunked.length}\r\n\r\n${chunked}`,
      'GET /s3 HTTP/1.1\r\nHost: x\r\n\r\n',
    ], 2);
    assert.deepEqual(statuses(bad), [400, 200]);
    assert.match(bad, /KeyTooLongError/);
  });

  test('x-amz-checksum-* (what the SDKs send): verified, echoed; a mismatch is BadDigest and stores nothing', async () => {
    const data = bytes(300_000, 21);
    for (const [alg, field] of [
      ['CRC32', 'ChecksumCRC32'],
      ['CRC32C', 'ChecksumCRC32C'],
      ['SHA1', 'ChecksumSHA1'],
      ['SHA256', 'ChecksumSHA256'],
      ['CRC64NVME', 'ChecksumCRC64NVME'],
    ] as const) {
      const put = await gw.s3.send(new PutObjectCommand({ Bucket: 'h', Key: `ck-${alg}`, Body: data, ChecksumAlgorithm: alg }));
      const want = amzChecksumOf(alg.toLowerCase() as never, data);
      assert.equal((put as unknown as Record<string, string>)[field], want, `${alg} echoed`);
      const got = await gw.s3.send(new GetObjectCommand({ Bucket: 'h', Key: `ck-${alg}` }));
      assert.ok((await readSdkBody(got)).equals(data));
    }
    // The known check values ("123456789").
    const nine = Buffer.from('123456789');
    assert.deepEqual(
      (['crc32', 'crc32c', 'crc64nvme'] as const).map((a) => Buffer.from(amzChecksumOf(a, nine), 'base64').toString('hex')),
      ['cbf43926', 'e3069283', 'ae8b14860a799888'],
    );
    for (const alg of ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const) {
      const wrong = amzChecksumOf(alg, Buffer.from('something else'));
      const r = await unsignedRequest(`${gw.s3Endpoint}/h/ck-bad`, 'PUT', { [`x-amz-checksum-${alg}`]: wrong }, data);
      assert.equal(r.status, 400, alg);
      assert.match(r.body.toString(), /<Code>BadDigest<\/Code>/);
      await assert.rejects(gw.store.headObject({ provider: 'ais', name: 'h' }, 'ck-bad'), alg);
    }
    // UploadPart too.
    const up = await gw.s3.send(new CreateMultipartUploadCommand({ Bucket: 'h', Key: 'ck-mp', ChecksumAlgorithm: 'CRC32' }));
    const part = await gw.s3.send(new UploadPartCommand({ Bucket: 'h', Key: 'ck-mp', UploadId: up.UploadId, PartNumber: 1, Body: data, ChecksumAlgorithm: 'CRC32' }));
    assert.equal(part.ChecksumCRC32, amzChecksumOf('crc32', data));
    const badPart = await unsignedRequest(`${gw.s3Endpoint}/h/ck-mp?partNumber=2&uploadId=${up.UploadId}`, 'PUT', { 'x-amz-checksum-crc32': 'AAAAAA==' }, data);
    assert.equal(badPart.status, 400);
    assert.match(badPart.body.toString(), /BadDigest/);
    const parts = await gw.s3.send(new ListPartsCommand({ Bucket: 'h', Key: 'ck-mp', UploadId: up.UploadId }));
    assert.deepEqual(parts.Parts?.map((p) => p.PartNumber), [1]);
    await gw.s3.send(new AbortMultipartUploadCommand({ Bucket: 'h', Key: 'ck-mp', UploadId: up.UploadId }));
  });

  test('aws-chunked bodies with a trailing checksum store the payload only', async () => {
    const payload = Buffer.from('0123456789'.repeat(1000));
    const body =
      `2000;chunk-signature=aa\r\n${payload.subarray(0, 0x2000).toString()}\r\n` +
      `${(payload.length - 0x2000).toString(16)};chunk-signature=bb\r\n${payload.subarray(0x2000).toString()}\r\n` +
      `0;chunk-signature=cc\r\nx-amz-checksum-crc32:${amzChecksumOf('crc32', payload)}\r\n\r\n`;
    const out = await session([
      `PUT /s3/h/chunked HTTP/1.1\r\nHost: x\r\nContent-Encoding: aws-chunked,gzip\r\nx-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\n` +
        `x-amz-trailer: x-amz-checksum-crc32\r\nx-amz-decoded-content-length: ${payload.length}\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    ]);
    assert.deepEqual(statuses(out), [200]);
    const { meta, stream } = await gw.store.getObject({ provider: 'ais', name: 'h' }, 'chunked');
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    assert.ok(Buffer.concat(chunks).equals(payload));
    assert.equal(meta.headers?.['content-encoding'], 'gzip', 'aws-chunked is framing, the rest of Content-Encoding is kept');
    // A trailing checksum that does not match the payload: BadDigest, nothing stored.
    const badBody = body.replace(/x-amz-checksum-crc32:[^\r]+/, 'x-amz-checksum-crc32:AAAAAA==');
    const bad = await session([
      `PUT /s3/h/chunked-bad HTTP/1.1\r\nHost: x\r\nContent-Encoding: aws-chunked\r\nx-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\n` +
        `x-amz-trailer: x-amz-checksum-crc32\r\nx-amz-decoded-content-length: ${payload.length}\r\nContent-Length: ${badBody.length}\r\n\r\n${badBody}`,
    ]);
    assert.deepEqual(statuses(bad), [400]);
    assert.match(bad, /<Code>BadDigest<\/Code>/);
    await assert.rejects(gw.store.headObject({ provider: 'ais', name: 'h' }, 'chunked-bad'));
    const shortBody = '5;chunk-signature=00\r\nhello\r\n0\r\n\r\n';
    const short = await session([
      `PUT /s3/h/chunked2 HTTP/1.1\r\nHost: x\r\nContent-Encoding: aws-chunked\r\nx-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\nx-amz-decoded-content-length: 99\r\nContent-Length: ${shortBody.length}\r\n\r\n${shortBody}`,
    ]);
    assert.deepEqual(statuses(short), [400], 'decoded length shorter than declared: IncompleteBody');
    assert.match(short, /IncompleteBody/);
  });

  test('a client gone in the middle of a small body (read into memory): no object, no temp file, the gateway serves on', async () => {
    const half = 'x'.repeat(2000);
    const s = net.connect(gw.port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    s.write(`PUT /s3/h/cut-small HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n${half}`);
    await new Promise((r) => setTimeout(r, 100));
    s.destroy();
    await new Promise((r) => setTimeout(r, 200));
    await assert.rejects(gw.store.headObject({ provider: 'ais', name: 'h' }, 'cut-small'));
    const ok = await session([`PUT /s3/h/whole-small HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n${half}${half}${'y'.repeat(96)}`]);
    assert.deepEqual(statuses(ok), [200]);
    assert.equal((await gw.store.headObject({ provider: 'ais', name: 'h' }, 'whole-small')).size, 4096);
    assert.deepEqual(fs.readdirSync(path.join(gw.dataDir, 'tmp')), [], 'no temp file left');
  });
});
