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

/** nl.Status, what GET /v1/cluster?what=status answers about one job. */
export interface JobStatusReply {
  kind: string;
  uuid: string;
  err: string;
  end_time: number;
  aborted: boolean;
}

/** Polls a job's status until it ends, as the Python SDK's Job.wait() does (Job.status() in a loop). */
export async function waitForJob(v1: string, id: string, timeoutMs = 120_000): Promise<JobStatusReply> {
  const started = Date.now();
  for (;;) {
    const r = await request('GET', `${v1}/cluster?what=status`, { json: { ID: id, Kind: '', DaemonID: '', Bck: null, Buckets: null } });
    assert.equal(r.status, 200, `status of job ${id}: ${r.body.toString()}`);
    const s = r.json as JobStatusReply;
    if (s.end_time > 0 || s.aborted) return s;
    assert.ok(Date.now() - started < timeoutMs, `job ${id} still running after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
