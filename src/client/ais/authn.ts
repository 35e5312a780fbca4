// Signing in to an AIStore cluster's AuthN server, as `ais auth login` does (api/authn/authn.go LoginUser):
// POST {authnUrl}/v1/users/NAME {"password": ..., "expires_in": <Go duration in ns> | null} answers
// {"token": "<JWT>"}. Wrong user and wrong password are the same 401 ("invalid credentials"); a lifetime
// below a minute (or above AuthN's max token age) is a 400. Sign out (`ais auth logout`): DELETE
// {authnUrl}/v1/tokens {"token": ...}. The token's expiry is read from its `exp` claim, unverified: only
// AuthN and the cluster hold the key. Neither the password nor the token ever goes into a message.
import { ClientError, describeAnswer, htmlHint, isHtmlAnswer, TlsOptions } from '../cluster';
import { HttpTransport, readText } from '../http';
import type { ProxyOptions } from '../proxy';
import { redactTokens } from './autherrors';
import { serverMessage } from './requests';

export interface AuthnRequestOptions {
  tls?: TlsOptions;
  proxy?: ProxyOptions;
  /** Idle timeout, ms (default 30 s). */
  timeoutMs?: number;
  /** Connect timeout, ms (default 10 s). */
  connectTimeoutMs?: number;
}

export interface SignInOptions extends AuthnRequestOptions {
  /** How long the token should last; AuthN's default (24 h unless configured) when absent. 0: AuthN's longest. */
  expiresInSeconds?: number;
}

export interface SignedIn {
  token: string;
  /** From the token's `exp` claim. */
  expiresAt?: Date;
}

/** The `exp` of a JWT as a Date, decoded without verifying it; undefined when it is no JWT or has none. */
export function tokenExpiry(token: string): Date | undefined {
  const exp = tokenClaims(token)?.exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? new Date(exp * 1000) : undefined;
}

/** The user a JWT was issued to (`sub`), decoded without verifying it. */
export function tokenUser(token: string): string | undefined {
  const sub = tokenClaims(token)?.sub;
  return typeof sub === 'string' && sub ? sub : undefined;
}

function tokenClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.trim().split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return claims && typeof claims === 'object' && !Array.isArray(claims) ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function authnBase(authnUrl: string): { base: URL; endpoint: string } {
  const endpoint = authnUrl.trim().replace(/\/+$/, '');
  try {
    const base = new URL(endpoint + '/');
    if (base.protocol === 'http:' || base.protocol === 'https:') return { base, endpoint };
  } catch {
    // said below
  }
  throw new ClientError('bad-request', `"${authnUrl}" is not an http(s) URL; give the AuthN server's, e.g. http://10.0.0.1:52001`, authnUrl);
}

/** A socket-level failure (already a ClientError from the transport) in words about AuthN. */
function unreachable(err: unknown, endpoint: string): ClientError {
  if (!(err instanceof ClientError)) return new ClientError('unreachable', `AuthN at ${endpoint} does not answer: ${(err as Error)?.message ?? String(err)}. Check the AuthN URL.`, endpoint, undefined, undefined, { cause: err });
  const code = err.code;
  const opts = { cause: err };
  switch (err.kind) {
    case 'unreachable': {
      const what =
        code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'its host name does not resolve' : code === 'ECONNREFUSED' ? 'nothing listens on that port' : `the connection failed${code ? ` (${code})` : ''}`;
      return new ClientError('unreachable', `AuthN at ${endpoint} does not answer (${what}): check the AuthN URL (AuthN listens on port 52001 by default) and that the AuthN server is running.`, endpoint, undefined, code, opts);
    }
    case 'timeout':
      return new ClientError('timeout', `AuthN at ${endpoint} did not answer in time: check the AuthN URL and that the AuthN server is running and not overloaded.`, endpoint, undefined, code, opts);
    case 'tls': {
      const plain = code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/i.test(err.message);
      const hint = plain
        ? 'it does not speak HTTPS on this port: use http:// in the AuthN URL.'
        : "its certificate is not trusted: give the CA certificate that signed it, or turn certificate verification off if you trust the network.";
      return new ClientError('tls', `TLS handshake with AuthN at ${endpoint} failed (${code ?? 'TLS'}): ${hint}`, endpoint, undefined, code, opts);
    }
    default:
      return err;
  }
}

/** A 401/400 that an AIStore cluster (not its AuthN) sends to AuthN's paths. */
function clusterLike(said: string): boolean {
  return /token required|invalid token|invalid URL path|expecting \/v1\//i.test(said);
}

function notAuthn(endpoint: string, what: string, request: string, status?: number, hint = ''): ClientError {
  return new ClientError(
    'protocol',
    `${endpoint} is not an AuthN server: it answered ${request} with ${what}. ${hint}Check the AuthN URL (AuthN listens on its own port, 52001 by default).`,
    endpoint,
    status,
  );
}

