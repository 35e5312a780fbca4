// What every native route reads from its request and writes back: the call it is given, the action
// message (api/apc/actmsg.go ActMsg {action, name, value}), the provider and names in the URL, JSON replies.
import * as crypto from 'node:crypto';
import type * as http from 'node:http';
import { normalizeProvider } from '../../common/aisapi';
import { nodeName } from '../cluster/nodes';
import type { RequestContext } from '../context';
import { verifiedPayload } from '../payload';
import { PROVIDERS, type BucketRef, type Provider } from '../store/types';
import { badRequest, NativeError, notImplemented } from './errors';

const MAX_CONTROL_BODY = 4 * 1024 * 1024;

/** One request as the routes get it. */
export interface NativeCall {
  ctx: RequestContext;
  req: http.IncomingMessage;
  res: http.ServerResponse;
  query: URLSearchParams;
}

/** A request to /v1/buckets/NAME (or /v1/objects/NAME/...): the bucket validated, its provider known. */
export interface BucketCall extends NativeCall {
  bucket: BucketRef;
}

/** A request to /v1/objects/BUCKET/OBJECT. */
export interface ObjectCall extends BucketCall {
  key: string;
}

export interface ActMsg {
  action: string;
  name: string;
  value: unknown;
}

/** A control request's body (action messages, job queries), at most MAX_CONTROL_BODY. */
export async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of verifiedPayload(req)) {
    size += (chunk as Buffer).length;
    if (size > MAX_CONTROL_BODY) throw badRequest(`request body is larger than ${MAX_CONTROL_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** api/apc/actmsg.go ActMsg; an empty body is an empty message. */
export async function readActMsg(req: http.IncomingMessage): Promise<ActMsg> {
  const raw = (await readBody(req)).toString('utf8').trim();
  if (!raw) return { action: '', name: '', value: undefined };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    throw badRequest(`failed to unmarshal JSON action message: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('action message must be a JSON object');
  const m = parsed as Record<string, unknown>;
  if (m.action !== undefined && typeof m.action !== 'string') throw badRequest('"action" must be a string');
  if (m.name !== undefined && typeof m.name !== 'string') throw badRequest('"name" must be a string');
  return { action: (m.action as string) ?? '', name: (m.name as string) ?? '', value: m.value };
}

/** The `provider` query: required on bucket and object paths, optional when listing buckets. */
export function providerOf(ctx: RequestContext, query: URLSearchParams, required: boolean): Provider | undefined {
  const raw = query.get('provider');
  if (!raw && !required) return undefined;
  const p = normalizeProvider(raw);
  // ht (HTTP URLs as a backend) is no provider of this gateway's at all.
  if (!p || !(PROVIDERS as readonly string[]).includes(p)) throw badRequest(`invalid backend provider "${raw}": must be one of [${PROVIDERS.join(' ')}]`);
  if (query.get('namespace')) throw notImplemented('bucket namespaces (remote AIS clusters)');
  if (!ctx.cluster.providers().includes(p as Provider))
    throw new NativeError(400, 'ErrMissingBackend', `${p} backend is missing in the cluster configuration`);
  return p as Provider;
}

/** AIStore's bucket name rules (cmn/bck.go ValidateName, cos.CheckAlphaPlus). */
export function validateBucket(name: string): void {
  if (!name) throw badRequest('bucket name is missing');
  if (name.startsWith('.')) throw badRequest(`reserved bucket name "${name}" (unknown system bucket)`);
  if (name.length > 255 || !/^[A-Za-z0-9_.-]+$/.test(name))
    throw badRequest(`bucket name "${name}" is invalid: may only contain letters, numbers, dashes (-), underscores (_), and dots (.)`);
}

export function decodePath(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw badRequest(`malformed URL path: ${part}`);
  }
}

/** A list-objects uuid or job id; cos.IsValidUUID: at least 9 characters, letters/digits (and inner - or _). */
export function newUuid(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return [...crypto.randomBytes(10)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** Where the target keeps objects, as AIStore reports an object's location: "t[ID]:MOUNTPATH". */
export function targetLocation(ctx: RequestContext): string {
  return `${nodeName(ctx.info, 'target')}:${ctx.cluster.dataDir}`;
}

export function sendJson(res: http.ServerResponse, status: number, body: string, headers: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** 200 with no body: what AIStore answers a control request that has nothing to say. */
export function sendOk(res: http.ServerResponse): void {
  res.writeHead(200, { 'Content-Length': 0 });
  res.end();
}

/** ais/htcommon.go writeXid: a job's id as the whole body. */
export function sendXid(res: http.ServerResponse, xid: string, status = 200): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(xid) });
  res.end(xid);
}
