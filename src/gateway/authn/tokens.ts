// AuthN's tokens: HS256 JWTs signed with one secret (AIS_AUTHN_SECRET_KEY), the claims AIStore's AuthN
// puts in them, and the checks an AIStore proxy makes before it serves a request. Facts from AIStore's
// source (read at commit 583e7729): cmd/authn/tok/token.go (AISClaims: clusters, buckets, admin + the
// registered sub, exp, iat, iss; HS256 signed with []byte(secret); exp required), cmd/authn/mgr.go
// (buildClaims, getExp), ais/prxauth.go (validateToken: revoked first, then signature and expiry),
// api/authn/errors.go (the error texts) and api/apc/access.go (permission bits).
import * as crypto from 'node:crypto';
import { errors as jose, jwtVerify, SignJWT } from 'jose';

/** api/authn/config.go MinAuthExpiration: AuthN refuses a requested lifetime below it. */
export const MIN_EXPIRATION_MS = 60_000;
/** cmd/authn/config defaultMaxTokenAge (90 days): the longest lifetime a login may ask for. */
export const MAX_TOKEN_AGE_MS = 90 * 24 * 3_600_000;
/** cmd/authn/config defaultTokenExpiration (AIS_AUTHN_TTL). */
export const DEFAULT_TTL_MS = 24 * 3_600_000;

// api/apc/access.go: AccessRO (GET, HEAD-OBJECT, HEAD-BUCKET, LIST-OBJECTS) | ClusterAccessRO (LIST-BUCKETS, SHOW-CLUSTER).
const ACCESS_RO = 1n | 2n | 256n | 512n;
const CLUSTER_ACCESS_RO = 4096n | 8192n;
/** What a guest's token grants: read-only access to the cluster and its buckets. */
export const GUEST_PERMS = ACCESS_RO | CLUSTER_ACCESS_RO;
/** apc.AccessAll: every bit, current and future. */
export const ACCESS_ALL = (1n << 64n) - 1n;

export interface AuthnUser {
  name: string;
  password: string;
  /** admin: the `admin` claim (everything); guest: read-only access (GUEST_PERMS) to this cluster. */
  role: 'admin' | 'guest';
}

/** A cluster ACL as the token carries it (api/authn/entity.go CluACL: perm is a decimal string). */
export interface ClusterAcl {
  id: string;
  perm: string;
}

/** The claims of an AuthN token (tok.AISClaims). */
export interface AisClaims {
  sub: string;
  exp: number;
  iat?: number;
  iss?: string;
  admin: boolean;
  clusters: ClusterAcl[] | null;
  buckets?: unknown[];
}

/** Why a request's token is refused; `message` is what AIStore says (api/authn/errors.go, tok.ValidateToken). */
export type TokenFailure = 'required' | 'invalid' | 'expired' | 'revoked';

export class TokenError extends Error {
  constructor(
    readonly reason: TokenFailure,
    message: string,
  ) {
    super(message);
    this.name = 'TokenError';
  }
}

/** The header a token came in, as ais/prxauth.go names it in its messages. */
export type TokenHeader = 'Authorization' | 'X-Amz-Security-Token';

/**
 * tok.ExtractToken: `Authorization: Bearer <token>` first, then X-Amz-Security-Token (how the AWS SDK
 * sends a session token: AIStore takes the JWT there and does not check the SigV4 signature).
 */
export function extractToken(headers: Record<string, string | string[] | undefined>): { header: TokenHeader; token: string } | undefined {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const auth = one(headers['authorization']) ?? '';
  const space = auth.indexOf(' ');
  if (space > 0 && auth.slice(0, space) === 'Bearer' && auth.slice(space + 1) !== '') return { header: 'Authorization', token: auth.slice(space + 1) };
  const amz = one(headers['x-amz-security-token']);
  return amz ? { header: 'X-Amz-Security-Token', token: amz } : undefined;
}

export class AuthnTokens {
  private readonly key: Uint8Array;
  /** Revoked tokens and when they expire anyway (ms), to forget them then. */
  private readonly revoked = new Map<string, number>();

