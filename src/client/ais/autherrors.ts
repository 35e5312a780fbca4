// A cluster's refusals (401/403) told apart by what is wrong with the credentials, so the extension can
// offer the right fix (sign in again, get a token, ask for a permission). AIStore words them in
// ais/prxauth.go and api/authn/errors.go: "token required", "invalid token from header \"Authorization\":
// invalid token [err: token expired]" (or "... [err: token revoked]", or a JWT parser's reason), and for
// a missing permission "user `NAME` has insufficient permissions ..." with 403. Its /s3 side says the same
// with 403 for all of them. Some of these messages end with the token itself: it is cut out here.
import { AuthProblem, ClientError } from '../cluster';

/** JWTs (three base64url parts, the first an encoded JSON header) and the token sent, out of `text`. */
export function redactTokens(text: string, token?: string): string {
  let out = token && token.length >= 8 ? text.split(token).join('<token>') : text;
  out = out.replace(/eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g, '<token>');
  return out;
}

/** Which credential problem a 401/403 is, from the server's message and whether a token was sent. */
export function tokenProblem(status: number, serverMessage: string | undefined, sentToken: boolean): AuthProblem {
  const said = serverMessage ?? '';
  if (/token expired|token is expired|expired token/i.test(said)) return 'token-expired';
  if (/token revoked|invalid token|token is malformed|signature is invalid/i.test(said)) return 'token-invalid';
  if (/token required/i.test(said)) return 'no-credentials';
  if (/insufficient permissions/i.test(said)) return 'denied';
  if (status === 401) return sentToken ? 'token-invalid' : 'no-credentials';
  return sentToken ? 'denied' : 'no-credentials';
}

/** What AIStore said was wrong with an invalid token, without the token: "token signature is invalid: ...". */
function invalidReason(said: string): string | undefined {
  const inner = /\[err: ([^\]]+)\]/.exec(said)?.[1];
  return inner && !/^token (revoked|expired)$/.test(inner) ? inner.slice(0, 120) : undefined;
}

/**
 * The ClientError for a cluster's 401/403 on `target`, when the client sent an AuthN token (`token`) or
 * nothing. The server's words appear only where they help (a missing permission), and never a token.
 */
export function clusterAuthError(status: number, endpoint: string, target: string, serverMessage: string | undefined, token: string | undefined, code?: string, cause?: unknown): ClientError {
  const said = serverMessage ? redactTokens(serverMessage.trim(), token).slice(0, 300) : '';
  const problem = tokenProblem(status, said, !!token);
  let message: string;
  switch (problem) {
    case 'token-expired':
      message = `The AuthN token for ${endpoint} has expired: sign in again.`;
      break;
    case 'token-invalid':
      message = /revoked/i.test(said)
        ? `The AuthN token for ${endpoint} was revoked: sign in again.`
        : `${endpoint} does not accept the AuthN token${invalidReason(said) ? ` (${invalidReason(said)})` : ''}: sign in again to this cluster's AuthN, or check the token.`;
      break;
    case 'no-credentials':
      message = `${endpoint} requires an AuthN token for ${target} (${status}): sign in to the cluster's AuthN server, or give a token.`;
      break;
    default:
      message = `${endpoint} denied ${target} (${status}): the token's user lacks the permission; ask an AuthN admin for a role that allows it.${said ? ` Server said: ${said}` : ''}`;
  }
  return new ClientError('auth', message, endpoint, status, code, { authProblem: problem, ...(cause ? { cause } : {}) });
}
