// The client side of AuthN against the gateway's real AuthN: signIn (right and wrong password, lifetimes,
// AuthN down, TLS, not an AuthN at all), revokeToken, and the AIS client with the token it got: buckets
// and objects on /v1, its S3 side (X-Amz-Security-Token), and each refusal told apart by `authProblem`
// (no-credentials, token-invalid, token-expired, denied) in one sentence that holds no token.
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { AisClusterClient } from '../../src/client/ais/client';
import { revokeToken, signIn, tokenExpiry, tokenUser } from '../../src/client/ais/authn';
import { clusterAuthError, redactTokens } from '../../src/client/ais/autherrors';
import type { ClientError, ClusterConnection } from '../../src/client/cluster';
import { S3ClusterClient } from '../../src/client/s3';
import { ADMIN, GUEST, sleep, startAuthnGateway, AuthnGateway } from '../helpers/authn';
import { expectClientError } from '../helpers/client-error';
import { readAll, readObjectText } from '../helpers/data';
import { closedPort, fixedAnswerServer, silentServer } from '../helpers/servers';
import { testCaFile, testTls } from '../helpers/tls';

const bucket = { name: 'signed-in', provider: 'ais' };

function ais(g: AuthnGateway, authToken?: string, more: Partial<ClusterConnection> = {}): AisClusterClient {
  return new AisClusterClient({ kind: 'ais', endpoint: g.gw.url, ...(authToken ? { authToken } : {}), ...more });
}

/** The error holds neither the token nor the password, anywhere in its message. */
function assertNoSecrets(err: ClientError, ...secrets: string[]): void {
  for (const s of secrets) assert.ok(!err.message.includes(s), `the message holds a secret: ${err.message}`);
  assert.doesNotMatch(err.message, /eyJ[\w-]+\.[\w-]+\./);
}

