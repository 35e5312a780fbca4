// Payload signing under auth: a gateway with credentials checks the body against what the signature
// covers. A hex x-amz-content-sha256 must be the body's SHA-256 (XAmzContentSHA256Mismatch otherwise);
// SigV4 streaming uploads (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]) must carry chunk signatures that
// chain from the request's signature, and a signed trailer must match. Refused bodies store nothing: the old
// object stays, no temp or part file is left. Real clients (the AWS SDK in the ways it signs payloads, the
// aws CLI) pass; tampered raw requests do not. The chunk signer is checked against AWS's published example.
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { Sha256 } from '../helpers/sha256';
import { request, Reply } from '../helpers/http';
import type { ChunkSigning } from '../../src/gateway/auth';
import { AwsChunkedDecoder } from '../../src/gateway/s3/chunked';
import { amzChecksumOf } from '../../src/gateway/s3/checksums';
import { md5File, writeRandomFile } from '../helpers/files';
import { skipUnlessInstalled } from '../helpers/tools';
import { makeTempDir, removeDir } from '../helpers/temp';

const AK = 'AKIDPAYLOADTEST';
const SK = 'payload/secret+key=7';
const EMPTY = createHash('sha256').digest('hex');
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** SigV4 signing key derived by hand from the spec (kDate → kRegion → kService → kSigning). */
function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  let k: Buffer = createHmac('sha256', `AWS4${secret}`).update(date).digest();
  for (const part of [region, service, 'aws4_request']) k = createHmac('sha256', k).update(part).digest();
  return k;
}

async function decode(body: Buffer, signing?: ChunkSigning): Promise<{ data: Buffer; trailers: Record<string, string> }> {
  const decoder = new AwsChunkedDecoder(signing);
  const out: Buffer[] = [];
  // Fed in odd-sized pieces, so chunk headers and data straddle writes as they do on a socket.
  const pieces: Buffer[] = [];
  for (let i = 0; i < body.length; i += 7001) pieces.push(body.subarray(i, i + 7001));
  await pipeline(Readable.from(pieces), decoder, async (src: AsyncIterable<Buffer>) => {
    for await (const c of src) out.push(c);
  });
  return { data: Buffer.concat(out), trailers: decoder.trailers };
}