  constructor(
    secret: string,
    /** This cluster's UUID: what a guest's cluster ACL names. */
    readonly clusterId: string,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  /** Signs a token for `user` that expires `lifetimeMs` from now, issued by `issuer` (AuthN's URL). */
  async issue(user: AuthnUser, lifetimeMs: number, issuer: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: Omit<AisClaims, 'sub' | 'exp' | 'iat' | 'iss'> =
      user.role === 'admin' ? { clusters: null, admin: true } : { clusters: [{ id: this.clusterId, perm: GUEST_PERMS.toString() }], admin: false };
    return new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(issuer)
      .setSubject(user.name)
      .setIssuedAt(now)
      .setExpirationTime(now + Math.max(1, Math.round(lifetimeMs / 1000)))
      .sign(this.key);
  }

  /** What a proxy checks (ais/prxauth.go validateToken): not revoked, then signature, claims and expiry. */
  async verify(token: string): Promise<AisClaims> {
    this.forgetExpired();
    if (this.revoked.has(token)) throw new TokenError('revoked', 'invalid token [err: token revoked]');
    return this.verifySignature(token);
  }

  /** Signature and claims only (cmd/authn mgr.validateTokenSignature): revoking twice stays harmless. */
  async verifySignature(token: string): Promise<AisClaims> {
    if (token.split('.').length !== 3) throw new TokenError('invalid', 'invalid token [err: token is malformed: token contains an invalid number of segments]');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], requiredClaims: ['exp'] }));
    } catch (e) {
      throw new TokenError(e instanceof jose.JWTExpired ? 'expired' : 'invalid', `invalid token [err: ${goJwtWords(e)}]`);
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new TokenError('invalid', "invalid token [err: token has invalid claims: missing 'sub' claim]");
    return {
      sub: payload.sub,
      exp: payload.exp as number,
      iat: typeof payload.iat === 'number' ? payload.iat : undefined,
      iss: typeof payload.iss === 'string' ? payload.iss : undefined,
      admin: payload.admin === true,
      clusters: Array.isArray(payload.clusters) ? (payload.clusters as ClusterAcl[]) : null,
    };
  }

  /** Adds a verified token to the revoked list (kept until it would have expired). */
  revoke(token: string, claims: AisClaims): void {
    this.revoked.set(token, claims.exp * 1000);
  }

  /** A cluster's revoke request (DELETE /v1/tokens): tokens it may not be able to decode are kept a day past now. */
  revokeAll(tokens: string[]): void {
    for (const token of tokens) {
      let exp = Date.now() + DEFAULT_TTL_MS;
      try {
        const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
        if (typeof payload.exp === 'number') exp = payload.exp * 1000;
      } catch {
        // not a JWT: keep it the default time
      }
      this.revoked.set(token, exp);
    }
  }

  private forgetExpired(): void {
    const now = Date.now();
    for (const [token, exp] of this.revoked) if (exp < now) this.revoked.delete(token);
  }
}

/**
 * The permission a token grants here (tok.AISClaims.CheckPermissions, coarsely): the admin claim allows
 * everything; otherwise the ACL for this cluster (or the default one, id ""), where reads (GET, HEAD)
 * need the read-only bits and anything else needs all of them.
 */
export function allows(claims: AisClaims, clusterId: string, method: string): boolean {
  if (claims.admin) return true;
  const acl = claims.clusters?.find((c) => c.id === clusterId) ?? claims.clusters?.find((c) => c.id === '');
  let perm: bigint;
  try {
    perm = BigInt(acl?.perm ?? '0');
  } catch {
    return false;
  }
  const need = method === 'GET' || method === 'HEAD' ? GUEST_PERMS : ACCESS_ALL;
  return (perm & need) === need;
}

/** jose's reasons in golang-jwt's words, which AIStore passes on: "token is malformed: ...", and so on. */
function goJwtWords(e: unknown): string {
  if (e instanceof jose.JWTExpired) return 'token expired';
  if (e instanceof jose.JWSSignatureVerificationFailed) return 'token signature is invalid: signature is invalid';
  if (e instanceof jose.JOSEAlgNotAllowed) return 'token signature is invalid: signing method is invalid';
  if (e instanceof jose.JWTClaimValidationFailed) return `token has invalid claims: ${e.claim === 'exp' && e.reason === 'missing' ? 'token is missing required claim: exp claim is required' : e.message}`;
  if (e instanceof jose.JWSInvalid || e instanceof jose.JWTInvalid) return `token is malformed: ${e.message}`;
  return `token is malformed: ${(e as Error)?.message ?? String(e)}`;
}

/** Passwords compared in constant time (their SHA-256, so lengths do not show). */
export function samePassword(given: string, expected: string): boolean {
  const h = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest();
  return crypto.timingSafeEqual(h(given), h(expected));
}