/** An AuthN answer that is not a success, in one sentence; `request` names it ("POST /v1/users/alice"). */
function answerError(status: number, text: string, contentType: string, endpoint: string, request: string, token?: string): ClientError {
  const said = redactTokens(serverMessage(text, contentType) ?? '', token).slice(0, 300);
  const looksAis = !isHtmlAnswer(text, contentType) && /^\s*\{/.test(text) && said !== '';
  if (looksAis && clusterLike(said)) {
    return new ClientError('protocol', `${endpoint} answered like an AIStore cluster, not its AuthN server: give the AuthN URL (AuthN listens on its own port, 52001 by default).`, endpoint, status);
  }
  if (!looksAis) return notAuthn(endpoint, describeAnswer(text, contentType, 'is not AuthN\'s JSON'), request, status, htmlHint(text, contentType));
  if (status >= 500) return new ClientError('server', `AuthN at ${endpoint} failed (${status}): ${said}`, endpoint, status);
  return new ClientError(status === 401 || status === 403 ? 'auth' : 'bad-request', `AuthN at ${endpoint} refused ${request} (${status}): ${said}`, endpoint, status);
}

/** Sends one JSON request to AuthN; resolves with the status and the body text. */
async function send(endpoint: string, url: URL, method: string, body: unknown, opts: AuthnRequestOptions): Promise<{ status: number; text: string; contentType: string }> {
  const transport = new HttpTransport({ tls: opts.tls, proxy: opts.proxy, timeoutMs: opts.timeoutMs, connectTimeoutMs: opts.connectTimeoutMs });
  try {
    const res = await transport.request({
      method,
      url,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
      endpoint,
      maxRedirects: 2,
    });
    const text = await readText(res, 64 * 1024);
    return { status: res.statusCode ?? 0, text, contentType: String(res.headers['content-type'] ?? '') };
  } catch (err) {
    throw unreachable(err, endpoint);
  } finally {
    transport.dispose();
  }
}

/** Signs `user` in to the AuthN server at `authnUrl`; the token goes to the cluster as `authToken`. */
export async function signIn(authnUrl: string, user: string, password: string, opts: SignInOptions = {}): Promise<SignedIn> {
  const { base, endpoint } = authnBase(authnUrl);
  if (!user.trim()) throw new ClientError('bad-request', 'Give the AuthN user name to sign in with.', endpoint);
  const expires = opts.expiresInSeconds;
  if (expires !== undefined && (!Number.isFinite(expires) || expires < 0)) throw new ClientError('bad-request', `The token lifetime must be a number of seconds (0: AuthN's longest), not ${expires}.`, endpoint);
  const request = `the sign-in of user "${user}"`;
  const url = new URL(`v1/users/${encodeURIComponent(user)}`, base);
  // time.Duration marshals as integer nanoseconds; null lets AuthN pick (api/authn LoginMsg).
  const answer = await send(endpoint, url, 'POST', { password, expires_in: expires === undefined ? null : Math.round(expires * 1e9) }, opts);
  const said = serverMessage(answer.text, answer.contentType) ?? '';
  if (answer.status === 401 && /invalid credentials/i.test(said)) {
    throw new ClientError('auth', `AuthN at ${endpoint} refused user "${user}": wrong user name or password.`, endpoint, 401, 'ErrFailedTo', { authProblem: 'wrong-secret' });
  }
  if (answer.status === 401 && /empty password/i.test(said)) {
    throw new ClientError('auth', `AuthN at ${endpoint} refused user "${user}": the password is empty.`, endpoint, 401, undefined, { authProblem: 'no-credentials' });
  }
  if (answer.status === 400 && /invalid requested expiry/i.test(said)) {
    const rule = /must be [^,]*|cannot exceed[^,]*/.exec(said)?.[0];
    throw new ClientError('bad-request', `AuthN at ${endpoint} refused a token lifetime of ${expires} s${rule ? `: it ${rule.replace(/^cannot exceed configured/, 'cannot exceed its')}` : ''}.`, endpoint, 400);
  }
  if (answer.status < 200 || answer.status >= 300) throw answerError(answer.status, answer.text, answer.contentType, endpoint, request);
  let token: unknown;
  try {
    token = (JSON.parse(answer.text) as { token?: unknown })?.token;
  } catch {
    token = undefined;
  }
  if (typeof token !== 'string' || token.split('.').length !== 3) {
    const what = isHtmlAnswer(answer.text, answer.contentType) ? describeAnswer(answer.text, answer.contentType) : 'an answer without a token';
    throw notAuthn(endpoint, what, request, answer.status, htmlHint(answer.text, answer.contentType));
  }
  const expiresAt = tokenExpiry(token);
  return { token, ...(expiresAt ? { expiresAt } : {}) };
}

/** Revokes `token` at AuthN (`ais auth logout`); clusters then refuse it ("token revoked"). */
export async function revokeToken(authnUrl: string, token: string, opts: AuthnRequestOptions = {}): Promise<void> {
  const { base, endpoint } = authnBase(authnUrl);
  const answer = await send(endpoint, new URL('v1/tokens', base), 'DELETE', { token }, opts);
  if (answer.status >= 200 && answer.status < 300) return;
  const said = redactTokens(serverMessage(answer.text, answer.contentType) ?? '', token);
  if (answer.status === 401 && /token expired/i.test(said)) {
    throw new ClientError('auth', `AuthN at ${endpoint} did not revoke the token: it has expired already.`, endpoint, 401, undefined, { authProblem: 'token-expired' });
  }
  if (answer.status === 401 && /invalid token|malformed|signature/i.test(said)) {
    throw new ClientError('auth', `AuthN at ${endpoint} did not revoke the token: it did not issue it.`, endpoint, 401, undefined, { authProblem: 'token-invalid' });
  }
  throw answerError(answer.status, answer.text, answer.contentType, endpoint, 'the token revocation', token);
}
