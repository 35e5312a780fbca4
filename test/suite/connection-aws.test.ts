// AWS profiles in the real VS Code: ~/.aws files of a temporary dir (AWS_CONFIG_FILE and
// AWS_SHARED_CREDENTIALS_FILE point at them, restored after), a profile whose keys and endpoint_url are
// those of a gateway program with keys; a cluster on the profile browses and signs links, importing the
// profile makes a cluster of its name at its endpoint, and a failing credential_process says why.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { AisBucketsApi } from '../../src/extension';
import { awsFixtures } from '../helpers/aws';
import { commandError, objectNode, savedCluster, treeOf } from '../helpers/clusters';
import { activate, testGateway } from '../helpers/extension-host';
import { request } from '../helpers/http';
import { SecuredGateway, startKeyedGateway } from '../helpers/secured';
import { makeTempDir, removeDir } from '../helpers/temp';

const KEYS = { accessKey: 'AKIASUITEPROFILE0042', secretKey: 'suiteProfileSecret/00000000000000000000042' };
const ENV_VARS = ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;

describe('connection: AWS profiles', function () {
  this.timeout(120_000);
  let api: AisBucketsApi;
  let gw: SecuredGateway;
  let s3: string;
  const tmp = makeTempDir('conn-aws');
  const saved: Partial<Record<(typeof ENV_VARS)[number], string | undefined>> = {};

  before(async function () {
    if (!testGateway()) return this.skip();
    api = await activate<AisBucketsApi>();
    gw = await startKeyedGateway(tmp, KEYS);
    s3 = `${gw.url}/s3`;
    const seed = new S3Client({ endpoint: s3, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: KEYS.accessKey, secretAccessKey: KEYS.secretKey } });
    await seed.send(new CreateBucketCommand({ Bucket: 'profile-bucket' }));
    await seed.send(new PutObjectCommand({ Bucket: 'profile-bucket', Key: 'shared/report.txt', Body: 'signed with the profile\n' }));
    seed.destroy();

    const aws = path.join(tmp, 'dot-aws');
    fs.mkdirSync(aws);
    const config = path.join(aws, 'config');
    const credentials = path.join(aws, 'credentials');
    const quote = (p: string) => `"${p}"`;
    fs.writeFileSync(
      config,
      [
        '[profile lab]',
        'region = us-east-1',
        `endpoint_url = ${s3}`,
        '',
        '[profile broken]',
        'region = us-east-1',
        `endpoint_url = ${s3}`,
        `credential_process = ${quote(process.execPath)} ${quote(path.join(awsFixtures, 'credential-process-fails.js'))}`,
        '',
      ].join('\n'),
    );
    fs.writeFileSync(credentials, ['[lab]', `aws_access_key_id = ${KEYS.accessKey}`, `aws_secret_access_key = ${KEYS.secretKey}`, ''].join('\n'));
    for (const k of ENV_VARS) saved[k] = process.env[k];
    for (const k of ENV_VARS) delete process.env[k];
    process.env.AWS_CONFIG_FILE = config;
    process.env.AWS_SHARED_CREDENTIALS_FILE = credentials;
  });

  after(async () => {
    for (const k of ENV_VARS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    await gw?.stop();
    removeDir(tmp);
  });

  it('a cluster on the profile "lab" browses the endpoint with the profile\'s keys, and signs links with them', async () => {
    await vscode.commands.executeCommand('aisBuckets.addCluster', { name: 'on-profile', kind: 's3', endpoint: s3, auth: { method: 'profile', profile: 'lab' } });
    try {
      assert.deepEqual(savedCluster('on-profile')?.auth, { method: 'profile', profile: 'lab' });
      const spec = (await api.registry.entry('on-profile'))?.spec;
      assert.equal(spec?.secretKey, undefined, 'no keys of its own: they stay in the AWS files');
      const tree = await treeOf(api, 'on-profile');
      assert.deepEqual(tree.errors.map((e) => e.detail), []);
      assert.deepEqual(tree.buckets, ['profile-bucket']);

      const link = (await vscode.commands.executeCommand('aisBuckets.copyPresignedUrl', objectNode('on-profile', 'profile-bucket', 's3', 'shared/report.txt'), 60)) as string;
      assert.match(link, new RegExp(`X-Amz-Credential=${KEYS.accessKey}%2F`));
      const got = await request('GET', link);
      assert.equal(got.status, 200, got.body.toString());
      assert.equal(got.body.toString(), 'signed with the profile\n');
    } finally {
      await vscode.commands.executeCommand('aisBuckets.removeCluster', 'on-profile');
    }
  });

  it('imports the profile as a cluster named after it, at its endpoint_url', async () => {
    const names = (await vscode.commands.executeCommand('aisBuckets.importAwsProfiles', ['lab'])) as string[];
    try {
      assert.deepEqual(names, ['lab']);
      const entry = savedCluster('lab');
      assert.equal(entry?.endpoint, s3);
      assert.equal(entry?.kind, 's3');
      assert.deepEqual(entry?.auth, { method: 'profile', profile: 'lab' });
      assert.deepEqual((await treeOf(api, 'lab')).buckets, ['profile-bucket']);
    } finally {
      await vscode.commands.executeCommand('aisBuckets.removeCluster', 'lab');
    }
  });

  it('a profile whose credential_process fails is refused with its reason, and none of its output', async () => {
    const e = await commandError('aisBuckets.addCluster', { name: 'broken', kind: 's3', endpoint: s3, auth: { method: 'profile', profile: 'broken' } });
    assert.match(e.message, /The credential_process of AWS profile "broken" exited with code 1 \(error: the vault is sealed; unseal it first\): run it by hand to see why\./);
    assert.ok(!e.message.includes('leakedSecret'), e.message);
    assert.equal(savedCluster('broken'), undefined);
    // Saved anyway (skipProbe), the tree says the same on an error row that offers to fix the credentials.
    await vscode.commands.executeCommand('aisBuckets.addCluster', { name: 'broken', kind: 's3', endpoint: s3, auth: { method: 'profile', profile: 'broken' }, skipProbe: true });
    try {
      const { errors } = await treeOf(api, 'broken');
      assert.equal(errors.length, 1);
      assert.match(errors[0].detail ?? '', /credential_process of AWS profile "broken" exited with code 1/);
      assert.deepEqual(errors[0].auth, { clusterName: 'broken', problem: 'no-credentials' });
    } finally {
      await vscode.commands.executeCommand('aisBuckets.removeCluster', 'broken');
    }
  });
});