describe('aws-chunked chunk signatures: the worked examples of the SigV4 streaming documentation', () => {
  // AWS's examples: 65,536 + 1,024 bytes of 'a', 20130524T000000Z, us-east-1/s3, the documentation's keys.
  const docSigning = (seed: string): ChunkSigning => ({
    key: signingKey('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', '20130524', 'us-east-1', 's3'),
    amzDate: '20130524T000000Z',
    scope: '20130524/us-east-1/s3/aws4_request',
    seed,
  });
  const docBody = (sigs: string[], trailer = '') =>
    Buffer.concat([
      Buffer.from(`10000;chunk-signature=${sigs[0]}\r\n`),
      Buffer.alloc(65536, 'a'),
      Buffer.from(`\r\n400;chunk-signature=${sigs[1]}\r\n`),
      Buffer.alloc(1024, 'a'),
      Buffer.from(`\r\n0;chunk-signature=${sigs[2]}\r\n${trailer}\r\n`),
    ]);
  const plain = {
    seed: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
    sigs: [
      'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
      '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
      'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
    ],
  };
  const trailing = {
    seed: '106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e',
    sigs: [
      'b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2',
      '1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7',
      '2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992',
    ],
    trailer: 'x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n',
  };

  test('the documented chunk signatures verify and decode to the payload', async () => {
    const body = docBody(plain.sigs);
    assert.equal(body.length, 66824, 'the documented Content-Length');
    const { data } = await decode(body, docSigning(plain.seed));
    assert.ok(data.equals(Buffer.alloc(66560, 'a')));
  });

  test('the documented trailer signature verifies; the trailer reaches the checksum check', async () => {
    const { data, trailers } = await decode(docBody(trailing.sigs, trailing.trailer), docSigning(trailing.seed));
    assert.equal(data.length, 66560);
    assert.equal(trailers['x-amz-checksum-crc32c'], 'sOO8/Q==');
    assert.equal(amzChecksumOf('crc32c', data), 'sOO8/Q==');
  });

  test('a changed byte, signature, seed, trailer or a missing final chunk is refused', async () => {
    const refused = async (body: Buffer, seed: string, code: string) =>
      assert.rejects(decode(body, docSigning(seed)), (e: { code?: string }) => e.code === code);
    const flipped = docBody(plain.sigs);
    flipped[66_000] ^= 1; // inside the second chunk's data (65,712-66,735)
    await refused(flipped, plain.seed, 'SignatureDoesNotMatch');
    await refused(docBody([plain.sigs[0], plain.sigs[0], plain.sigs[2]]), plain.seed, 'SignatureDoesNotMatch');
    await refused(docBody(plain.sigs), trailing.seed, 'SignatureDoesNotMatch');
    await refused(docBody(trailing.sigs, trailing.trailer.replace('sOO8/Q==', 'AAAAAA==')), trailing.seed, 'SignatureDoesNotMatch');
    await refused(docBody(plain.sigs).subarray(0, 66560 + 90 + 2), plain.seed, 'IncompleteBody');
    // Trailers in a signed stream must be signed: the same checksum trailer without its signature is refused.
    await refused(docBody(trailing.sigs, trailing.trailer.replace(/x-amz-trailer-signature:[0-9a-f]+\r\n/, '')), trailing.seed, 'SignatureDoesNotMatch');
    const unsigned = Buffer.from('3\r\nabc\r\n0\r\n\r\n');
    await refused(unsigned, plain.seed, 'SignatureDoesNotMatch');
    // Without signing (no credentials, or an unsigned streaming payload) signatures are not looked at.
    assert.equal((await decode(unsigned)).data.toString(), 'abc');
    assert.equal((await decode(flipped)).data.length, 66560);
  });
});

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: 120_000 }, (err, stdout, stderr) => {
      const code: unknown = err ? (err as { code?: unknown }).code : 0;
      resolve({ code: typeof code === 'number' ? code : 1, out: `${stdout}${stderr}` });
    });
  });
}

/** Every file under a directory (relative paths): what a refused request must leave unchanged. */
function filesUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

