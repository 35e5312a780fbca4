// Signing: a gateway with credentials verifies SigV4 (header and presigned), V2 (s3cmd signature_v2) and,
// on the native API, the Bearer token derived from the keys; wrong keys, stale dates and anonymous
// requests are refused with S3's error codes. Real clients: the AWS SDK, its presigner, s3cmd (V4 and V2),
// the aws CLI, and the extension's own AIS and S3 clients.
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { Sha256 } from '../helpers/sha256';
import { AisClusterClient } from '../../src/client/ais/client';
import { S3ClusterClient } from '../../src/client/s3';
import { nativeToken } from '../../src/common/token';
import { EmbeddedGatewayProcess } from '../../src/embedded/process';
import { checkPresignedWindow, parseAmzDate } from '../../src/gateway/s3/presign';
import { gatewayProgram } from '../helpers/program';
import { skipUnlessInstalled } from '../helpers/tools';
import { makeTempDir, removeDir } from '../helpers/temp';

const AK = 'AKIDGATEWAYTEST';
const SK = 'gateway/secret+key=42';

function sdk(endpoint: string, accessKeyId = AK, secretAccessKey = SK): S3Client {
  return new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
}

function raw(url: string, method = 'GET', headers: Record<string, string> = {}, body?: string): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)), ...headers } : headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}


function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code: unknown = err ? (err as { code?: unknown }).code : 0;
      resolve({ code: typeof code === 'number' ? code : 1, out: `${stdout}${stderr}` });
    });
  });
}

