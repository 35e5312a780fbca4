// Checks and requests shared by the native API (/v1) tests.
import * as assert from 'node:assert/strict';
import { initChecksums } from '../../src/gateway/checksum';
import type { GatewayOptions } from '../../src/gateway/server';
import { startTestGateway, TestGateway } from './gateway';
import { request, Reply } from './http';

/** A gateway for a suite of native tests (checksums initialised first), and its /v1 URL. */
export async function startNativeGateway(opts: Partial<GatewayOptions> = {}): Promise<{ gw: TestGateway; v1: string }> {
  await initChecksums();
  const gw = await startTestGateway(opts);
  return { gw, v1: `${gw.url}/v1` };
}

/** cmn.ErrHTTP JSON: these fields with these types, and the HTTP status repeated inside. */
export function assertAisError(r: Reply, status: number, pattern?: RegExp): Record<string, unknown> {
  assert.equal(r.status, status, `status (body ${r.body.toString()})`);
  const e = (r.json ?? JSON.parse(String(r.headers['hdr-error']))) as Record<string, unknown>;
  for (const f of ['message', 'method', 'url_path', 'remote_addr', 'caller', 'node']) assert.equal(typeof e[f], 'string', f);
  assert.equal(e.status, status);
  if (pattern) assert.match(e.message as string, pattern);
  return e;
}

/** The requests the tests repeat, against the /v1 URL `v1()` returns (a suite's gateway starts in its before()). */
export function nativeCalls(v1: () => string) {
  return {
    put: (bucket: string, key: string, data: Buffer | string, headers: Record<string, string> = {}) =>
      request('PUT', `${v1()}/objects/${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`, { body: data, headers }),
    createBucket: (name: string, value?: unknown) => request('POST', `${v1()}/buckets/${name}`, { json: { action: 'create-bck', value } }),
    list: (bucket: string, value: Record<string, unknown>, msgpack = false) =>
      request('GET', `${v1()}/buckets/${bucket}?provider=ais`, {
        json: { action: 'list', value },
        headers: msgpack ? { accept: 'application/msgpack' } : {},
      }),
  };
}