describe('payload signing on a gateway with credentials', () => {
  let gw: TestGateway;
  let s3: string;
  let tmp: string;
  const signer = new SignatureV4({ credentials: { accessKeyId: AK, secretAccessKey: SK }, region: 'us-east-1', service: 's3', sha256: Sha256 });

  /** An SDK client that records the x-amz-content-sha256 of each request it sends. */
  function sdk(config: Partial<ConstructorParameters<typeof S3Client>[0]> = {}): { client: S3Client; sent: string[] } {
    const client = new S3Client({ endpoint: s3, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: AK, secretAccessKey: SK }, maxAttempts: 1, ...config });
    const sent: string[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        sent.push(String((args.request as HttpRequest).headers['x-amz-content-sha256']));
        return next(args);
      },
      { step: 'deserialize' },
    );
    return { client, sent };
  }

  /** Headers signed by the SDK's signer for a request declaring `payloadHash`; the body is sent raw. */
  async function signedHeaders(method: string, url: string, payloadHash: string | undefined, headers: Record<string, string> = {}, date = new Date()) {
    const u = new URL(url);
    const query: Record<string, string> = {};
    u.searchParams.forEach((v, k) => (query[k] = v));
    const h: Record<string, string> = { host: u.host, ...headers };
    if (payloadHash !== undefined) h['x-amz-content-sha256'] = payloadHash;
    const req = new HttpRequest({ method, protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: u.pathname, query, headers: h });
    const signed = await signer.sign(req, { signingDate: date });
    return signed.headers as Record<string, string>;
  }

  async function getBody(key: string, bucket = 'pay'): Promise<Buffer> {
    const got = await sdk().client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await got.Body!.transformToByteArray());
  }

  /** A SigV4 streaming body: chunk signatures chained from the seed with the SDK's signer (signString). */
  async function streamingBody(seed: string, date: Date, pieces: Buffer[], trailer?: [string, string]): Promise<{ body: Buffer; sigs: string[] }> {
    const amzDate = date.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
    const scope = `${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`;
    const parts: Buffer[] = [];
    const sigs: string[] = [];
    let prev = seed;
    for (const piece of [...pieces, Buffer.alloc(0)]) {
      prev = await signer.sign(`AWS4-HMAC-SHA256-PAYLOAD\n${amzDate}\n${scope}\n${prev}\n${EMPTY}\n${sha256(piece)}`, { signingDate: date });
      sigs.push(prev);
      parts.push(Buffer.from(`${piece.length.toString(16)};chunk-signature=${prev}\r\n`), piece, Buffer.from(piece.length ? '\r\n' : ''));
    }
    if (trailer) {
      const line = `${trailer[0]}:${trailer[1]}\n`;
      const sig = await signer.sign(`AWS4-HMAC-SHA256-TRAILER\n${amzDate}\n${scope}\n${prev}\n${sha256(line)}`, { signingDate: date });
      parts.push(Buffer.from(`${trailer[0]}:${trailer[1]}\r\nx-amz-trailer-signature:${sig}\r\n`));
    }
    parts.push(Buffer.from('\r\n'));
    return { body: Buffer.concat(parts), sigs };
  }

  /** A signed streaming PUT of `pieces`, with `tamper` applied to the encoded body after signing. */
  async function streamingPut(key: string, pieces: Buffer[], opts: { trailer?: boolean; tamper?: (body: Buffer, sigs: string[]) => Buffer } = {}): Promise<Reply> {
    const url = `${s3}/pay/${key}`;
    const data = Buffer.concat(pieces);
    const date = new Date();
    const extra: Record<string, string> = { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(data.length) };
    if (opts.trailer) extra['x-amz-trailer'] = 'x-amz-checksum-crc32';
    const mode = opts.trailer ? 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER' : 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
    const headers = await signedHeaders('PUT', url, mode, extra, date);
    const seed = /Signature=([0-9a-f]{64})/.exec(headers.authorization)![1];
    const { body, sigs } = await streamingBody(seed, date, pieces, opts.trailer ? ['x-amz-checksum-crc32', amzChecksumOf('crc32', data)] : undefined);
    const sent = opts.tamper ? opts.tamper(Buffer.from(body), sigs) : body;
    return request('PUT', url, { headers, body: sent });
  }

  before(async () => {
    gw = await startTestGateway({ defaultChecksum: 'md5', credentials: { accessKey: AK, secretKey: SK } });
    s3 = `${gw.url}/s3`;
    tmp = makeTempDir('payload');
    await sdk().client.send(new CreateBucketCommand({ Bucket: 'pay' }));
  });
  after(async () => {
    await gw.dispose();
    removeDir(tmp);
  });

  test('the AWS SDK as it signs payloads: hex SHA-256 (buffers, DeleteObjects), unsigned streaming trailer, UNSIGNED-PAYLOAD', async () => {
    const data = Buffer.alloc(300_000, 'payload-');
    const { client, sent } = sdk();
    await client.send(new PutObjectCommand({ Bucket: 'pay', Key: 'sdk/buffer', Body: data }));
    assert.equal(sent.pop(), sha256(data), 'a buffer body is sent with its SHA-256 (signed payload)');
    await client.send(new PutObjectCommand({ Bucket: 'pay', Key: 'sdk/stream', Body: Readable.from([data]), ContentLength: data.length }));
    assert.equal(sent.pop(), 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'a stream goes aws-chunked with a trailing checksum');
    await client.send(new DeleteObjectsCommand({ Bucket: 'pay', Delete: { Objects: [{ Key: 'sdk/none' }] } }));
    assert.match(sent.pop()!, /^[0-9a-f]{64}$/);
    const whenRequired = sdk({ requestChecksumCalculation: 'WHEN_REQUIRED' });
    await whenRequired.client.send(new PutObjectCommand({ Bucket: 'pay', Key: 'sdk/unsigned', Body: Readable.from([data]), ContentLength: data.length }));
    assert.equal(whenRequired.sent.pop(), 'UNSIGNED-PAYLOAD');
    for (const key of ['sdk/buffer', 'sdk/stream', 'sdk/unsigned']) assert.equal(md5(await getBody(key)), md5(data), key);

    // Multipart: parts and the completion XML are signed payloads.
    const up = await client.send(new CreateMultipartUploadCommand({ Bucket: 'pay', Key: 'sdk/multi' }));
    const p1 = Buffer.alloc(5 * 1024 * 1024, 1);
    const p2 = Buffer.from('tail');
    const e1 = await client.send(new UploadPartCommand({ Bucket: 'pay', Key: 'sdk/multi', UploadId: up.UploadId, PartNumber: 1, Body: p1 }));
    assert.equal(sent.pop(), sha256(p1));
    const e2 = await client.send(new UploadPartCommand({ Bucket: 'pay', Key: 'sdk/multi', UploadId: up.UploadId, PartNumber: 2, Body: p2 }));
    await client.send(new CompleteMultipartUploadCommand({ Bucket: 'pay', Key: 'sdk/multi', UploadId: up.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1.ETag }, { PartNumber: 2, ETag: e2.ETag }] } }));
    assert.equal(md5(await getBody('sdk/multi')), md5(Buffer.concat([p1, p2])));
  });

  test('a body that is not the one signed (x-amz-content-sha256) is XAmzContentSHA256Mismatch; the old object stays, nothing is left behind', async () => {
    const old = Buffer.from('the old version');
    await sdk().client.send(new PutObjectCommand({ Bucket: 'pay', Key: 'hex/obj', Body: old }));
    const files = filesUnder(gw.dataDir);
    const url = `${s3}/pay/hex/obj`;
    const good = Buffer.from('the new version');
    const evil = Buffer.from('the bad version');
    // Signed for one body, sent with another of the same length; and a larger one (the store streams it first).
    let r = await request('PUT', url, { headers: await signedHeaders('PUT', url, sha256(good)), body: evil });
    assert.equal(r.status, 400);
    assert.match(r.body.toString(), /<Code>XAmzContentSHA256Mismatch<\/Code>/);
    assert.match(r.body.toString(), new RegExp(`<ClientComputedContentSHA256>${sha256(good)}<`));
    const big = Buffer.alloc(3 * 1024 * 1024, 'x');
    const bigSigned = Buffer.from(big);
    bigSigned[big.length - 1] = 0x79; // the last byte differs: only the end of the body can tell
    r = await request('PUT', url, { headers: await signedHeaders('PUT', url, sha256(bigSigned)), body: big });
    assert.equal(r.status, 400);
    assert.match(r.body.toString(), /XAmzContentSHA256Mismatch/);
    // A SigV4 header request that declares no payload hash was signed with the empty body's.
    r = await request('PUT', url, { headers: await signedHeaders('PUT', url, undefined), body: evil });
    assert.equal(r.status, 400);
    assert.match(r.body.toString(), /XAmzContentSHA256Mismatch/);
    // Something that is neither a hash nor a known keyword.
    r = await request('PUT', url, { headers: await signedHeaders('PUT', url, 'not-a-hash'), body: evil });
    assert.equal(r.status, 400);
    assert.match(r.body.toString(), /InvalidArgument/);
    assert.equal((await getBody('hex/obj')).toString(), 'the old version');
    assert.deepEqual(filesUnder(gw.dataDir), files, 'no temp file, no new object file');
    // The same request with the body it was signed for passes.
    r = await request('PUT', url, { headers: await signedHeaders('PUT', url, sha256(good)), body: good });
    assert.equal(r.status, 200, r.body.toString());
    assert.equal((await getBody('hex/obj')).toString(), 'the new version');
  });

  test('UploadPart, CompleteMultipartUpload and DeleteObjects with tampered bodies change nothing', async () => {
    const { client } = sdk();
    await client.send(new PutObjectCommand({ Bucket: 'pay', Key: 'keep/me', Body: 'still here' }));
    const up = await client.send(new CreateMultipartUploadCommand({ Bucket: 'pay', Key: 'mp/obj' }));
    const part = Buffer.alloc(5 * 1024 * 1024, 'p');
    const e1 = await client.send(new UploadPartCommand({ Bucket: 'pay', Key: 'mp/obj', UploadId: up.UploadId, PartNumber: 1, Body: part }));
    const files = filesUnder(gw.dataDir);

    const partUrl = `${s3}/pay/mp/obj?partNumber=1&uploadId=${encodeURIComponent(up.UploadId!)}`;
    const signedPart = Buffer.alloc(part.length, 'q');
    let r = await request('PUT', partUrl, { headers: await signedHeaders('PUT', partUrl, sha256(signedPart)), body: Buffer.alloc(part.length, 'r') });
    assert.equal(r.status, 400);
    assert.match(r.body.toString(), /XAmzContentSHA256Mismatch/);
    const parts = await client.send(new ListPartsCommand({ Bucket: 'pay', Key: 'mp/obj', UploadId: up.UploadId }));
    assert.deepEqual(parts.Parts?.map((p) => [p.PartNumber, p.ETag, p.Size]), [[1, e1.ETag, part.length]], 'part 1 is the one first uploaded');

    const completeUrl = `${s3}/pay/mp/obj?uploadId=${encodeURIComponent(up.UploadId!)}`;
    const xml = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${e1.ETag}</ETag></Part></CompleteMultipartUpload>`;
    r = await request('POST', completeUrl, { headers: await signedHeaders('POST', completeUrl, sha256(xml.replace('1<', '2<'))), body: xml });
    assert.equal(r.status, 400);
    assert.match(r.body.toString(), /XAmzContentSHA256Mismatch/);

    const deleteUrl = `${s3}/pay?delete=`;
    const del = '<Delete><Object><Key>keep/me</Key></Object></Delete>';
    r = await request('POST', deleteUrl, { headers: await signedHeaders('POST', deleteUrl, sha256(del.replace('keep/me', 'keep/it'))), body: del });
    assert.equal(r.status, 400);
    assert.match(r.body.toString(), /XAmzContentSHA256Mismatch/);

    assert.equal((await getBody('keep/me')).toString(), 'still here');
    assert.deepEqual(filesUnder(gw.dataDir), files, 'no temp file, no part replaced, nothing completed or deleted');
    // Signed for what is sent, the same requests work.
    r = await request('POST', completeUrl, { headers: await signedHeaders('POST', completeUrl, sha256(xml)), body: xml });
    assert.equal(r.status, 200, r.body.toString());
    assert.equal(md5(await getBody('mp/obj')), md5(part));
    r = await request('POST', deleteUrl, { headers: await signedHeaders('POST', deleteUrl, sha256(del)), body: del });
    assert.equal(r.status, 200);
    await assert.rejects(getBody('keep/me'), { name: 'NoSuchKey' });
  });

  test('SigV4 streaming (STREAMING-AWS4-HMAC-SHA256-PAYLOAD, -TRAILER): signed chunks are stored, tampered ones refused with the old object intact', async () => {
    const pieces = [Buffer.alloc(64 * 1024, 'A'), Buffer.alloc(64 * 1024, 'B'), Buffer.from('end')];
    const data = Buffer.concat(pieces);
    let r = await streamingPut('stream/obj', pieces);
    assert.equal(r.status, 200, r.body.toString());
    assert.equal(md5(await getBody('stream/obj')), md5(data));
    r = await streamingPut('stream/trailer', pieces, { trailer: true });
    assert.equal(r.status, 200, r.body.toString());
    assert.equal(r.headers['x-amz-checksum-crc32'], amzChecksumOf('crc32', data));
    assert.equal(md5(await getBody('stream/trailer')), md5(data));

    const files = filesUnder(gw.dataDir);
    const headerLength = (sig: string) => `10000;chunk-signature=${sig}\r\n`.length;
    const tampered: [string, (body: Buffer, sigs: string[]) => Buffer, boolean?][] = [
      ['a data byte of chunk 2', (b, sigs) => ((b[headerLength(sigs[0]) + 65536 + 2 + headerLength(sigs[1]) + 100] ^= 1), b)],
      ['the signature of chunk 1', (b, sigs) => Buffer.from(b.toString('latin1').replace(sigs[0], sigs[0].replace(/^./, (c) => (c === '0' ? '1' : '0'))), 'latin1')],
      ['chunks 1 and 2 swapped (same size, each with its own signature)', (b, sigs) => {
        const h = headerLength(sigs[0]);
        const one = b.subarray(0, h + 65536 + 2);
        const two = b.subarray(h + 65536 + 2, 2 * (h + 65536 + 2));
        return Buffer.concat([two, one, b.subarray(2 * (h + 65536 + 2))]);
      }],
      ['the final chunk signature', (b, sigs) => Buffer.from(b.toString('latin1').replace(sigs[3], sigs[2]), 'latin1')],
      ['a chunk without a signature', (b, sigs) => Buffer.from(b.toString('latin1').replace(`;chunk-signature=${sigs[2]}`, ''), 'latin1')],
      ['the trailing checksum (signed trailer)', (b) => Buffer.from(b.toString('latin1').replace(/x-amz-checksum-crc32:[^\r]+/, 'x-amz-checksum-crc32:AAAAAA=='), 'latin1'), true],
    ];
    for (const [what, tamper, trailer] of tampered) {
      r = await streamingPut('stream/obj', pieces, { tamper, trailer });
      assert.equal(r.status, 403, `${what}: ${r.status} ${r.body}`);
      assert.match(r.body.toString(), /<Code>SignatureDoesNotMatch<\/Code>/, what);
    }
    assert.equal(md5(await getBody('stream/obj')), md5(data), 'the old object is intact');
    assert.deepEqual(filesUnder(gw.dataDir), files, 'no temp file left');
  });

  test('bodies the gateway only drains (CopyObject, CreateMultipartUpload) may fail their checks without taking it down', async () => {
    await sdk().client.send(new PutObjectCommand({ Bucket: 'pay', Key: 'drain/src', Body: 'source' }));
    const copyUrl = `${s3}/pay/drain/copy`;
    const date = new Date();
    const headers = await signedHeaders('PUT', copyUrl, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', { 'x-amz-copy-source': '/pay/drain/src', 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '3' }, date);
    let r = await request('PUT', copyUrl, { headers, body: `3;chunk-signature=${'0'.repeat(64)}\r\nabc\r\n0;chunk-signature=${'0'.repeat(64)}\r\n\r\n` });
    assert.ok(r.status < 500, `${r.status} ${r.body}`);
    const uploadsUrl = `${s3}/pay/drain/mp?uploads=`;
    r = await request('POST', uploadsUrl, { headers: await signedHeaders('POST', uploadsUrl, sha256('signed')), body: 'sent' });
    assert.ok(r.status < 500, `${r.status} ${r.body}`);
    // Still serving.
    assert.equal((await getBody('drain/src')).toString(), 'source');
  });

  test('native API (/v1) signed with SigV4: object PUTs and JSON bodies are checked the same way', async () => {
    const url = `${gw.url}/v1/objects/pay/native/obj?provider=ais`;
    const first = Buffer.from('native first');
    let r = await request('PUT', url, { headers: await signedHeaders('PUT', url, sha256(first)), body: first });
    assert.equal(r.status, 200, r.body.toString());
    r = await request('PUT', url, { headers: await signedHeaders('PUT', url, sha256('native second')), body: 'native swapped' });
    assert.equal(r.status, 400);
    assert.match(r.body.toString(), /x-amz-content-sha256/);
    assert.equal((await getBody('native/obj')).toString(), 'native first');
    const list = `${gw.url}/v1/buckets/pay?provider=ais`;
    const msg = JSON.stringify({ action: 'list', value: { prefix: 'native/' } });
    r = await request('GET', list, { headers: { ...(await signedHeaders('GET', list, sha256(msg.replace('native/', 'other/')))), 'content-type': 'application/json' }, body: msg });
    assert.equal(r.status, 400);
    r = await request('GET', list, { headers: { ...(await signedHeaders('GET', list, sha256(msg))), 'content-type': 'application/json' }, body: msg });
    assert.equal(r.status, 200, r.body.toString());
    assert.match(r.body.toString(), /native\/obj/);
  });

  test('signed streaming needs a header signature to chain from: a presigned URL cannot claim it', async () => {
    const url = await getSignedUrl(sdk().client, new PutObjectCommand({ Bucket: 'pay', Key: 'pre/x' }), { expiresIn: 60 });
    const r = await request('PUT', url, {
      headers: { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '3' },
      body: '3;chunk-signature=0000000000000000000000000000000000000000000000000000000000000000\r\nabc\r\n0;chunk-signature=0000000000000000000000000000000000000000000000000000000000000000\r\n\r\n',
    });
    assert.equal(r.status, 400);
    assert.match(r.body.toString(), /InvalidRequest/);
    await assert.rejects(getBody('pre/x'), { name: 'NoSuchKey' });
  });

  test('aws CLI: single and multipart uploads pass the payload checks, bytes intact', { skip: skipUnlessInstalled('aws') }, async () => {
    const env = { ...process.env, HOME: tmp, AWS_DEFAULT_REGION: 'us-east-1', AWS_CONFIG_FILE: path.join(tmp, 'nocfg'), AWS_SHARED_CREDENTIALS_FILE: path.join(tmp, 'nocreds'), AWS_ACCESS_KEY_ID: AK, AWS_SECRET_ACCESS_KEY: SK };
    for (const [name, size] of [['small.bin', 100_000], ['multi.bin', 20 * 1024 * 1024]] as const) {
      const file = path.join(tmp, name);
      writeRandomFile(file, size);
      let r = await run('aws', ['--endpoint-url', s3, 's3', 'cp', file, `s3://pay/cli/${name}`], env);
      assert.equal(r.code, 0, r.out);
      const back = path.join(tmp, `back-${name}`);
      r = await run('aws', ['--endpoint-url', s3, 's3', 'cp', `s3://pay/cli/${name}`, back], env);
      assert.equal(r.code, 0, r.out);
      assert.equal(await md5File(back), await md5File(file), name);
    }
  });
});

describe('a gateway without credentials', () => {
  test('does not check payload hashes or chunk signatures (behaviour unchanged)', async () => {
    const gw = await startTestGateway();
    try {
      await gw.s3.send(new CreateBucketCommand({ Bucket: 'anon' }));
      let r = await request('PUT', `${gw.url}/s3/anon/hex`, { headers: { 'x-amz-content-sha256': sha256('something else') }, body: 'data' });
      assert.equal(r.status, 200);
      r = await request('PUT', `${gw.url}/s3/anon/chunks`, {
        headers: { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '3' },
        body: `3;chunk-signature=${'0'.repeat(64)}\r\nabc\r\n0;chunk-signature=${'0'.repeat(64)}\r\n\r\n`,
      });
      assert.equal(r.status, 200);
      const got = await gw.s3.send(new GetObjectCommand({ Bucket: 'anon', Key: 'chunks' }));
      assert.equal(await got.Body!.transformToString(), 'abc');
    } finally {
      await gw.dispose();
    }
  });
});
