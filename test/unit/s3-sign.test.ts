// The direct S3 path's SigV4 signer (s3sign.ts) against the SDK's own SignatureV4 on the same requests:
// the same x-amz-date, session token and Authorization, header for header, for GETs and PUTs, temporary
// credentials, header values with runs of spaces, a new day and new keys (a signing key is never reused
// across either).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, SourceData } from '@smithy/types';
import { SigV4Signer } from '../../src/client/s3sign';

class Sha256 {
  private readonly h: crypto.Hash | crypto.Hmac;
  constructor(secret?: SourceData) {
    this.h = secret !== undefined ? crypto.createHmac('sha256', secret as crypto.BinaryLike) : crypto.createHash('sha256');
  }
  update(data: SourceData): void {
    this.h.update(data as crypto.BinaryLike);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
}

async function sdkSigned(creds: AwsCredentialIdentity, region: string, method: string, path: string, query: Record<string, string>, headers: Record<string, string>, date: Date): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials: creds, region, service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: false });
  const req = new HttpRequest({ method, protocol: 'http:', hostname: '127.0.0.1', port: 9000, path, query, headers: { ...headers } });
  return (await signer.sign(req, { signingDate: date })).headers;
}

test('the direct path signs exactly as the SDK does', async () => {
  let creds: AwsCredentialIdentity = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
  const ours = new SigV4Signer('eu-west-1', 's3', async () => creds);
  const cases: [string, string, Record<string, string>, Date][] = [
    ['GET', '/s3/bucket/sp%20ace/%C3%BC%2B.txt', { host: '127.0.0.1:9000', 'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' }, new Date('2026-12-07T23:59:59Z')],
    ['GET', '/s3/bucket/a%2Fb', { host: '127.0.0.1:9000', 'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' }, new Date('2026-12-08T00:00:01Z')],
    ['PUT', "/bucket/marks/%21%27%28%29%2A~", { host: '127.0.0.1:9000', 'content-length': '65536', 'content-type': 'text/plain;   charset=utf-8 ', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, new Date('2026-12-08T10:00:00Z')],
  ];
  for (const token of [undefined, 'FQoGZXIvYXdzEXAMPLETOKEN']) {
    for (const [method, path, headers, date] of cases) {
      creds = { ...creds, ...(token ? { sessionToken: token } : {}) };
      const mine = { ...headers };
      await ours.sign(method, path, `x-id=${method === 'GET' ? 'GetObject' : 'PutObject'}`, mine, date);
      const sdk = await sdkSigned(creds, 'eu-west-1', method, path, { 'x-id': method === 'GET' ? 'GetObject' : 'PutObject' }, headers, date);
      assert.deepEqual(mine, sdk, `${method} ${path} ${date.toISOString()}${token ? ' with a token' : ''}`);
    }
  }
  // New keys on the same day: a new signing key.
  creds = { accessKeyId: 'AKIAOTHERKEYEXAMPLE0', secretAccessKey: 'another/secret/key/0000000000000000000000' };
  const headers = { host: '127.0.0.1:9000', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'content-length': '1' };
  const date = new Date('2026-12-08T10:00:00Z');
  const mine = { ...headers };
  await ours.sign('PUT', '/b/k', 'x-id=PutObject', mine, date);
  assert.deepEqual(mine, await sdkSigned(creds, 'eu-west-1', 'PUT', '/b/k', { 'x-id': 'PutObject' }, headers, date));
});
