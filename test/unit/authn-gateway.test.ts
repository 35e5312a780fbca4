// The gateway with AuthN, on the wire: its AuthN signs users in and revokes tokens as AIStore's AuthN
// does (cmd/authn/hserv.go), and its /v1 and /s3 refuse requests without a valid token in AIStore's words
// (ais/prxauth.go): 401 "token required", "invalid token from header ...: invalid token [err: ...]" for
// garbage, foreign, expired and revoked tokens, 403 for a missing permission; /v1/health stays open.
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SignJWT } from 'jose';
import { ADMIN, bearer, claimsOf, GUEST, login, sleep, startAuthnGateway, AuthnGateway, SECRET } from '../helpers/authn';
import { request } from '../helpers/http';
import { assertAisError } from '../helpers/native';
import { nativeToken } from '../../src/common/token';

const creds = { accessKey: 'AKIDAUTHNTEST', secretKey: 'authn/secret+key' };

function sdk(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): S3Client {
  return new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials, maxAttempts: 1 });
}

describe('the gateway with AuthN', () => {
  let g: AuthnGateway;
  let admin: string;

  before(async () => {
    g = await startAuthnGateway();
    admin = await login(g.authnUrl, ADMIN.name, ADMIN.password);
  });
  after(async () => {
    await g.gw.dispose();
  });

  test('AuthN signs a user in with {"token"}: an HS256 JWT with sub, exp, iat, iss and the admin claim', async () => {
    const r = await request('POST', `${g.authnUrl}/v1/users/${ADMIN.name}`, { json: { password: ADMIN.password, expires_in: null } });
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /application\/json/);
    assert.match(r.body.toString(), /^\{"token": "[\w-]+\.[\w-]+\.[\w-]+"\}$/);
    const token = (r.json as { token: string }).token;
    assert.deepEqual(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()), { alg: 'HS256', typ: 'JWT' });
    const c = claimsOf(token);
    assert.equal(c.sub, ADMIN.name);
    assert.equal(c.admin, true);
    assert.equal(c.iss, g.authnUrl);
    assert.equal((c.exp as number) - (c.iat as number), 3600);
    // the guest's token carries a read-only ACL for this cluster instead
    const guest = claimsOf(await login(g.authnUrl, GUEST.name, GUEST.password));
    assert.equal(guest.admin, false);
    assert.deepEqual(guest.clusters, [{ id: g.gw.store.config().uuid, perm: '13059' }]);
  });

  test('a login may ask for its lifetime (Go duration in ns) within AuthN limits', async () => {
    const hour = claimsOf(await login(g.authnUrl, ADMIN.name, ADMIN.password, 3600e9));
    assert.equal((hour.exp as number) - (hour.iat as number), 3600);
    const longest = claimsOf(await login(g.authnUrl, ADMIN.name, ADMIN.password, 0));
    assert.equal((longest.exp as number) - (longest.iat as number), 90 * 24 * 3600);
    const short = await request('POST', `${g.authnUrl}/v1/users/${ADMIN.name}`, { json: { password: ADMIN.password, expires_in: 5e9 } });
    const e = assertAisError(short, 400, /^AuthN: failed to generate token for admin, err: invalid requested expiry date: must be 0 or >= 1m0s$/);
    assert.equal(e.tcode, 'ErrFailedTo');
    const long = await request('POST', `${g.authnUrl}/v1/users/${ADMIN.name}`, { json: { password: ADMIN.password, expires_in: 100 * 24 * 3600e9 } });
    assertAisError(long, 400, /cannot exceed configured max token age: 2160h0m0s$/);
  });

  test('a wrong password and an unknown user are the same 401 "invalid credentials"; an empty password is refused', async () => {
    for (const [user, password] of [[ADMIN.name, 'wrong'], ['nobody', ADMIN.password]]) {
      const r = await request('POST', `${g.authnUrl}/v1/users/${user}`, { json: { password } });
      const e = assertAisError(r, 401, new RegExp(`^AuthN: failed to generate token for ${user}, err: invalid credentials$`));
      assert.equal(e.tcode, 'ErrFailedTo');
      assert.doesNotMatch(r.body.toString(), new RegExp(password));
    }
    assertAisError(await request('POST', `${g.authnUrl}/v1/users/${ADMIN.name}`, { json: { password: '' } }), 401, /^empty password$/);
    assertAisError(await request('POST', `${g.authnUrl}/v1/users/${ADMIN.name}`, { body: 'not json' }), 400, /failed to unmarshal/);
    const other = await request('GET', `${g.authnUrl}/v1/nothing`);
    assert.equal(other.status, 404);
    assert.equal(other.body.toString(), '404 page not found\n');
  });

  test('/v1 without a token: 401 "token required" (HEAD: in Hdr-Error); /v1/health stays open', async () => {
    assertAisError(await request('GET', `${g.v1}/buckets/`), 401, /^token required$/);
    assertAisError(await request('HEAD', `${g.v1}/buckets/b?provider=ais`), 401, /^token required$/);
    // a signature without a token is no token (AIStore does not check SigV4 keys)
    assertAisError(await request('GET', `${g.v1}/buckets/`, { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=x/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00' } }), 401, /^token required$/);
    assertAisError(await request('GET', `${g.v1}/buckets/`, { headers: { authorization: 'Bearer' } }), 401, /^token required$/);
    assert.equal((await request('GET', `${g.v1}/health`)).status, 200);
  });

  test('/v1 with a valid token serves; garbage and foreign tokens are 401 "invalid token"', async () => {
    const ok = await request('GET', `${g.v1}/buckets/`, { headers: bearer(admin) });
    assert.equal(ok.status, 200);
    assert.equal((await request('POST', `${g.v1}/buckets/authn-b`, { headers: bearer(admin), json: { action: 'create-bck' } })).status, 200);
    assertAisError(
      await request('GET', `${g.v1}/buckets/`, { headers: bearer('garbage') }),
      401,
      /^invalid token from header "Authorization": invalid token \[err: token is malformed: token contains an invalid number of segments\]$/,
    );
    const now = Math.floor(Date.now() / 1000);
    const foreign = await new SignJWT({ admin: true }).setProtectedHeader({ alg: 'HS256' }).setSubject('admin').setExpirationTime(now + 60).sign(new TextEncoder().encode('another secret'));
    assertAisError(await request('GET', `${g.v1}/buckets/`, { headers: bearer(foreign) }), 401, /invalid token \[err: token signature is invalid: signature is invalid\]$/);
    const noExp = await new SignJWT({ admin: true }).setProtectedHeader({ alg: 'HS256' }).setSubject('admin').sign(new TextEncoder().encode(SECRET));
    assertAisError(await request('GET', `${g.v1}/buckets/`, { headers: bearer(noExp) }), 401, /exp claim is required/);
    const noSub = await new SignJWT({ admin: true }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(now + 60).sign(new TextEncoder().encode(SECRET));
    assertAisError(await request('GET', `${g.v1}/buckets/`, { headers: bearer(noSub) }), 401, /missing 'sub' claim/);
    // the same secret makes the same tokens: one signed elsewhere (AIS_AUTHN_SECRET_KEY shared) is accepted
    const elsewhere = await new SignJWT({ admin: true, clusters: null }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject('ops').setExpirationTime(now + 60).sign(new TextEncoder().encode(SECRET));
    assert.equal((await request('GET', `${g.v1}/buckets/`, { headers: bearer(elsewhere) })).status, 200);
  });

  test('a revoked token is refused with "token revoked", and the message never holds the token', async () => {
    // Its own lifetime makes it another token than `admin` (the same claims signed the same second are the same JWT).
    const token = await login(g.authnUrl, ADMIN.name, ADMIN.password, 7200e9);
    assert.notEqual(token, admin);
    assert.equal((await request('GET', `${g.v1}/buckets/`, { headers: bearer(token) })).status, 200);
    const revoke = await request('DELETE', `${g.authnUrl}/v1/tokens`, { json: { token } });
    assert.equal(revoke.status, 200, revoke.body.toString());
    // revoking again stays harmless (signature-only check, as AuthN's)
    assert.equal((await request('DELETE', `${g.authnUrl}/v1/tokens`, { json: { token } })).status, 200);
    const r = await request('GET', `${g.v1}/buckets/`, { headers: bearer(token) });
    assertAisError(r, 401, /^invalid token from header "Authorization": invalid token \[err: token revoked\]$/);
    assert.ok(!r.body.toString().includes(token));
    assertAisError(await request('DELETE', `${g.authnUrl}/v1/tokens`, { json: { token: 'garbage' } }), 401, /invalid token/);
    assertAisError(await request('DELETE', `${g.authnUrl}/v1/tokens`, { json: {} }), 400, /^empty token$/);
    // other tokens of the same user still work
    assert.equal((await request('GET', `${g.v1}/buckets/`, { headers: bearer(admin) })).status, 200);
  });

  test("the cluster's /v1/tokens: POST validates a token, DELETE takes a revoked list from an admin only", async () => {
    const guest = await login(g.authnUrl, GUEST.name, GUEST.password);
    assert.equal((await request('POST', `${g.v1}/tokens`, { headers: bearer(guest) })).status, 200);
    assertAisError(await request('POST', `${g.v1}/tokens`, { headers: bearer('x.y.z') }), 401, /invalid token/);
    const victim = await login(g.authnUrl, GUEST.name, GUEST.password, 120e9);
    assertAisError(await request('DELETE', `${g.v1}/tokens`, { headers: bearer(guest), json: { tokens: [victim], version: '0' } }), 403, /insufficient permissions/);
    assert.equal((await request('DELETE', `${g.v1}/tokens`, { headers: bearer(admin), json: { tokens: [victim], version: '0' } })).status, 200);
    assertAisError(await request('GET', `${g.v1}/buckets/`, { headers: bearer(victim) }), 401, /token revoked/);
  });

  test("a guest's token reads but does not write: 403 insufficient permissions", async () => {
    const guest = await login(g.authnUrl, GUEST.name, GUEST.password);
    assert.equal((await request('GET', `${g.v1}/buckets/`, { headers: bearer(guest) })).status, 200);
    assert.equal((await request('GET', `${g.v1}/daemon?what=smap`, { headers: bearer(guest) })).status, 200);
    assertAisError(await request('POST', `${g.v1}/buckets/guest-b`, { headers: bearer(guest), json: { action: 'create-bck' } }), 403, /^user `guest` has insufficient permissions/);
    const s3 = await request('PUT', `${g.gw.s3Endpoint}/authn-b/k`, { headers: { 'x-amz-security-token': guest }, body: 'x' });
    assert.equal(s3.status, 403);
    assert.match(s3.body.toString(), /<Code>AccessDenied<\/Code><Message>user `guest` has insufficient permissions/);
  });

  test('/s3: 403 without a token; the JWT in X-Amz-Security-Token (the AWS SDK session token) or as Bearer serves', async () => {
    const none = await request('GET', `${g.gw.s3Endpoint}/`);
    assert.equal(none.status, 403);
    assert.match(none.body.toString(), /<Code>AccessDenied<\/Code><Message>token required<\/Message>/);
    assert.equal((await request('GET', `${g.gw.s3Endpoint}/`, { headers: { 'x-amz-security-token': admin } })).status, 200);
    assert.equal((await request('GET', `${g.gw.s3Endpoint}/`, { headers: bearer(admin) })).status, 200);
    const bad = await request('GET', `${g.gw.s3Endpoint}/`, { headers: { 'x-amz-security-token': 'garbage' } });
    assert.equal(bad.status, 403);
    assert.match(bad.body.toString(), /invalid token from header &quot;X-Amz-Security-Token&quot;|invalid token from header "X-Amz-Security-Token"/);

    // The AWS SDK with placeholder keys and the JWT as session token: the signature is not checked.
    const client = sdk(g.gw.s3Endpoint, { accessKeyId: 'any', secretAccessKey: 'thing', sessionToken: admin });
    await client.send(new PutObjectCommand({ Bucket: 'authn-b', Key: 'sdk.txt', Body: 'from the sdk' }));
    const out = await client.send(new ListBucketsCommand({}));
    assert.ok(out.Buckets?.some((b) => b.Name === 'authn-b'));
    client.destroy();
    const anon = sdk(g.gw.s3Endpoint, { accessKeyId: 'any', secretAccessKey: 'thing' });
    await assert.rejects(anon.send(new ListBucketsCommand({})), (e: Error & { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode === 403);
    anon.destroy();
  });
});

describe('a gateway with AuthN whose tokens last 2 s', () => {
  test('a token works, then expires: 401 "token expired" on /v1, 403 on /s3', async () => {
    const g = await startAuthnGateway({ ttlMs: 2000 });
    try {
      const token = await login(g.authnUrl, ADMIN.name, ADMIN.password);
      assert.equal((await request('GET', `${g.v1}/buckets/`, { headers: bearer(token) })).status, 200);
      await sleep(3100);
      const r = await request('GET', `${g.v1}/buckets/`, { headers: bearer(token) });
      assertAisError(r, 401, /^invalid token from header "Authorization": invalid token \[err: token expired\]$/);
      const s3 = await request('GET', `${g.gw.s3Endpoint}/`, { headers: { 'x-amz-security-token': token } });
      assert.equal(s3.status, 403);
      assert.match(s3.body.toString(), /token expired/);
      // an expired token is not revoked: AuthN says it is invalid already
      assertAisError(await request('DELETE', `${g.authnUrl}/v1/tokens`, { json: { token } }), 401, /token expired/);
    } finally {
      await g.gw.dispose();
    }
  });
});

describe('a gateway with keys and AuthN', () => {
  test('requests signed with the keys (or their Bearer token) pass without a JWT; JWTs pass too', async () => {
    const g = await startAuthnGateway({}, { credentials: creds });
    try {
      const keyed = sdk(g.gw.s3Endpoint, { accessKeyId: creds.accessKey, secretAccessKey: creds.secretKey });
      await keyed.send(new ListBucketsCommand({}));
      keyed.destroy();
      const wrong = sdk(g.gw.s3Endpoint, { accessKeyId: creds.accessKey, secretAccessKey: 'wrong' });
      await assert.rejects(wrong.send(new ListBucketsCommand({})), /signature/i);
      wrong.destroy();
      assert.equal((await request('GET', `${g.v1}/buckets/`, { headers: bearer(nativeToken(creds)) })).status, 200);
      const token = await login(g.authnUrl, ADMIN.name, ADMIN.password);
      assert.equal((await request('GET', `${g.v1}/buckets/`, { headers: bearer(token) })).status, 200);
      assertAisError(await request('GET', `${g.v1}/buckets/`), 401, /^token required$/);
      assertAisError(await request('GET', `${g.v1}/buckets/`, { headers: bearer('garbage') }), 401, /invalid token/);
    } finally {
      await g.gw.dispose();
    }
  });
});
