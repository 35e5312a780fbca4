// The gateway's AuthN: its own listener, as AIStore's AuthN is a server apart from the cluster (default
// port 52001). It serves what a client needs to sign in and out, as cmd/authn/hserv.go does:
//   POST   /v1/users/NAME  {"password": ..., "expires_in": <Go duration, ns> | null}  → {"token": "<JWT>"}
//   DELETE /v1/tokens      {"token": ...}                                           → 200 (revoked)
// Its errors are AIStore's JSON (cmn/err.go ErrHTTP). Users, roles and clusters are fixed at start
// (flags), so AuthN's management routes answer 501.
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { formatGoDuration } from './duration';
import { AuthnTokens, AuthnUser, MAX_TOKEN_AGE_MS, MIN_EXPIRATION_MS, samePassword, TokenError } from './tokens';

export interface AuthnOptions {
  /** Who may sign in; the gateway's main.ts defaults to admin:admin (AuthN's AIS_AUTHN_SU_NAME/PASS). */
  users: AuthnUser[];
  /** HMAC secret the tokens are signed with (AIS_AUTHN_SECRET_KEY). */
  secret: string;
  /** Lifetime of a token when the login does not ask for one (AIS_AUTHN_TTL; AuthN's default 24h). */
  ttlMs: number;
  /** AuthN's own port; 0 (default) picks a free one. The gateway program defaults to AuthN's 52001. */
  port?: number;
}

export interface AuthnServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** An error as cmn.WriteErr sends it; AuthN has no node name. */
class AuthnHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly tcode = '',
  ) {
    super(message);
  }
}

/** cmn.NewErrFailedTo(mgr, action, what, err): "AuthN: failed to ACTION WHAT, err: ERR". */
const failedTo = (status: number, action: string, what: string, err: string) => new AuthnHttpError(status, `AuthN: failed to ${action} ${what}, err: ${err}`, 'ErrFailedTo');

function sendJson(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(req: http.IncomingMessage, res: http.ServerResponse, e: AuthnHttpError): void {
  const body: Record<string, unknown> = {};
  if (e.tcode) body.tcode = e.tcode;
  Object.assign(body, {
    message: e.message,
    method: req.method,
    url_path: (req.url ?? '/').split('?', 1)[0],
    remote_addr: `${req.socket.remoteAddress ?? ''}:${req.socket.remotePort ?? ''}`,
    caller: '',
    node: '',
    status: e.status,
  });
  sendJson(res, e.status, JSON.stringify(body));
}

/** Go's http.Error: text/plain with a newline (ServeMux's 404, WriteErr405). */
function sendText(res: http.ServerResponse, status: number, text: string, headers: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function readJson<T>(req: http.IncomingMessage, what: string): Promise<T> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 1 << 20) throw new AuthnHttpError(400, 'request body too large');
    chunks.push(c as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
  } catch (e) {
    // cmn.WriteErrJSON: FmtErrUnmarshal
    throw new AuthnHttpError(400, `${(req.url ?? '/').split('?', 1)[0]}: failed to unmarshal [${what}] (${req.method}), err: ${(e as Error).message}`);
  }
}

