// Hostile requests against both APIs, table-driven, as raw bytes on a socket (so malformed framing is
// possible): each gets the right 4xx, the gateway stays up, and nothing is stored.
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { startTestGateway, TestGateway } from '../helpers/gateway';

interface Case {
  name: string;
  /** The raw request; HOST is replaced. */
  request: string | Buffer;
  /** Close our side after writing (a truncated body). */
  half?: boolean;
  status: number | number[];
  /** S3 error code or native message that must appear in the body. */
  body?: RegExp;
}

const crlf = (lines: string[], body = '') => lines.join('\r\n') + '\r\n\r\n' + body;

function send(port: number, data: string | Buffer, half = false): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no answer in 10 s; got: ${got.slice(0, 200)}`));
    }, 10_000);
    sock.on('data', (c) => {
      got += c.toString('latin1');
      const head = got.indexOf('\r\n\r\n');
      if (head < 0) return;
      const len = /content-length: *(\d+)/i.exec(got.slice(0, head));
      if (len && got.length - head - 4 < Number(len[1])) return;
      clearTimeout(timer);
      sock.destroy();
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(got)?.[1] ?? 0), text: got });
    });
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(got)?.[1] ?? 0), text: got });
    });
    sock.write(data, () => {
      if (half) sock.end();
    });
  });
}

describe('bad input: hostile requests to the S3 and native APIs', () => {
  let gw: TestGateway;

  before(async () => {
    gw = await startTestGateway({ defaultChecksum: 'xxhash' });
    const r = await send(gw.port, crlf(['PUT /s3/victim HTTP/1.1', 'Host: h', 'Content-Length: 0']));
    assert.equal(r.status, 200);
    const p = await send(gw.port, crlf(['PUT /s3/victim/keep HTTP/1.1', 'Host: h', 'Content-Length: 4'], 'keep'));
    assert.equal(p.status, 200);
  });
  after(() => gw.dispose());

  const H = 'Host: h';
  const bigXml = `<CompleteMultipartUpload>${'<Part><PartNumber>1</PartNumber><ETag>x</ETag></Part>'.repeat(200_000)}</CompleteMultipartUpload>`;
  const cases: Case[] = [
    // names
    { name: 'bucket name with traversal', request: crlf(['PUT /s3/..%2F..%2Fescape HTTP/1.1', H, 'Content-Length: 0']), status: 400, body: /InvalidBucketName/ },
    { name: 'bucket name with bad characters', request: crlf(['PUT /s3/bad*name HTTP/1.1', H, 'Content-Length: 0']), status: 400, body: /InvalidBucketName/ },
    { name: 'bucket name "."', request: crlf(['PUT /s3/. HTTP/1.1', H, 'Content-Length: 0']), status: [400, 404], body: /InvalidBucketName|NoSuchBucket|Invalid/ },
    { name: 'native bucket name with traversal', request: crlf(['POST /v1/buckets/..%2Fx HTTP/1.1', H, 'Content-Type: application/json', 'Content-Length: 27'], '{"action":"create-bck"}    '), status: 400 },
    { name: 'key longer than 1024 bytes', request: crlf([`PUT /s3/victim/${'k'.repeat(1100)} HTTP/1.1`, H, 'Content-Length: 1'], 'x'), status: 400, body: /KeyTooLong/ },
    { name: 'key with a NUL', request: crlf(['PUT /s3/victim/a%00b HTTP/1.1', H, 'Content-Length: 1'], 'x'), status: 400 },
    { name: 'key that is not UTF-8 (S3)', request: crlf(['PUT /s3/victim/bad%FFname HTTP/1.1', H, 'Content-Length: 1'], 'x'), status: 400, body: /InvalidURI|InvalidArgument/ },
    { name: 'key that is not UTF-8 (native)', request: crlf(['PUT /v1/objects/victim/bad%FFname?provider=ais HTTP/1.1', H, 'Content-Length: 1'], 'x'), status: 400 },
    { name: 'raw non-UTF-8 bytes in the path', request: Buffer.concat([Buffer.from('PUT /s3/victim/raw'), Buffer.from([0xff, 0xfe]), Buffer.from(' HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nx')]), status: 400 },
    // headers
    { name: 'oversized headers', request: crlf(['GET /s3/victim HTTP/1.1', H, `X-Junk: ${'j'.repeat(64 * 1024)}`]), status: 431 },
    { name: 'Content-Length that is not a number', request: crlf(['PUT /s3/victim/k HTTP/1.1', H, 'Content-Length: abc'], 'x'), status: 400 },
    // bodies
    { name: 'truncated body (Content-Length larger than what is sent)', request: crlf(['PUT /s3/victim/truncated HTTP/1.1', H, 'Content-Length: 1000'], 'only a few bytes'), half: true, status: [0, 400] },
    { name: 'truncated native body', request: crlf(['PUT /v1/objects/victim/truncated-native?provider=ais HTTP/1.1', H, 'Content-Length: 1000'], 'short'), half: true, status: [0, 400] },
    { name: 'Content-MD5 mismatch', request: crlf(['PUT /s3/victim/md5 HTTP/1.1', H, 'Content-Length: 5', 'Content-MD5: AAAAAAAAAAAAAAAAAAAAAA=='], 'hello'), status: 400, body: /BadDigest/ },
    { name: 'Content-MD5 not base64 of 16 bytes', request: crlf(['PUT /s3/victim/md5b HTTP/1.1', H, 'Content-Length: 5', 'Content-MD5: nope'], 'hello'), status: 400, body: /InvalidDigest/ },
    { name: 'Ais-Checksum mismatch (native)', request: crlf(['PUT /v1/objects/victim/ck?provider=ais HTTP/1.1', H, 'Content-Length: 5', 'Ais-Checksum-Type: xxhash', 'Ais-Checksum-Value: 0000000000000000'], 'hello'), status: 400, body: /BAD DATA CHECKSUM|checksum/i },
    { name: 'x-amz-checksum mismatch', request: crlf(['PUT /s3/victim/amz HTTP/1.1', H, 'Content-Length: 5', 'x-amz-checksum-crc32: AAAAAA=='], 'hello'), status: 400, body: /BadDigest|InvalidRequest/ },
    // XML
    { name: 'malformed XML on CompleteMultipartUpload', request: crlf(['POST /s3/victim/mp?uploadId=00000000000000000000000000000000 HTTP/1.1', H, 'Content-Length: 12'], '<Complete><P'), status: [400, 404], body: /MalformedXML|NoSuchUpload/ },
    { name: 'malformed XML on DeleteObjects', request: crlf(['POST /s3/victim?delete HTTP/1.1', H, 'Content-Length: 14'], '<Delete><Objec'), status: 400, body: /MalformedXML/ },
    { name: 'huge XML body', request: crlf(['POST /s3/victim?delete HTTP/1.1', H, `Content-Length: ${bigXml.length}`], bigXml), status: 400, body: /MaxMessageLengthExceeded|MalformedXML/ },
    // JSON (native)
    { name: 'malformed JSON action', request: crlf(['POST /v1/buckets/victim HTTP/1.1', H, 'Content-Type: application/json', 'Content-Length: 9'], '{"action"'), status: 400 },
    { name: 'unknown bucket property', request: crlf(['PATCH /v1/buckets/victim?provider=ais HTTP/1.1', H, 'Content-Type: application/json', 'Content-Length: 46'], '{"action":"set-bprops","value":{"bogus":true}}'), status: 400 },
    { name: 'unknown checksum type', request: crlf(['PATCH /v1/buckets/victim?provider=ais HTTP/1.1', H, 'Content-Type: application/json', 'Content-Length: 59'], '{"action":"set-bprops","value":{"checksum":{"type":"rot13"}}}'.slice(0, 59)), status: 400 },
  ];

  for (const c of cases) {
    test(c.name, async () => {
      const r = await send(gw.port, c.request, c.half);
      const want = Array.isArray(c.status) ? c.status : [c.status];
      assert.ok(want.includes(r.status), `${c.name}: status ${r.status}, want ${want.join('/')}\n${r.text.slice(0, 600)}`);
      if (c.body && r.status !== 0) assert.match(r.text, c.body, r.text.slice(0, 600));
      // Still up.
      const h = await send(gw.port, crlf(['GET /v1/health HTTP/1.1', H, 'Connection: close']));
      assert.equal(h.status, 200, 'the gateway stopped answering');
    });
  }

  test('nothing was stored: the bucket holds only what was put before, no other bucket, no temp files', async () => {
    // Let any request still draining finish.
    await new Promise((r) => setTimeout(r, 300));
    const list = await send(gw.port, crlf(['GET /s3/victim?list-type=2 HTTP/1.1', H, 'Connection: close']));
    assert.deepEqual([...list.text.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]), ['keep']);
    const buckets = await send(gw.port, crlf(['GET /s3 HTTP/1.1', H, 'Connection: close']));
    assert.deepEqual([...buckets.text.matchAll(/<Name>([^<]*)<\/Name>/g)].map((m) => m[1]), ['victim']);
    assert.deepEqual(fs.readdirSync(path.join(gw.dataDir, 'tmp')), []);
    assert.deepEqual(fs.readdirSync(path.dirname(gw.dataDir)).filter((f) => f === 'escape'), []);
  });
});
