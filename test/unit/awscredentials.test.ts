// Credentials from AWS profiles and the environment, resolved by the AWS SDK's providers (and our
// credential_process runner) from the fixture files in a temporary HOME, proven against the embedded
// gateway running with those keys; and every failure as one sentence with the fix and no secret.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { expectClientError } from '../helpers/client-error';
import { AwsHome, makeAwsHome, withProcessEnv } from '../helpers/aws';
import { S3ClusterClient } from '../../src/client/s3';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { AwsCredentialError, describeCredentialError, environmentCredentials, profileCredentials } from '../../src/config/awscredentials';

const AK = 'AKIAIOSFODNN7EXAMPLE';
const SK = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SECRETS = [SK, 'leakedSecret/000000000000000000000000000', 'FwoGZXIvYXdzEPROCESSSESSIONTOKEN', 'cfgSecretKey/'];

function noSecret(message: string): void {
  for (const s of SECRETS) assert.ok(!message.includes(s), `no secret in: ${message}`);
}

async function failure(provider: AwsCredentialIdentityProvider): Promise<AwsCredentialError> {
  try {
    await provider();
  } catch (err) {
    assert.ok(err instanceof AwsCredentialError, `an AwsCredentialError, got ${String(err)}`);
    noSecret(err.message);
    assert.doesNotMatch(err.message, /\n/, 'one line');
    return err;
  }
  assert.fail('expected the provider to fail');
}

describe('AWS profiles against the gateway with keys', () => {
  let gw: TestGateway;
  let aws: AwsHome;
  const clients: S3ClusterClient[] = [];
  const client = (credentials: AwsCredentialIdentityProvider) => {
    const c = new S3ClusterClient({ kind: 's3', endpoint: gw.s3Endpoint, credentials });
    clients.push(c);
    return c;
  };
  before(async () => {
    gw = await startTestGateway({ credentials: { accessKey: AK, secretKey: SK } });
    aws = makeAwsHome();
  });
  after(async () => {
    for (const c of clients) c.dispose();
    await gw.dispose();
    aws.dispose();
  });

  test("a profile's static keys list buckets; its keys are the SDK's, read from the files", async () => {
    const c = client(profileCredentials('static', { env: aws.env }));
    await c.createBucket({ name: 'from-profile', provider: 's3' });
    assert.deepEqual((await c.listBuckets()).map((b) => b.name), ['from-profile']);
    const creds = await profileCredentials('static', { env: aws.env })();
    assert.equal(creds.accessKeyId, AK);
  });

  test('a credential_process profile: a real process prints the keys, with a session token and an expiry', async () => {
    const provider = profileCredentials('process', { env: aws.env });
    const creds = await provider();
    assert.equal(creds.accessKeyId, AK);
    assert.equal(creds.sessionToken, 'FwoGZXIvYXdzEPROCESSSESSIONTOKEN');
    assert.ok(creds.expiration && creds.expiration.getTime() > Date.now() + 3000_000);
    assert.deepEqual((await client(provider).listBuckets()).map((b) => b.name), ['from-profile']);
  });

  test('a wrong key from a profile fails as unknown-key, through the client', async () => {
    const e = await expectClientError(client(profileCredentials('wrong-key', { env: aws.env })).listBuckets(), 'auth', /The access key AKIA…WXYZ is not known to/, 403);
    assert.equal(e.authProblem, 'unknown-key');
  });

  test('a profile that fails to resolve is an auth error with its sentence, not a network error', async () => {
    const e = await expectClientError(client(profileCredentials('process-fails', { env: aws.env })).listBuckets(), 'auth', /^The credential_process of AWS profile "process-fails" exited with code 1 \(error: the vault is sealed; unseal it first\): run it by hand/);
    assert.equal(e.authProblem, 'no-credentials');
    noSecret(e.message);
    assert.equal(describeCredentialError(e, 'process-fails'), e.message, 'the ClientError around it describes as it does');
  });
});

