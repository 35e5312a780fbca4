// A gateway running with AuthN (its own listener on a free loopback port), and raw sign-in requests to it.
import * as assert from 'node:assert/strict';
import type { AuthnOptions } from '../../src/gateway/authn/server';
import type { GatewayOptions } from '../../src/gateway/server';
import { request } from './http';
import { startNativeGateway } from './native';
import type { TestGateway } from './gateway';

export const ADMIN = { name: 'admin', password: 'admin-pass:with:colons' };
export const GUEST = { name: 'guest', password: 'guest-pass' };
export const SECRET = 'test-secret-for-hs256';

/** AuthN with an admin and a read-only guest, tokens lasting `ttlMs` (default one hour). */
export function authnOptions(over: Partial<AuthnOptions> = {}): AuthnOptions {
  return {
    users: [
      { ...ADMIN, role: 'admin' },
      { ...GUEST, role: 'guest' },
    ],
    secret: SECRET,
    ttlMs: 3_600_000,
    port: 0,
    ...over,
  };
}

export interface AuthnGateway {
  gw: TestGateway;
  v1: string;
  authnUrl: string;
}

export async function startAuthnGateway(over: Partial<AuthnOptions> = {}, gatewayOptions: Partial<GatewayOptions> = {}): Promise<AuthnGateway> {
  const { gw, v1 } = await startNativeGateway({ ...gatewayOptions, authn: authnOptions(over) });
  assert.ok(gw.authnUrl, 'the gateway reports its AuthN URL');
  return { gw, v1, authnUrl: gw.authnUrl };
}

/** POST {authn}/v1/users/NAME as `ais auth login` sends it; the token, or the failed reply. */
export async function login(authnUrl: string, user: string, password: string, expiresInNs: number | null = null): Promise<string> {
  const r = await request('POST', `${authnUrl}/v1/users/${user}`, { json: { password, expires_in: expiresInNs } });
  assert.equal(r.status, 200, r.body.toString());
  const token = (r.json as { token?: unknown }).token;
  assert.equal(typeof token, 'string');
  return token as string;
}

/** The claims of a JWT, decoded (not verified). */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
