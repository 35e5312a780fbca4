// Listing the profiles of the AWS shared files (fixtures under test/fixtures/aws, in a temporary HOME):
// kinds, regions, endpoints, addressing, masked keys and no secret anywhere; malformed lines and other
// problems as one sentence each, without losing the other file.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { awsConfigPaths, listAwsProfiles, scanIni } from '../../src/config/awsprofiles';
import { makeAwsHome } from '../helpers/aws';

const SECRETS = ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'cfgSecretKey/0000000000000000000000000000', 'tempSecret/00000000000000000000000000000', 'FwoGZXIvYXdzEFIXTURESESSIONTOKEN', 'defaultSecret/'];

test('every profile of both files, with its kind, region, endpoint and addressing; no secret in the listing', async () => {
  const aws = makeAwsHome();
  try {
    const result = await listAwsProfiles(aws.env);
    const byName = new Map(result.profiles.map((p) => [p.name, p]));
    assert.deepEqual(
      result.profiles.map((p) => p.name),
      ['default', 'empty', 'keys-in-config', 'process', 'process-fails', 'process-hangs', 'role', 'sso', 'static', 'temporary', 'webid', 'wrong-key'],
    );
    assert.deepEqual(result.problems, []);
    assert.equal(result.current, 'default');
    assert.deepEqual(result.files.config, { path: aws.config, shown: '~/.aws/config', exists: true });
    assert.deepEqual(result.files.credentials, { path: aws.credentials, shown: '~/.aws/credentials', exists: true });

    const kinds = Object.fromEntries(result.profiles.map((p) => [p.name, p.credentialKind]));
    assert.deepEqual(kinds, {
      default: 'static',
      empty: 'none',
      'keys-in-config': 'static',
      process: 'process',
      'process-fails': 'process',
      'process-hangs': 'process',
      role: 'assume-role',
      sso: 'sso',
      static: 'static',
      temporary: 'static',
      webid: 'web-identity',
      'wrong-key': 'static',
    });
    const stat = byName.get('static')!;
    assert.deepEqual(stat.sources, ['~/.aws/config', '~/.aws/credentials']);
    assert.equal(stat.region, 'eu-west-1');
    assert.equal(stat.endpointUrl, 'http://127.0.0.1:9000', "the [services local-s3] section's s3 endpoint_url");
    assert.equal(stat.addressingStyle, 'path');
    assert.equal(stat.accessKeyId, 'AKIA…MPLE');
    assert.equal(stat.description, 'keys AKIA…MPLE');
    const cfg = byName.get('keys-in-config')!;
    assert.deepEqual(cfg.sources, ['~/.aws/config']);
    assert.equal(cfg.endpointUrl, 'http://127.0.0.1:1', 'the profile-level endpoint_url');
    assert.equal(cfg.addressingStyle, 'virtual');
    assert.equal(cfg.region, 'us-west-2');
    assert.equal(byName.get('temporary')!.description, 'keys ASIA…MPLE with a session token');
    assert.equal(byName.get('sso')!.description, 'SSO session corp');
    assert.equal(byName.get('role')!.description, 'role arn:aws:iam::111122223333:role/Reader via profile static');
    assert.equal(byName.get('process')!.description, 'keys from credential_process');
    assert.deepEqual(byName.get('empty')!.sources, ['~/.aws/config'], 'a section with no setting is still a profile');
    assert.equal(byName.get('default')!.current, true);
    assert.equal(byName.get('process')!.accessKeyId, undefined);

    const text = JSON.stringify(result);
    for (const s of SECRETS) assert.ok(!text.includes(s), `no ${s} in the listing`);
    assert.ok(!text.includes('AKIAIOSFODNN7EXAMPLE'), 'access key ids only masked');
    assert.ok(!text.includes('credential-process'), 'no credential_process command line (it may carry secrets)');
  } finally {
    aws.dispose();
  }
});

test('AWS_PROFILE picks the current profile; one that does not exist is a problem', async () => {
  const aws = makeAwsHome();
  try {
    const picked = await listAwsProfiles({ ...aws.env, AWS_PROFILE: 'sso' });
    assert.equal(picked.current, 'sso');
    assert.deepEqual(picked.profiles.filter((p) => p.current).map((p) => p.name), ['sso']);
    const missing = await listAwsProfiles({ ...aws.env, AWS_PROFILE: 'nope' });
    assert.deepEqual(missing.problems, ['AWS_PROFILE names profile "nope", which is in neither ~/.aws/config nor ~/.aws/credentials. Add it, or unset AWS_PROFILE.']);
  } finally {
    aws.dispose();
  }
});