describe('AWS credential failures, one sentence each', () => {
  let aws: AwsHome;
  before(() => {
    aws = makeAwsHome();
  });
  after(() => aws.dispose());

  test('a profile that does not exist names the ones that do', async () => {
    const e = await failure(profileCredentials('prod', { env: aws.env }));
    assert.equal(e.reason, 'no-profile');
    assert.match(e.message, /^There is no AWS profile "prod" in ~\/\.aws\/config or ~\/\.aws\/credentials; the profiles there are "default", "empty", "keys-in-config", .*"wrong-key"\. Choose one of them, or add it with `aws configure --profile prod`\.$/);
    assert.equal(describeCredentialError(e, 'prod'), e.message);
  });

  test('a profile with nothing to sign with', async () => {
    const e = await failure(profileCredentials('empty', { env: aws.env }));
    assert.equal(e.reason, 'no-credentials');
    assert.match(e.message, /AWS profile "empty" has no credentials .*`aws configure --profile empty`/);
  });

  test('credential_process: its exit code and first stderr line, never its stdout', async () => {
    const e = await failure(profileCredentials('process-fails', { env: aws.env }));
    assert.equal(e.reason, 'process-failed');
    assert.equal(e.message, 'The credential_process of AWS profile "process-fails" exited with code 1 (error: the vault is sealed; unseal it first): run it by hand to see why.');
  });

  test('credential_process that hangs is stopped after timeoutMs', async () => {
    const started = Date.now();
    const e = await failure(profileCredentials('process-hangs', { env: aws.env, timeoutMs: 700 }));
    const took = Date.now() - started;
    assert.ok(took >= 650 && took < 5000, `took ${took} ms`);
    assert.equal(e.reason, 'process-timeout');
    assert.match(e.message, /^The credential_process of AWS profile "process-hangs" did not finish within 0\.7 s and was stopped: run it by hand/);
  });

  test('credential_process printing garbage, old credentials, or no Version', async () => {
    const cases: [string, RegExp][] = [
      ['console.log("not json")', /printed something that is not JSON/],
      ['console.log(JSON.stringify({Version: 2, AccessKeyId: "a", SecretAccessKey: "b"}))', /without "Version": 1/],
      ['console.log(JSON.stringify({Version: 1, AccessKeyId: "a"}))', /printed no AccessKeyId and SecretAccessKey/],
      ['console.log(JSON.stringify({Version: 1, AccessKeyId: "a", SecretAccessKey: "b", Expiration: "2001-01-01T00:00:00Z"}))', /printed credentials that expired at 2001-01-01T00:00:00\.000Z/],
    ];
    for (const [i, [script, message]] of cases.entries()) {
      const file = aws.write(`p${i}.js`, script, true);
      aws.write('config', `[profile p]\ncredential_process = "${process.execPath}" "${file}"\n`, true);
      const e = await failure(profileCredentials('p', { env: aws.env }));
      assert.match(e.message, message);
    }
    aws.write('config', 'config');
  });

  test('an SSO profile with no cached token, or an expired one: run aws sso login', async () => {
    await withProcessEnv(aws.env, async () => {
      const missing = await failure(profileCredentials('sso', { env: aws.env }));
      assert.equal(missing.reason, 'sso-login');
      assert.equal(missing.authProblem, 'no-credentials');
      assert.equal(missing.message, 'The SSO sign-in of AWS profile "sso" is missing: run `aws sso login --profile sso` and retry.');
      // What `aws sso login` leaves in ~/.aws/sso/cache, named by the SHA-1 of the session name, now expired.
      const cache = `sso/cache/${crypto.createHash('sha1').update('corp').digest('hex')}.json`;
      aws.write(cache, JSON.stringify({ startUrl: 'https://corp.awsapps.com/start', region: 'us-east-1', accessToken: 'aoa-EXPIRED', expiresAt: '2001-01-01T00:00:00Z' }), true);
      const expired = await failure(profileCredentials('sso', { env: aws.env }));
      assert.equal(expired.authProblem, 'token-expired');
      assert.equal(expired.message, 'The SSO sign-in of AWS profile "sso" has expired: run `aws sso login --profile sso` and retry.');
      assert.ok(!expired.message.includes('aoa-EXPIRED'));
    });
  });

  test('an assume-role profile: STS (a loopback stand-in) refuses, then issues the keys the gateway takes', async () => {
    let answer: 'deny' | 'grant' = 'deny';
    const actions: string[] = [];
    const sts = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        actions.push(new URLSearchParams(body).get('Action') ?? '');
        const xml =
          answer === 'deny'
            ? '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::111122223333:user/fixture is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/Reader</Message></Error><RequestId>1</RequestId></ErrorResponse>'
            : `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>${AK}</AccessKeyId><SecretAccessKey>${SK}</SecretAccessKey><SessionToken>ROLESESSIONTOKEN</SessionToken><Expiration>${new Date(Date.now() + 3600_000).toISOString()}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:ais-buckets</AssumedRoleId><Arn>arn:aws:sts::111122223333:assumed-role/Reader/ais-buckets</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></AssumeRoleResponse>`;
        res.writeHead(answer === 'deny' ? 403 : 200, { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(xml) });
        res.end(xml);
      });
    });
    await new Promise<void>((resolve) => sts.listen(0, '127.0.0.1', resolve));
    const stsUrl = `http://127.0.0.1:${(sts.address() as AddressInfo).port}`;
    const gw = await startTestGateway({ credentials: { accessKey: AK, secretKey: SK } });
    try {
      // The SDK's STS client takes its endpoint from AWS_ENDPOINT_URL_STS, in process.env.
      await withProcessEnv({ ...aws.env, AWS_ENDPOINT_URL_STS: stsUrl }, async () => {
        const denied = await failure(profileCredentials('role', { env: aws.env }));
        assert.equal(denied.reason, 'assume-role');
        assert.equal(denied.authProblem, 'denied');
        assert.match(denied.message, /^AWS profile "role" could not assume its role \(AccessDenied 403: User: arn:aws:iam::111122223333:user\/fixture is not authorized to perform: sts:AssumeRole .*\): check role_arn and that the source credentials may assume it\.$/);
        answer = 'grant';
        const creds = await profileCredentials('role', { env: aws.env })();
        assert.equal(creds.sessionToken, 'ROLESESSIONTOKEN');
        const c = new S3ClusterClient({ kind: 's3', endpoint: gw.s3Endpoint, credentials: profileCredentials('role', { env: aws.env }) });
        try {
          assert.deepEqual(await c.listBuckets(), []);
        } finally {
          c.dispose();
        }
      });
      assert.deepEqual(actions, ['AssumeRole', 'AssumeRole', 'AssumeRole']);
    } finally {
      await gw.dispose();
      sts.closeAllConnections();
      await new Promise<void>((resolve) => sts.close(() => resolve()));
    }
  });

  test('the environment: keys in AWS_* variables work; none at all is one sentence', async () => {
    await withProcessEnv({ ...aws.env, AWS_ACCESS_KEY_ID: AK, AWS_SECRET_ACCESS_KEY: SK }, async () => {
      const creds = await environmentCredentials()();
      assert.equal(creds.accessKeyId, AK);
    });
    const nowhere = makeAwsHome({ config: 'config-malformed' });
    try {
      await withProcessEnv({ HOME: nowhere.home, AWS_CONFIG_FILE: `${nowhere.home}/none`, AWS_SHARED_CREDENTIALS_FILE: `${nowhere.home}/none`, AWS_EC2_METADATA_DISABLED: 'true' }, async () => {
        const e = await failure(environmentCredentials());
        assert.equal(e.reason, 'environment');
        assert.match(e.message, /^No AWS credentials were found in the environment \(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, .*\): set them, or choose a profile or keys for this cluster\.$/);
      });
    } finally {
      nowhere.dispose();
    }
  });

  test('describeCredentialError on the SDK\'s raw errors', () => {
    const cases: [Error, string | undefined, RegExp][] = [
      [new Error('Could not load credentials from any providers'), undefined, /^No AWS credentials were found in the environment/],
      [new Error("Profile 'x' could not be found in shared credentials file."), 'x', /^AWS profile "x" has no credentials the AWS SDK can use/],
      [new Error(`Command failed: get-creds --secret ${SK}\nvault sealed\n`), 'p', /^The credential_process of AWS profile "p" failed/],
      [new Error('The SSO session associated with this profile has expired. To refresh this SSO session run aws sso login with the corresponding profile.'), 's', /has expired: run `aws sso login --profile s`/],
      [new Error("Sso session 'corp' could not be found in shared credentials file."), 's', /names sso_session "corp", but there is no \[sso-session corp\] section/],
      [new Error('Profile r requires multi-factor authentication, but no MFA code callback was provided.'), 'r', /mfa_serial/],
      [new Error(`something odd with ${SK}`), 'q', /^Could not get credentials from AWS profile "q" \(something odd with …\)\.$/],
    ];
    for (const [err, profile, message] of cases) {
      const text = describeCredentialError(err, profile);
      assert.match(text, message);
      noSecret(text);
    }
  });
});