export async function startAuthn(options: AuthnOptions, tokens: AuthnTokens, host: string, tls?: { cert: Buffer; key: Buffer }): Promise<AuthnServer> {
  const users = new Map(options.users.map((u) => [u.name, u]));
  let issuer = '';

  /** mgr.issueToken + getExp: unknown user and wrong password are the same 401. */
  const login = async (name: string, body: { password?: unknown; expires_in?: unknown }): Promise<string> => {
    if (typeof body.password !== 'string' || body.password === '') throw new AuthnHttpError(401, 'empty password');
    const user = users.get(name);
    // Compared even for an unknown user, so the answer takes as long either way.
    const ok = samePassword(body.password, user?.password ?? '\u0000no such user');
    if (!user || !ok) throw failedTo(401, 'generate token for', name, 'invalid credentials');
    let lifetime = options.ttlMs;
    if (body.expires_in !== undefined && body.expires_in !== null) {
      if (typeof body.expires_in !== 'number' || !Number.isFinite(body.expires_in)) throw new AuthnHttpError(400, `${'/v1/users/' + name}: failed to unmarshal [*authn.LoginMsg] (POST), err: expires_in must be a number of nanoseconds`);
      const ms = body.expires_in / 1e6;
      if (ms === 0) lifetime = MAX_TOKEN_AGE_MS;
      else if (ms < MIN_EXPIRATION_MS)
        throw failedTo(400, 'generate token for', name, `invalid requested expiry date: must be 0 or >= ${formatGoDuration(MIN_EXPIRATION_MS)}`);
      else if (ms > MAX_TOKEN_AGE_MS)
        throw failedTo(400, 'generate token for', name, `invalid requested expiry date: cannot exceed configured max token age: ${formatGoDuration(MAX_TOKEN_AGE_MS)}`);
      else lifetime = ms;
    }
    return tokens.issue(user, lifetime, issuer);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?', 1)[0];
    const parts = path.split('/').filter(Boolean); // ['v1', 'users', NAME]
    const method = req.method ?? 'GET';
    const resource = parts[0] === 'v1' ? parts[1] : undefined;
    if (resource === 'users') {
      if (method === 'POST' && parts.length === 3) {
        let name: string;
        try {
          name = decodeURIComponent(parts[2]);
        } catch {
          throw new AuthnHttpError(400, `invalid URL path "${path}"`);
        }
        const body = await readJson<{ password?: unknown; expires_in?: unknown }>(req, '*authn.LoginMsg');
        const token = await login(name, body ?? {});
        // hserv.go userLogin writes exactly this.
        sendJson(res, 200, `{"token": ${JSON.stringify(token)}}`);
        return;
      }
      if (!['POST', 'PUT', 'GET', 'DELETE'].includes(method)) return sendText(res, 405, 'Method Not Allowed\n', { Allow: 'DELETE, GET, POST, PUT' });
      throw new AuthnHttpError(501, `${method} ${path} is not implemented by the AIS Buckets gateway's AuthN: its users are set when it starts (--authn-user)`);
    }
    if (resource === 'tokens' && parts.length === 2) {
      if (method !== 'DELETE') return sendText(res, 405, 'Method Not Allowed\n', { Allow: 'DELETE' });
      const body = await readJson<{ token?: unknown }>(req, '*authn.TokenMsg');
      if (typeof body?.token !== 'string' || body.token === '') throw new AuthnHttpError(400, 'empty token');
      let claims;
      try {
        claims = await tokens.verifySignature(body.token);
      } catch (e) {
        if (e instanceof TokenError) throw new AuthnHttpError(401, e.message);
        throw e;
      }
      tokens.revoke(body.token, claims);
      res.writeHead(200, { 'Content-Length': 0 });
      res.end();
      return;
    }
    if (resource && ['clusters', 'roles', 'daemon'].includes(resource)) {
      throw new AuthnHttpError(501, `${method} ${path} is not implemented by the AIS Buckets gateway's AuthN: its users and cluster are set when it starts`);
    }
    sendText(res, 404, '404 page not found\n');
  };

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(req, res).catch((e: unknown) => {
      if (!req.complete) req.resume();
      if (res.headersSent) return res.destroy();
      if (e instanceof AuthnHttpError) return sendError(req, res, e);
      sendError(req, res, new AuthnHttpError(500, (e as Error)?.message ?? String(e)));
    });
  };
  const server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, handler) : http.createServer(handler);
  server.keepAliveTimeout = 65_000;
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `${tls ? 'https' : 'http'}://${urlHost}:${port}`;
  // The `iss` claim: AuthN's external URL (AIS_AUTHN_EXTERNAL_URL, else its own address).
  issuer = url;
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