test('a malformed line is reported with file and line; the profiles of both files are still there', async () => {
  const aws = makeAwsHome({ config: 'config-malformed' });
  try {
    const result = await listAwsProfiles(aws.env);
    assert.deepEqual(result.problems, [
      '~/.aws/config line 7: neither a [section] header, a "key = value" setting, an indented continuation nor a comment. Fix the line or remove it.',
    ]);
    assert.equal(result.files.config.problem, result.problems[0]);
    assert.equal(result.files.credentials.problem, undefined);
    const names = result.profiles.map((p) => p.name);
    for (const n of ['default', 'good', 'after', 'static', 'wrong-key']) assert.ok(names.includes(n), `${n} listed`);
    assert.equal(result.profiles.find((p) => p.name === 'good')!.region, 'eu-north-1', 'the bad line set nothing');
  } finally {
    aws.dispose();
  }
});

test('the line scan: what the aws CLI accepts and the first line it would not', () => {
  const ok = '# comment\n; another\n[default]\nregion = us-east-1 # trailing\ns3 =\n  addressing_style = path\n  max_concurrent_requests = 4\n\n[profile x]\nregion=eu-west-1\n[services s]\ns3 =\n  endpoint_url = http://h\n';
  assert.deepEqual(scanIni(ok, true), { emptySections: [] });
  assert.deepEqual(scanIni('[default]\nregion = a\n[profile b\n', true), { badLine: 3, why: 'a [section] header without its closing "]".', emptySections: [] });
  assert.equal(scanIni('region = a\n[default]\n', true).badLine, 1);
  assert.equal(scanIni('[default]\n= a\n', true).badLine, 2);
  assert.equal(scanIni('[]\n', true).badLine, 1);
  assert.deepEqual(scanIni('[a]\n[b]\nk = v\n', false).emptySections, ['a']);
  assert.deepEqual(scanIni('[a]\n[profile b]\n[default]\n', true).emptySections, ['b', 'default'], '[a] in the config file is not a profile');
  // An indented line right after a section header has no key to continue.
  assert.equal(scanIni('[default]\n  region\n', true).badLine, 2);
});

test('files: AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE win, ~ is HOME; a missing file is no problem, a directory is', async () => {
  const aws = makeAwsHome();
  try {
    assert.deepEqual(awsConfigPaths({ HOME: '/h' }), { config: '/h/.aws/config', credentials: '/h/.aws/credentials', home: '/h' });
    assert.deepEqual(awsConfigPaths({ HOME: '/h', AWS_CONFIG_FILE: '~/cfg', AWS_SHARED_CREDENTIALS_FILE: '/etc/creds' }), { config: '/h/cfg', credentials: '/etc/creds', home: '/h' });

    const noCreds = await listAwsProfiles({ ...aws.env, AWS_SHARED_CREDENTIALS_FILE: path.join(aws.home, 'none') });
    assert.deepEqual(noCreds.problems, []);
    assert.equal(noCreds.files.credentials.exists, false);
    assert.equal(noCreds.profiles.find((p) => p.name === 'static')!.credentialKind, 'none', 'its keys were in the other file');

    fs.mkdirSync(path.join(aws.home, 'dir'));
    const dir = await listAwsProfiles({ ...aws.env, AWS_SHARED_CREDENTIALS_FILE: path.join(aws.home, 'dir') });
    assert.deepEqual(dir.problems, ['~/dir is a directory, not an AWS credentials file: remove it or point AWS_SHARED_CREDENTIALS_FILE at the file.']);
    assert.ok(dir.profiles.some((p) => p.name === 'sso'), 'the config file still counts');

    const none = await listAwsProfiles({ HOME: path.join(aws.home, 'nobody') });
    assert.deepEqual(none.profiles, []);
    assert.deepEqual(none.problems, []);
  } finally {
    aws.dispose();
  }
});

test('a profile naming a [services] section that is not there is a problem (the SDK would fail on it)', async () => {
  const aws = makeAwsHome();
  try {
    aws.write('config', '[profile p]\nservices = gone\nendpoint_url = http://127.0.0.1:2\n', true);
    const result = await listAwsProfiles(aws.env);
    assert.deepEqual(result.problems, ['~/.aws/config: profile "p" names services "gone", but there is no [services gone] section. Add the section or remove the line.']);
    assert.equal(result.profiles.find((p) => p.name === 'p')!.endpointUrl, 'http://127.0.0.1:2');
    aws.write('config', '[profile p]\nendpoint_url = http://127.0.0.1:2\nignore_configured_endpoint_urls = true\n', true);
    assert.equal((await listAwsProfiles(aws.env)).profiles.find((p) => p.name === 'p')!.endpointUrl, undefined);
  } finally {
    aws.dispose();
  }
});