describe('signed requests on a gateway with credentials', () => {
  let gw: TestGateway;
  let s3: string;
  let tmp: string;

  before(async () => {
    gw = await startTestGateway({ defaultChecksum: 'md5', credentials: { accessKey: AK, secretKey: SK } });
    s3 = `${gw.url}/s3`;
    tmp = makeTempDir('auth');
    await sdk(s3).send(new CreateBucketCommand({ Bucket: 'signed' }));
  });
  after(async () => {
    await gw.dispose();
    removeDir(tmp);
  });

  test('AWS SDK (SigV4 header) with the right keys works; wrong secret, wrong key and anonymous are refused', async () => {
    const good = sdk(s3);
    await good.send(new PutObjectCommand({ Bucket: 'signed', Key: 'dir/a b+c~(1).txt', Body: 'hello' }));
    const got = await good.send(new GetObjectCommand({ Bucket: 'signed', Key: 'dir/a b+c~(1).txt' }));
    assert.equal(await got.Body!.transformToString(), 'hello');
    const list = await good.send(new ListObjectsV2Command({ Bucket: 'signed', Prefix: 'dir/', Delimiter: '/' }));
    assert.equal(list.KeyCount, 1);

    await assert.rejects(sdk(s3, AK, 'wrong').send(new GetObjectCommand({ Bucket: 'signed', Key: 'dir/a b+c~(1).txt' })), { name: 'SignatureDoesNotMatch' });
    await assert.rejects(sdk(s3, 'NOSUCHKEY', SK).send(new PutObjectCommand({ Bucket: 'signed', Key: 'x', Body: 'x' })), { name: 'InvalidAccessKeyId' });
    const anon = await raw(`${s3}/signed/dir/x`, 'PUT', { 'Content-Length': '1' }, 'x');
    assert.equal(anon.status, 403);
    assert.match(anon.body, /<Code>AccessDenied<\/Code>/);
    // Nothing was stored by the refused requests.
    const after = await good.send(new ListObjectsV2Command({ Bucket: 'signed' }));
    assert.deepEqual(after.Contents?.map((c) => c.Key), ['dir/a b+c~(1).txt']);
  });

  test('a stale x-amz-date is RequestTimeTooSkewed; a tampered signed header is SignatureDoesNotMatch', async () => {
    const signer = new SignatureV4({ credentials: { accessKeyId: AK, secretAccessKey: SK }, region: 'us-east-1', service: 's3', sha256: Sha256 });
    const url = new URL(`${s3}/signed`);
    const req = new HttpRequest({ method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query: { 'list-type': '2' }, headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    const stale = await signer.sign(req, { signingDate: new Date(Date.now() - 20 * 60 * 1000) });
    const r1 = await raw(`${s3}/signed?list-type=2`, 'GET', stale.headers as Record<string, string>);
    assert.equal(r1.status, 403);
    assert.match(r1.body, /RequestTimeTooSkewed/);
    const fresh = await signer.sign(req, { signingDate: new Date() });
    assert.equal((await raw(`${s3}/signed?list-type=2`, 'GET', fresh.headers as Record<string, string>)).status, 200);
    // The query is signed too: the same headers for another listing do not pass.
    const r2 = await raw(`${s3}/signed?list-type=2&prefix=dir/`, 'GET', fresh.headers as Record<string, string>);
    assert.equal(r2.status, 403);
    assert.match(r2.body, /SignatureDoesNotMatch/);
  });

  test('presigned GET and PUT URLs (the SDK presigner): right keys pass, wrong keys and expired URLs do not', async () => {
    const put = await getSignedUrl(sdk(s3), new PutObjectCommand({ Bucket: 'signed', Key: 'pre/signed.txt' }), { expiresIn: 60 });
    assert.equal((await raw(put, 'PUT', { 'Content-Length': '7' }, 'presign')).status, 200);
    const get = await getSignedUrl(sdk(s3), new GetObjectCommand({ Bucket: 'signed', Key: 'pre/signed.txt' }), { expiresIn: 60 });
    const r = await raw(get);
    assert.equal(r.status, 200);
    assert.equal(r.body, 'presign');
    const wrong = await getSignedUrl(sdk(s3, AK, 'nope'), new GetObjectCommand({ Bucket: 'signed', Key: 'pre/signed.txt' }), { expiresIn: 60 });
    assert.match((await raw(wrong)).body, /SignatureDoesNotMatch/);
    const old = await getSignedUrl(sdk(s3), new GetObjectCommand({ Bucket: 'signed', Key: 'pre/signed.txt' }), { expiresIn: 60, signingDate: new Date(Date.now() - 3600_000) });
    const expired = await raw(old);
    assert.equal(expired.status, 403);
    assert.match(expired.body, /AccessDenied/);
    // Changing the key in a presigned URL breaks it.
    assert.match((await raw(get.replace('signed.txt', 'other.txt'))).body, /SignatureDoesNotMatch/);
  });

  test('native API: the Bearer token derived from the keys, or nothing; the extension AIS client with token and keys', async () => {
    const list = `${gw.url}/v1/buckets?provider=ais`;
    const body = JSON.stringify({ action: 'list' });
    const hdr = { 'Content-Type': 'application/json' };
    assert.equal((await raw(list, 'GET', hdr, body)).status, 403);
    assert.equal((await raw(list, 'GET', { ...hdr, Authorization: 'Bearer aisb1.wrong' }, body)).status, 401);
    assert.equal((await raw(list, 'GET', { ...hdr, Authorization: `Bearer ${nativeToken({ accessKey: AK, secretKey: SK })}` }, body)).status, 200);
    assert.equal((await raw(`${gw.url}/v1/health`)).status, 200, 'health stays open');
    // A token is no key for the S3 side.
    assert.equal((await raw(`${s3}/signed`, 'GET', { Authorization: `Bearer ${nativeToken({ accessKey: AK, secretKey: SK })}` })).status, 403);

    const ais = new AisClusterClient({ kind: 'ais', endpoint: gw.url, accessKey: AK, secretKey: SK, authToken: nativeToken({ accessKey: AK, secretKey: SK }) });
    try {
      assert.ok((await ais.listBuckets()).some((b) => b.name === 'signed'));
      await ais.putObject({ provider: 'ais', name: 'signed' }, 'native.txt', { open: () => Readable.from([Buffer.from('native')]), size: 6 });
      const page = await ais.listObjects({ provider: 'ais', name: 'signed' }, { folders: false });
      assert.ok(page.objects.some((o) => o.key === 'native.txt'));
      // Multipart listing goes through the S3 side, signed with the keys.
      assert.deepEqual(await ais.listMultipartUploads({ provider: 'ais', name: 'signed' }), []);
    } finally {
      ais.dispose();
    }
    const s3client = new S3ClusterClient({ kind: 's3', endpoint: s3, accessKey: AK, secretKey: SK });
    try {
      assert.ok((await s3client.listBuckets()).some((b) => b.name === 'signed'));
    } finally {
      s3client.dispose();
    }
    const anonymous = new AisClusterClient({ kind: 'ais', endpoint: gw.url });
    try {
      await assert.rejects(anonymous.listBuckets(), (e: Error) => /403|denied|forbidden|credentials|sign/i.test(e.message));
    } finally {
      anonymous.dispose();
    }
  });

  for (const v2 of [false, true]) {
    test(`s3cmd with signature_v2 = ${v2 ? 'True' : 'False'}: right keys work (put, ls, get, multipart), wrong secret fails`, { skip: skipUnlessInstalled('s3cmd') }, async () => {
      const hostPort = `127.0.0.1:${gw.port}`;
      const cfg = (secret: string) => {
        const file = path.join(tmp, `s3cfg-${v2}-${secret.length}`);
        fs.writeFileSync(
          file,
          ['[default]', `access_key = ${AK}`, `secret_key = ${secret}`, `host_base = ${hostPort}/s3`, `host_bucket = ${hostPort}/s3`, 'use_https = False', `signature_v2 = ${v2 ? 'True' : 'False'}`, ''].join('\n'),
        );
        return file;
      };
      const env = { ...process.env, HOME: tmp, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
      const file = path.join(tmp, 'up.bin');
      fs.writeFileSync(file, Buffer.alloc(6 * 1024 * 1024, 7));
      const good = cfg(SK);
      const key = `s3cmd-${v2 ? 'v2' : 'v4'}/file name.bin`;
      let r = await run('s3cmd', ['-c', good, 'put', file, `s3://signed/${key}`, '--multipart-chunk-size-mb=5'], env);
      assert.equal(r.code, 0, r.out);
      r = await run('s3cmd', ['-c', good, 'ls', `s3://signed/s3cmd-${v2 ? 'v2' : 'v4'}/`], env);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /file name\.bin/);
      const back = path.join(tmp, `back-${v2}.bin`);
      r = await run('s3cmd', ['-c', good, 'get', '--force', `s3://signed/${key}`, back], env);
      assert.equal(r.code, 0, r.out);
      assert.ok(fs.readFileSync(back).equals(fs.readFileSync(file)));
      r = await run('s3cmd', ['-c', cfg('not-the-secret'), 'ls', 's3://signed/'], env);
      assert.notEqual(r.code, 0);
      assert.match(r.out, /SignatureDoesNotMatch|403/);
    });
  }

  test('aws CLI: right keys list and copy; wrong keys fail', { skip: skipUnlessInstalled('aws') }, async () => {
    const base = { ...process.env, HOME: tmp, AWS_DEFAULT_REGION: 'us-east-1', AWS_CONFIG_FILE: path.join(tmp, 'nocfg'), AWS_SHARED_CREDENTIALS_FILE: path.join(tmp, 'nocreds') };
    const file = path.join(tmp, 'cli.txt');
    fs.writeFileSync(file, 'from the cli');
    let r = await run('aws', ['--endpoint-url', s3, 's3', 'cp', file, 's3://signed/cli/cli.txt'], { ...base, AWS_ACCESS_KEY_ID: AK, AWS_SECRET_ACCESS_KEY: SK });
    assert.equal(r.code, 0, r.out);
    r = await run('aws', ['--endpoint-url', s3, 's3', 'ls', 's3://signed/cli/'], { ...base, AWS_ACCESS_KEY_ID: AK, AWS_SECRET_ACCESS_KEY: SK });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /cli\.txt/);
    r = await run('aws', ['--endpoint-url', s3, 's3', 'ls', 's3://signed/cli/'], { ...base, AWS_ACCESS_KEY_ID: AK, AWS_SECRET_ACCESS_KEY: 'wrong' });
    assert.notEqual(r.code, 0);
    assert.match(r.out, /SignatureDoesNotMatch/);
  });
});

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

describe('a gateway without credentials', () => {
  test('accepts anonymous requests (and ignores signatures)', async () => {
    const gw = await startTestGateway();
    try {
      assert.equal((await raw(`${gw.url}/s3/anon`, 'PUT')).status, 200);
      await sdk(`${gw.url}/s3`, 'any', 'thing').send(new PutObjectCommand({ Bucket: 'anon', Key: 'k', Body: 'v' }));
    } finally {
      await gw.dispose();
    }
  });
});

describe('the embedded gateway process with generated keys', () => {
  test('keys go through the environment, not argv; unsigned requests are refused, the token and signed requests work', async () => {
    const tmp = makeTempDir('emb');
    const creds = { accessKey: 'AISBGENERATED', secretKey: 'generated-secret' };
    const proc = new EmbeddedGatewayProcess({ script: await gatewayProgram(tmp), dataDir: path.join(tmp, 'data'), credentials: creds });
    try {
      const running = await proc.start();
      assert.doesNotMatch(fs.readFileSync(`/proc/${running.pid}/cmdline`, 'utf8'), /generated-secret/);
      assert.equal((await raw(`${running.url}/s3`)).status, 403);
      const ais = new AisClusterClient({ kind: 'ais', endpoint: running.url, ...creds, authToken: nativeToken(creds) });
      try {
        await ais.createBucket({ provider: 'ais', name: 'made' });
        assert.ok((await ais.listBuckets()).some((b) => b.name === 'made'));
      } finally {
        ais.dispose();
      }
      await sdk(`${running.url}/s3`, creds.accessKey, creds.secretKey).send(new PutObjectCommand({ Bucket: 'made', Key: 'k', Body: 'v' }));
    } finally {
      await proc.stop();
      removeDir(tmp);
    }
  });
});
