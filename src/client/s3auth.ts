// S3's credential failures, each as the AuthProblem that says which fix it wants (re-type the key, set
// the clock, sign in again), and a credential provider's failure as a ClientError 'auth'. The access key
// id is shown masked; no secret, token or string-to-sign reaches a message.
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { maskAccessKey, redactSecrets } from '../common/secrets';
import { clusterAuthError } from './ais/autherrors';
import { AuthProblem, ClientError } from './cluster';

/** The parts of an SDK S3 error these read (S3 puts the extra fields in its error XML). */
export interface S3AuthErrorFields {
  /** InvalidAccessKeyId, SignatureDoesNotMatch: the key the request was signed with (not a secret). */
  AWSAccessKeyId?: string;
  /** RequestTimeTooSkewed: what the request said and what the server's clock says. */
  RequestTime?: string;
  ServerTime?: string;
  $response?: { headers?: Record<string, string> };
}

/**
 * S3's credential errors, each with the fix it wants (AuthProblem). The access key id is shown masked;
 * the server's message is left out where it could repeat what was signed (the string to sign).
 */
export function s3AuthError(e: S3AuthErrorFields, code: string | undefined, status: number, endpoint: string, target: string, message: string | undefined, anonymous: boolean): ClientError | undefined {
  const auth = (problem: AuthProblem, text: string) => new ClientError('auth', text, endpoint, status, code, { authProblem: problem });
  const key = e.AWSAccessKeyId ? ` ${maskAccessKey(e.AWSAccessKeyId)}` : '';
  switch (code) {
    case 'InvalidAccessKeyId':
      return auth('unknown-key', `The access key${key} is not known to ${endpoint}: check the access key for this cluster.`);
    case 'SignatureDoesNotMatch':
      return auth('wrong-secret', `${endpoint} rejected the signature on ${target} (${status}): the secret key does not match the access key${key}, so check the secret key for this cluster.`);
    case 'RequestTimeTooSkewed':
      return auth('clock-skew', `${clockSkew(e, endpoint)}: set the clock (or enable NTP) and retry.`);
    case 'ExpiredToken':
    case 'TokenRefreshRequired':
      return auth('token-expired', `The temporary credentials for ${endpoint} have expired: get new ones (for an AWS profile, sign in again) and retry.`);
    case 'InvalidToken':
      return auth('token-invalid', `${endpoint} does not accept the session token sent with the keys: check the session token, or get new temporary credentials.`);
  }
  if (status !== 401 && status !== 403) return undefined;
  // An AIStore cluster's /s3 side refusing an AuthN token (or asking for one) says so in its message.
  if (message && /token required|invalid token|token (expired|revoked)/i.test(message)) return clusterAuthError(status, endpoint, target, message, undefined, code);
  if (anonymous) return auth('no-credentials', `${endpoint} wants credentials for ${target} and none were sent (${status}): add keys, or choose an AWS profile, for this cluster.`);
  if (code === 'AccessDenied' || code === 'AllAccessDisabled') {
    const said = message && !/^Access Denied\.?$/i.test(message) ? ` Server said: ${redactSecrets(message).slice(0, 300)}` : '';
    return auth('denied', `${endpoint} denied access to ${target} (${status}): the credentials are valid but lack the permission for this.${said}`);
  }
  return undefined;
}

/** "This machine's clock is 20 minutes behind http://host's", from the error's times or the Date header. */
function clockSkew(e: S3AuthErrorFields, endpoint: string): string {
  const parse = (t: string | undefined) => {
    if (!t) return NaN;
    const basic = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(t);
    return basic ? Date.UTC(+basic[1], +basic[2] - 1, +basic[3], +basic[4], +basic[5], +basic[6]) : new Date(t).getTime();
  };
  let offset = parse(e.RequestTime) - parse(e.ServerTime);
  if (isNaN(offset)) offset = Date.now() - parse(e.$response?.headers?.['date']);
  if (isNaN(offset)) return `This machine's clock is too far off ${endpoint}'s (more than 15 minutes)`;
  const minutes = Math.max(1, Math.round(Math.abs(offset) / 60_000));
  return `This machine's clock is ${minutes} ${minutes === 1 ? 'minute' : 'minutes'} ${offset < 0 ? 'behind' : 'ahead of'} ${endpoint}'s`;
}

/**
 * The SDK calls the provider when it signs; a failure there (no such profile, a credential_process that
 * failed) reaches the caller as a ClientError 'auth'. Errors that carry their own sentence and
 * authProblem (src/config/awscredentials.ts) keep them.
 */
export function credentialsOrClientError(provider: AwsCredentialIdentityProvider, endpoint: string): AwsCredentialIdentityProvider {
  return async (props) => {
    try {
      return await provider(props);
    } catch (err) {
      if (err instanceof ClientError) throw err;
      const e = err as { message?: string; authProblem?: AuthProblem; name?: string };
      const described = typeof e.authProblem === 'string' && e.message;
      const message = described ? e.message! : `Could not get credentials for ${endpoint} (${redactSecrets(String(e.message ?? err).split('\n')[0]).slice(0, 200)}).`;
      throw new ClientError('auth', message, endpoint, undefined, e.name, { cause: err, authProblem: described ? e.authProblem : 'no-credentials' });
    }
  };
}
