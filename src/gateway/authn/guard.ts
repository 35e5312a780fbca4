// What the gateway checks before it serves a request when it runs with AuthN, as an AIStore proxy with
// auth.client_auth_required does (ais/prxauth.go): a valid token in `Authorization: Bearer` or, for the
// AWS SDK, X-Amz-Security-Token (whose SigV4 signature is then not checked, as AIStore does not check
// it either). Refusals in AIStore's words: on /v1, 401 with its JSON ({"message": "token required"},
// "invalid token from header \"Authorization\": invalid token [err: token expired]", ...; AIStore also
// appends the token itself to some, which the gateway never does), 403 when the token's user lacks the
// permission; on /s3, S3 XML with 403 for all of them (ais/prxs3.go writes p.access errors as 403).
// The cluster's own /v1/tokens (validate with POST, revoke with DELETE, as AuthN tells clusters) is here too.
import * as crypto from 'node:crypto';
import type * as http from 'node:http';
import { authenticate, Credentials } from '../auth';
import { GatewayError } from '../errors';
import { NativeError } from '../native/errors';
import { readBody, sendOk } from '../native/http';
import { nativeToken } from '../../common/token';
import { allows, AuthnTokens, extractToken, TokenError } from './tokens';

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** 401 on /v1 (aceErrToCode: no token or an invalid one), 403 AccessDenied on /s3. */
function refusal(api: 's3' | 'native', message: string): GatewayError {
  return api === 'native' ? new NativeError(401, '', message) : new GatewayError(403, 'AccessDenied', message);
}

function denied(api: 's3' | 'native', user: string, clusterId: string): GatewayError {
  const message = `user \`${user}\` has insufficient permissions: [cluster ${clusterId}, granted(read-only)]`;
  return api === 'native' ? new NativeError(403, '', message) : new GatewayError(403, 'AccessDenied', message);
}

/** The claims of the request's token, or the refusal AIStore would answer with. */
async function validRequestToken(req: http.IncomingMessage, api: 's3' | 'native', tokens: AuthnTokens) {
  const found = extractToken(req.headers);
  if (!found) throw refusal(api, 'token required');
  try {
    return await tokens.verify(found.token);
  } catch (e) {
    if (e instanceof TokenError) throw refusal(api, `invalid token from header "${found.header}": ${e.message}`);
    throw e;
  }
}

/**
 * Resolves when the request may be served. With keys as well (`credentials`), a request without a token
 * is checked as before (signed with the keys, or their Bearer token on /v1).
 */
export async function authorize(req: http.IncomingMessage, api: 's3' | 'native', tokens: AuthnTokens, credentials?: Credentials): Promise<void> {
  const found = extractToken(req.headers);
  if (credentials) {
    // Signed (header or presigned URL): the keys decide. Nothing at all: AIStore's "token required".
    const signed = req.headers.authorization !== undefined || /[?&](X-Amz-Signature|Signature)=/.test(req.url ?? '');
    if (!found && signed) return authenticate(req, credentials, api);
    if (api === 'native' && found?.header === 'Authorization' && safeEqual(found.token, nativeToken(credentials))) return;
  }
  const claims = await validRequestToken(req, api, tokens);
  if (!allows(claims, tokens.clusterId, req.method ?? 'GET')) throw denied(api, claims.sub, tokens.clusterId);
}

/**
 * The cluster's /v1/tokens (ais/prxauth.go tokenHandler): POST answers whether the token is valid here
 * (validateKey), DELETE takes AuthN's list of revoked tokens {"tokens": [...], "version": "N"} from an admin.
 */
export async function serveClusterTokens(req: http.IncomingMessage, res: http.ServerResponse, tokens: AuthnTokens): Promise<void> {
  const method = req.method ?? 'GET';
  if (method !== 'POST' && method !== 'DELETE') {
    req.resume();
    res.writeHead(405, { Allow: 'POST, DELETE', 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
    res.end('Method Not Allowed\n');
    return;
  }
  const claims = await validRequestToken(req, 'native', tokens);
  if (method === 'POST') {
    req.resume();
    return sendOk(res);
  }
  if (!claims.admin) throw denied('native', claims.sub, tokens.clusterId);
  let list: { tokens?: unknown };
  try {
    list = JSON.parse((await readBody(req)).toString('utf8')) as { tokens?: unknown };
  } catch (e) {
    throw new NativeError(400, '', `failed to unmarshal [*ais.tokenList] (DELETE), err: ${(e as Error).message}`);
  }
  if (!Array.isArray(list?.tokens) || !list.tokens.every((t) => typeof t === 'string')) throw new NativeError(400, '', 'expecting {"tokens": [...], "version": "N"}');
  tokens.revokeAll(list.tokens as string[]);
  sendOk(res);
}
