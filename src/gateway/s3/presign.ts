// Presigned (query-string) SigV4 requests: X-Amz-Date + X-Amz-Expires bound how long the URL works.
// Only the time window is checked here; the signature itself is a separate concern (issue 7).
import { GatewayError } from '../errors';

/** SigV4 allows presigned URLs from 1 second up to 7 days. */
const MAX_EXPIRES = 7 * 24 * 3600;

/** "20260125T093512Z" → ms since the epoch, or undefined when malformed. */
export function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  const t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return Number.isFinite(t) ? t : undefined;
}

/**
 * Refuses a presigned request outside its window, the way S3 answers: 403 AccessDenied "Request has expired"
 * once X-Amz-Date + X-Amz-Expires has passed; 400 AuthorizationQueryParametersError for a malformed window.
 * Requests without X-Amz-Expires (header-signed or anonymous) pass untouched.
 */
export function checkPresignedWindow(query: URLSearchParams, now = Date.now()): void {
  const expiresRaw = query.get('X-Amz-Expires');
  if (expiresRaw === null || query.get('X-Amz-Algorithm') === null) return;
  const dateRaw = query.get('X-Amz-Date') ?? '';
  const signed = parseAmzDate(dateRaw);
  if (signed === undefined) {
    throw new GatewayError(400, 'AuthorizationQueryParametersError', 'X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"');
  }
  if (!/^\d+$/.test(expiresRaw)) throw new GatewayError(400, 'AuthorizationQueryParametersError', 'X-Amz-Expires should be a number');
  const expires = Number(expiresRaw);
  if (expires < 1) throw new GatewayError(400, 'AuthorizationQueryParametersError', 'X-Amz-Expires must be non-negative');
  if (expires > MAX_EXPIRES) throw new GatewayError(400, 'AuthorizationQueryParametersError', 'X-Amz-Expires must be less than a week (in seconds) that is 604800');
  // S3 allows 15 minutes of clock skew for a URL dated in the future.
  if (signed - now > 15 * 60_000) throw new GatewayError(403, 'AccessDenied', 'Request is not valid yet');
  const end = signed + expires * 1000;
  if (now > end) {
    throw new GatewayError(403, 'AccessDenied', 'Request has expired', {
      'X-Amz-Expires': String(expires),
      Expires: new Date(end).toISOString(),
      ServerTime: new Date(now).toISOString(),
    });
  }
}