describe('signing in to AuthN and using the token', () => {
  let g: AuthnGateway;

  before(async () => {
    g = await startAuthnGateway();
  });
  after(async () => {
    await g.gw.dispose();
  });

  test('signIn: the token and its expiry (from exp); tokenExpiry and tokenUser decode it', async () => {
    const before = Date.now();
    const { token, expiresAt } = await signIn(g.authnUrl, ADMIN.name, ADMIN.password);
    assert.equal(token.split('.').length, 3);
    assert.ok(expiresAt);
    assert.ok(Math.abs(expiresAt.getTime() - (before + 3_600_000)) < 2000, `expires ${expiresAt.toISOString()}`);
    assert.equal(tokenExpiry(token)?.getTime(), expiresAt.getTime());
    assert.equal(tokenUser(token), ADMIN.name);
    assert.equal(tokenExpiry('not a token'), undefined);
    assert.equal(tokenExpiry('a.b.c'), undefined);
    // a trailing slash in the URL is fine; a lifetime of its own
    const day = await signIn(`${g.authnUrl}/`, GUEST.name, GUEST.password, { expiresInSeconds: 24 * 3600 });
    assert.ok(Math.abs(day.expiresAt!.getTime() - (Date.now() + 24 * 3_600_000)) < 2000);
  });

  test('signIn refuses in one sentence: wrong password or user, empty password, a lifetime AuthN does not allow', async () => {
    const wrong = await expectClientError(signIn(g.authnUrl, ADMIN.name, 'not-the-password'), 'auth', /^AuthN at http:\/\/127\.0\.0\.1:\d+ refused user "admin": wrong user name or password\.$/, 401);
    assert.equal(wrong.authProblem, 'wrong-secret');
    assertNoSecrets(wrong, 'not-the-password');
    const unknown = await expectClientError(signIn(g.authnUrl, 'nobody', ADMIN.password), 'auth', /refused user "nobody": wrong user name or password/);
    assertNoSecrets(unknown, ADMIN.password);
    const empty = await expectClientError(signIn(g.authnUrl, ADMIN.name, ''), 'auth', /the password is empty/);
    assert.equal(empty.authProblem, 'no-credentials');
    await expectClientError(signIn(g.authnUrl, ADMIN.name, ADMIN.password, { expiresInSeconds: 5 }), 'bad-request', /refused a token lifetime of 5 s: it must be 0 or >= 1m0s\.$/, 400);
    await expectClientError(signIn(g.authnUrl, ADMIN.name, ADMIN.password, { expiresInSeconds: 365 * 24 * 3600 }), 'bad-request', /cannot exceed its max token age: 2160h0m0s/);
    await expectClientError(signIn('ftp://x', ADMIN.name, ADMIN.password), 'bad-request', /not an http\(s\) URL/);
    await expectClientError(signIn(g.authnUrl, ' ', ADMIN.password), 'bad-request', /user name/);
  });

  test('signIn to the wrong place: AuthN down, the cluster instead of AuthN, a web page, a silent server', async () => {
    const down = await closedPort();
    const e = await expectClientError(
      signIn(down, ADMIN.name, ADMIN.password),
      'unreachable',
      /^AuthN at http:\/\/127\.0\.0\.1:\d+ does not answer \(nothing listens on that port\): check the AuthN URL \(AuthN listens on port 52001 by default\) and that the AuthN server is running\.$/,
    );
    assertNoSecrets(e, ADMIN.password);
    await expectClientError(signIn(g.authnUrl.replace('http:', 'https:'), ADMIN.name, ADMIN.password), 'tls', /does not speak HTTPS on this port: use http:\/\/ in the AuthN URL\.$/);
    await expectClientError(signIn(g.gw.url, ADMIN.name, ADMIN.password), 'protocol', /answered like an AIStore cluster, not its AuthN server: give the AuthN URL/);
    const page = await fixedAnswerServer(200, { 'Content-Type': 'text/html' }, '<html><head><title>Sign in</title></head></html>');
    await expectClientError(signIn(page.url, ADMIN.name, ADMIN.password), 'protocol', /is not an AuthN server: it answered the sign-in of user "admin" with an HTML page \("Sign in"\)/);
    await page.close();
    const missing = await fixedAnswerServer(404, { 'Content-Type': 'text/plain' }, '404 page not found\n');
    await expectClientError(signIn(missing.url, ADMIN.name, ADMIN.password), 'protocol', /is not an AuthN server/);
    await missing.close();
    const silent = await silentServer();
    await expectClientError(signIn(silent.url, ADMIN.name, ADMIN.password, { timeoutMs: 300 }), 'timeout', /^AuthN at .* did not answer in time/);
    await silent.close();
  });

  test('the AIS client: no token, a garbage token, then a signed-in token that lists buckets and PUTs and GETs objects', async () => {
    const anonymous = ais(g);
    const none = await expectClientError(anonymous.listBuckets(), 'auth', /requires an AuthN token for buckets \(401\): sign in/, 401);
    assert.equal(none.authProblem, 'no-credentials');
    anonymous.dispose();

    const garbage = ais(g, 'garbage');
    const bad = await expectClientError(garbage.listBuckets(), 'auth', /does not accept the AuthN token \(token is malformed: token contains an invalid number of segments\): sign in again/, 401);
    assert.equal(bad.authProblem, 'token-invalid');
    garbage.dispose();

    const { token } = await signIn(g.authnUrl, ADMIN.name, ADMIN.password);
    const client = ais(g, token);
    try {
      await client.probe();
      await client.createBucket(bucket);
      assert.ok((await client.listBuckets()).some((b) => b.name === bucket.name));
      await client.putObject(bucket, 'dir/hello.txt', { open: () => Readable.from([Buffer.from('hello, signed in')]), size: 16 });
      assert.equal(await readObjectText(client, bucket, 'dir/hello.txt'), 'hello, signed in');
      // its S3 side, with the token as the session token: metadata, multipart
      await client.putObject(bucket, 'meta.txt', { stream: Readable.from([Buffer.from('m')]), size: 1 }, { userMeta: { k: 'v' }, contentType: 'text/x-test' });
      assert.equal((await client.headObject(bucket, 'meta.txt')).userMeta.k, 'v');
      const uploadId = await client.createMultipartUpload(bucket, 'multi.bin');
      assert.ok((await client.listMultipartUploads(bucket)).some((u) => u.uploadId === uploadId));
      await client.abortMultipartUpload(bucket, 'multi.bin', uploadId);
      const page = await client.listObjects(bucket, { folders: false });
      assert.deepEqual(page.objects.map((o) => o.key).sort(), ['dir/hello.txt', 'meta.txt']);
    } finally {
      client.dispose();
    }
  });

  test("S3ClusterClient with only a session token: the AWS SDK sends it as X-Amz-Security-Token; none is a 403", async () => {
    const { token } = await signIn(g.authnUrl, ADMIN.name, ADMIN.password);
    const s3 = new S3ClusterClient({ kind: 's3', endpoint: g.gw.s3Endpoint, sessionToken: token });
    try {
      await s3.putObject(bucket, 's3.txt', { stream: Readable.from([Buffer.from('via s3')]), size: 6 });
      assert.equal((await readAll((await s3.getObject(bucket, 's3.txt')).body)).toString(), 'via s3');
      assert.ok((await s3.listBuckets()).some((b) => b.name === bucket.name));
    } finally {
      s3.dispose();
    }
    const anonymous = new S3ClusterClient({ kind: 's3', endpoint: g.gw.s3Endpoint });
    const none = await expectClientError(anonymous.listBuckets(), 'auth', /wants credentials for buckets and none were sent \(403\)/, 403);
    assert.equal(none.authProblem, 'no-credentials');
    anonymous.dispose();
  });

  test('a revoked token: revokeToken at AuthN, then the cluster (native and S3 side) refuses it as revoked', async () => {
    const { token } = await signIn(g.authnUrl, ADMIN.name, ADMIN.password, { expiresInSeconds: 7200 });
    const client = ais(g, token);
    try {
      await client.listBuckets();
      await revokeToken(g.authnUrl, token);
      const e = await expectClientError(client.listBuckets(), 'auth', /^The AuthN token for http:\/\/127\.0\.0\.1:\d+ was revoked: sign in again\.$/, 401);
      assert.equal(e.authProblem, 'token-invalid');
      assertNoSecrets(e, token);
      const viaS3 = await expectClientError(client.listMultipartUploads(bucket), 'auth', /was revoked: sign in again/, 403);
      assert.equal(viaS3.authProblem, 'token-invalid');
      assertNoSecrets(viaS3, token);
    } finally {
      client.dispose();
    }
    const notIssued = await expectClientError(revokeToken(g.authnUrl, 'x.y.z'), 'auth', /did not revoke the token: it did not issue it/);
    assert.equal(notIssued.authProblem, 'token-invalid');
    await expectClientError(revokeToken(await closedPort(), token), 'unreachable', /^AuthN at .* does not answer/);
  });

  test("a guest's token reads but is denied writes: authProblem 'denied'", async () => {
    const { token } = await signIn(g.authnUrl, GUEST.name, GUEST.password);
    const client = ais(g, token);
    try {
      await client.listBuckets();
      const e = await expectClientError(client.createBucket({ name: 'guest-made', provider: 'ais' }), 'auth', /denied bucket ais:\/\/guest-made \(403\): the token's user lacks the permission.*Server said: user `guest` has insufficient permissions/, 403);
      assert.equal(e.authProblem, 'denied');
    } finally {
      client.dispose();
    }
  });
});

describe('tokens that expire', () => {
  test('after 2 s the AIS client says the token has expired (native and S3 side)', async () => {
    const g = await startAuthnGateway({ ttlMs: 2000 });
    try {
      const { token, expiresAt } = await signIn(g.authnUrl, ADMIN.name, ADMIN.password);
      assert.ok(expiresAt && expiresAt.getTime() - Date.now() <= 2000);
      const client = ais(g, token);
      await client.createBucket(bucket);
      await sleep(3100);
      const e = await expectClientError(client.listBuckets(), 'auth', /^The AuthN token for http:\/\/127\.0\.0\.1:\d+ has expired: sign in again\.$/, 401);
      assert.equal(e.authProblem, 'token-expired');
      const viaS3 = await expectClientError(client.createMultipartUpload(bucket, 'k'), 'auth', /has expired: sign in again/, 403);
      assert.equal(viaS3.authProblem, 'token-expired');
      client.dispose();
    } finally {
      await g.gw.dispose();
    }
  });
});

describe('AuthN over TLS', () => {
  test('signIn verifies the certificate: untrusted without the CA, fine with it', async () => {
    const g = await startAuthnGateway({}, { tls: testTls() });
    try {
      assert.match(g.authnUrl, /^https:/);
      await expectClientError(signIn(g.authnUrl, ADMIN.name, ADMIN.password), 'tls', /^TLS handshake with AuthN at https:.* failed \(\w+\): its certificate is not trusted/);
      const { token } = await signIn(g.authnUrl, ADMIN.name, ADMIN.password, { tls: { caFile: testCaFile } });
      const client = new AisClusterClient({ kind: 'ais', endpoint: g.gw.url, authToken: token, tls: { caFile: testCaFile } });
      await client.listBuckets();
      client.dispose();
    } finally {
      await g.gw.dispose();
    }
  });
});

test('refusals from a real AIStore are told apart, and the token it appends to some is cut out', () => {
  const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
  const endpoint = 'http://ais:8080';
  const cases: [number, string, string | undefined, ClientError['authProblem']][] = [
    [401, 'token required', undefined, 'no-credentials'],
    [401, `invalid token from header "Authorization": invalid token [err: token expired]: ${token}`, token, 'token-expired'],
    [401, `invalid token from header "Authorization": invalid token [err: token revoked]: ${token}`, token, 'token-invalid'],
    [401, 'invalid token from header "Authorization": invalid token [err: token signature is invalid: signature is invalid]', token, 'token-invalid'],
    [403, 'user `alice` has insufficient permissions: [user alice, token expires in 1h0m0s, bucket ais://b, granted(GET)]', token, 'denied'],
    [403, 'AccessDenied: invalid token from header "X-Amz-Security-Token": invalid token [err: token expired]', token, 'token-expired'],
    [403, 'Access denied', undefined, 'no-credentials'],
  ];
  for (const [status, said, sent, problem] of cases) {
    const e = clusterAuthError(status, endpoint, 'buckets', said, sent);
    assert.equal(e.kind, 'auth');
    assert.equal(e.authProblem, problem, said);
    assert.ok(!e.message.includes(token), e.message);
  }
  assert.equal(redactTokens(`x ${token} y`), 'x <token> y');
  assert.equal(redactTokens('secret-opaque-token here', 'secret-opaque-token'), '<token> here');
});
