// For tests of the gateway's S3 API: an SDK reply's body read whole, an expected S3 error checked, an unsigned
// request (the tests' gateways do not verify signatures), and S3's XML parsed the way the tests read it.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { XMLParser } from 'fast-xml-parser';
import { initChecksums } from '../../src/common/checksum';
import { startTestGateway, TestGateway } from './gateway';
import { Reply, request } from './http';

export async function readSdkBody(out: { Body?: unknown }): Promise<Buffer> {
  const b = out.Body as { transformToByteArray(): Promise<Uint8Array> };
  return Buffer.from(await b.transformToByteArray());
}

/** Runs `fn`, expects an S3 error; returns it for status/code checks. */
export async function s3Error(fn: () => Promise<unknown>): Promise<S3ServiceException> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof S3ServiceException) return e;
    throw e;
  }
  assert.fail('expected an S3 error');
}

/** Runs `fn`, which must fail with this HTTP status (and S3 error code), with a request id. */
export async function expectS3Error(fn: () => Promise<unknown>, status: number, code?: string): Promise<S3ServiceException> {
  const e = await s3Error(fn);
  assert.equal(e.$metadata.httpStatusCode, status, `status of ${e.name}: ${e.message}`);
  if (code) assert.equal(e.name, code, e.message);
  assert.ok(e.$metadata.requestId, 'every error carries a request id');
  return e;
}

/** A plain (unsigned) HTTP request: the gateway does not verify signatures. Header values may be latin1-encoded bytes. */
export function unsignedRequest(url: string, method = 'GET', headers: Record<string, string> = {}, data?: Buffer | string): Promise<Reply> {
  return request(method, url, { headers, body: data });
}

export const s3Xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (n) => ['Contents', 'CommonPrefixes', 'Bucket', 'Upload', 'Part'].includes(n) });

export const md5Hex = (b: Uint8Array | string) => crypto.createHash('md5').update(b).digest('hex');

/** The S3 suites' gateway: new buckets are md5, so the SDK's and s3cmd's ETag checks apply. */
export async function startMd5Gateway(): Promise<TestGateway> {
  await initChecksums();
  return startTestGateway({ defaultChecksum: 'md5' });
}
