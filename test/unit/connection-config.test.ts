// What Add Cluster / Edit Connection turn into, without VS Code: drafts become specs that keep only the
// chosen method's secrets, default names are short, imports of two AWS profiles on one endpoint stay two
// clusters, an endpoint is told apart as AIStore, S3 or neither by asking it (a real gateway, the same
// gateway's S3 API mounted at / behind a reverse proxy as MinIO would be, an HTML server, a closed port),
// and the connection snippets work in the real s3cmd and aws CLI.
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { detectEndpoint, isAwsEndpoint, regionOfAwsEndpoint } from '../../src/client/detect';
import { isClientError } from '../../src/client/cluster';
import { authOf, ClusterSpec, joinSecrets, mergeImported, splitSecrets } from '../../src/config/clusters';
import { defaultAddressing, defaultClusterName, defaultRegion, draftFromSpec, specFromDraft } from '../../src/config/draft';
import { connectionSnippets } from '../../src/config/snippets';
import { expiryProblem, parseExpiry } from '../../src/objects/format';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { closedPort, fixedAnswerServer } from '../helpers/servers';
import { makeTempDir, removeDir } from '../helpers/temp';
import { skipUnlessInstalled } from '../helpers/tools';

test('a draft keeps only the secrets of the method chosen', () => {
  const typed = { endpoint: 'http://10.0.0.5:51080', kind: 'ais' as const, accessKey: 'AK', secretKey: 'SK', authToken: 'TOKEN', tokenFile: '/t', authnUrl: 'http://10.0.0.5:52001/', authnUser: 'admin', name: ' Lab ' };
  const authn = specFromDraft({ ...typed, method: 'authn' });
  assert.deepEqual(authn.auth, { method: 'authn', url: 'http://10.0.0.5:52001', user: 'admin' });
  assert.equal(authn.authToken, 'TOKEN');
  assert.equal(authn.name, 'Lab');
  assert.equal(authn.accessKey, undefined, 'keys typed on a path the user left are not kept');
  const file = specFromDraft({ ...typed, method: 'tokenFile' });
  assert.deepEqual(file.auth, { method: 'tokenFile', file: '/t' });
  assert.equal(file.authToken, undefined, 'a token file is read at connect time, never stored');
  const none = specFromDraft({ ...typed, method: 'none' });
  assert.deepEqual(splitSecrets(none).secrets, {});
  const keys = specFromDraft({ endpoint: 'https://s3.eu-west-1.amazonaws.com', kind: 's3', method: 'keys', accessKey: ' AKIAX ', secretKey: 's/e+cret', sessionToken: 'ST', name: 'aws' });
  assert.deepEqual(splitSecrets(keys).secrets, { accessKey: 'AKIAX', secretKey: 's/e+cret', sessionToken: 'ST' });
  assert.equal(keys.addressing, 'virtual', 'Amazon itself: virtual-hosted');
  const profile = specFromDraft({ endpoint: 'http://minio:9000', kind: 's3', method: 'profile', profile: 'lab', accessKey: 'AK', secretKey: 'SK', name: 'lab' });
  assert.deepEqual(profile.auth, { method: 'profile', profile: 'lab' });
  assert.deepEqual(splitSecrets(profile).secrets, {}, 'a profile\'s keys stay in ~/.aws');
  assert.equal(profile.addressing, undefined, 'path-style is the default for everything but AWS');
});

test('editing starts from the saved spec and keeps what the flow does not ask (TLS, proxy, chunk size, source)', () => {
  const saved: ClusterSpec = {
    name: 'Prod',
    kind: 's3',
    endpoint: 'https://s3.lab:9000',
    auth: { method: 'keys' },
    accessKey: 'AK',
    secretKey: 'SK',
    region: 'eu-central-1',
    tls: { verify: false },
    proxy: { host: 'proxy', port: 3128 },
    multipartChunkSizeMb: 64,
    source: '~/.s3cfg',
  };
  const draft = draftFromSpec(saved);
  assert.equal(draft.method, 'keys');
  assert.equal(draft.secretKey, 'SK');
  assert.deepEqual(specFromDraft(draft), saved, 'an edit that changes nothing saves the same cluster');
  const renamed = specFromDraft({ ...draft, name: 'Team Lab Ü 1', method: 'anonymous' });
  assert.equal(renamed.name, 'Team Lab Ü 1');
  assert.equal(renamed.secretKey, undefined);
  assert.deepEqual(renamed.tls, { verify: false });
  assert.equal(renamed.multipartChunkSizeMb, 64);
});

test('specs saved before auth methods existed mean what they meant', () => {
  assert.deepEqual(authOf({ name: 'a', kind: 's3', endpoint: 'http://x', accessKey: 'k', secretKey: 's' }), { method: 'keys' });
  assert.deepEqual(authOf({ name: 'a', kind: 's3', endpoint: 'http://x' }), { method: 'anonymous' });
  assert.deepEqual(authOf({ name: 'a', kind: 'ais', endpoint: 'http://x' }), { method: 'none' });
  const spec: ClusterSpec = { name: 'a', kind: 'ais', endpoint: 'http://x', auth: { method: 'token' }, authToken: 'T', sessionToken: 'S' };
  const { settings, secrets } = splitSecrets(spec);
  assert.equal(JSON.stringify(settings).includes('"T"'), false);
  assert.deepEqual(joinSecrets(settings, secrets), spec);
});

test('default names are short and tidy; regions and addressing follow the endpoint', () => {
  assert.equal(defaultClusterName({ kind: 'ais', endpoint: 'http://10.0.0.5:51080' }), 'AIStore (10.0.0.5)');
  assert.equal(defaultClusterName({ kind: 's3', endpoint: 'http://minio.lab:9000' }), 'S3 (minio.lab)');
  assert.equal(defaultClusterName({ kind: 'ais', endpoint: 'http://127.0.0.1:46367', via: 's3cmd' }), 's3cmd (127.0.0.1)');
  assert.equal(defaultClusterName({ kind: 's3', endpoint: 'https://s3.eu-west-1.amazonaws.com' }), 'AWS (eu-west-1)');
  assert.equal(defaultClusterName({ kind: 's3', endpoint: 'https://s3.amazonaws.com', profile: 'work' }), 'work');
  assert.equal(defaultClusterName({ kind: 'ais', endpoint: 'http://[::1]:51080' }), 'AIStore (::1)');
  assert.ok(isAwsEndpoint('https://s3.dualstack.us-west-2.amazonaws.com'));
  assert.ok(!isAwsEndpoint('https://s3.example.com'));
  assert.equal(regionOfAwsEndpoint('https://s3.ap-southeast-2.amazonaws.com'), 'ap-southeast-2');
  assert.equal(defaultRegion({ endpoint: 'http://minio:9000' }), 'us-east-1');
  assert.equal(defaultRegion({ endpoint: 'http://minio:9000' }, 'eu-north-1'), 'eu-north-1', "a profile's region");
  assert.equal(defaultAddressing('http://minio:9000'), 'path');
});

test('two AWS profiles on one endpoint import as two clusters; the same profile again updates its own', () => {
  const lab: ClusterSpec = { name: 'lab', kind: 's3', endpoint: 'https://s3.us-east-1.amazonaws.com', auth: { method: 'profile', profile: 'lab' }, source: 'AWS profile' };
  const prod: ClusterSpec = { ...lab, name: 'prod', auth: { method: 'profile', profile: 'prod' } };
  const one = mergeImported([], lab);
  const two = mergeImported(one.clusters, prod);
  assert.equal(two.action, 'added');
  assert.deepEqual(two.clusters.map((c) => c.name), ['lab', 'prod']);
  const again = mergeImported(two.clusters, { ...lab, region: 'us-east-1' });
  assert.equal(again.action, 'updated');
  assert.equal(again.name, 'lab');
});

test('presigned link expiries: 45s, 90m, 3h, 2d, plain minutes; nothing past SigV4\'s 7 days', () => {
  assert.equal(parseExpiry('45s'), 45);
  assert.equal(parseExpiry('90m'), 5400);
  assert.equal(parseExpiry(' 3h '), 10800);
  assert.equal(parseExpiry('2d'), 172800);
  assert.equal(parseExpiry('7d'), 604800);
  assert.equal(parseExpiry('30'), 1800);
  assert.equal(parseExpiry('8d'), undefined);
  assert.equal(parseExpiry('0s'), undefined);
  assert.equal(parseExpiry('soon'), undefined);
  // What the typed-lifetime step says: past 7 days is said as such, anything else not a duration, as that.
  assert.equal(expiryProblem('7d'), undefined);
  assert.match(expiryProblem('8d')!, /at most 7 days/);
  assert.match(expiryProblem('11000m')!, /at most 7 days/);
  assert.match(expiryProblem('soon')!, /^Type a duration from 1 second to 7 days/);
  assert.match(expiryProblem('0s')!, /^Type a duration/);
});

/** The gateway's S3 API mounted at the root of another port, as nginx in front of an S3 server would. */
async function s3AtRoot(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const up = http.request(`${target}/s3${req.url === '/' ? '' : req.url}`, { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('what an endpoint is, asked before any credentials', () => {
  let open: TestGateway;
  let keyed: TestGateway;
  before(async () => {
    open = await startTestGateway();
    keyed = await startTestGateway({ credentials: { accessKey: 'AKIADETECT', secretKey: 'detect-secret' } });
  });
  after(async () => {
    await open.dispose();
    await keyed.dispose();
  });

  test('an AIStore gateway, typed as its native root or its /s3 side', async () => {
    const native = await detectEndpoint(open.url);
    assert.equal(native.kind, 'ais');
    assert.equal(native.endpoint, open.url);
    assert.equal(native.needsCredentials, false);
    const viaS3 = await detectEndpoint(`${open.url}/s3/`);
    assert.equal(viaS3.kind, 'ais');
    assert.equal(viaS3.endpoint, open.url, 'the native root is what is saved');
    const secured = await detectEndpoint(keyed.url);
    assert.equal(secured.kind, 'ais');
    assert.equal(secured.needsCredentials, true, 'a keyed gateway refuses the unsigned listing');
  });

  test('an S3 service at the root of its port, open and asking for keys', async () => {
    for (const [gw, needs] of [[open, false], [keyed, true]] as const) {
      const front = await s3AtRoot(gw.url);
      try {
        const found = await detectEndpoint(front.url);
        assert.equal(found.kind, 's3', `${front.url} is S3`);
        assert.equal(found.needsCredentials, needs);
        assert.equal(found.aws, false);
      } finally {
        await front.close();
      }
    }
  });

  test('neither: a web page, and nothing at all', async () => {
    const page = await fixedAnswerServer(200, { 'Content-Type': 'text/html' }, '<html><title>Router login</title></html>');
    try {
      await assert.rejects(detectEndpoint(page.url), (e: unknown) => isClientError(e) && e.kind === 'protocol' && /HTML page \("Router login"\).*not an S3 or AIStore endpoint/.test(e.message));
    } finally {
      await page.close();
    }
    const closed = await closedPort();
    await assert.rejects(detectEndpoint(closed), (e: unknown) => isClientError(e) && e.kind === 'unreachable' && /nothing listens on that port/.test(e.message));
  });
});

describe('connection snippets in the real s3cmd and aws CLI', () => {
  let gw: TestGateway;
  let tmp: string;
  const spec = (): ClusterSpec => ({ name: 'local', kind: 'ais', endpoint: gw.url, accessKey: 'AKIASNIPPET', secretKey: 'snippet/secret+key', authToken: 'x' });
  before(async () => {
    gw = await startTestGateway({ credentials: { accessKey: 'AKIASNIPPET', secretKey: 'snippet/secret+key' } });
    tmp = makeTempDir('snippets');
  });
  after(async () => {
    await gw.dispose();
    removeDir(tmp);
  });

  const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv) =>
    new Promise<{ code: number; out: string }>((resolve) =>
      execFile(cmd, args, { env: { PATH: process.env.PATH, HOME: tmp, LANG: 'C.UTF-8', ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
      ),
    );

  test('no secret on screen, the secret in what is copied', () => {
    for (const s of connectionSnippets(spec())) assert.equal(s.preview.includes('snippet/secret+key'), false, `${s.id} preview shows the secret`);
    const s3cfg = connectionSnippets(spec()).find((s) => s.id === 's3cfg')!;
    assert.match(s3cfg.text, /secret_key = snippet\/secret\+key/);
    assert.match(s3cfg.text, new RegExp(`host_base = ${new URL(gw.url).host}/s3`));
  });

  test('s3cmd with the .s3cfg section makes a bucket and lists it', { skip: skipUnlessInstalled('s3cmd') }, async () => {
    const cfg = path.join(tmp, 's3cfg');
    fs.writeFileSync(cfg, connectionSnippets(spec()).find((s) => s.id === 's3cfg')!.text);
    const mb = await run('s3cmd', ['-c', cfg, 'mb', 's3://from-snippet'], {});
    assert.equal(mb.code, 0, mb.out);
    const ls = await run('s3cmd', ['-c', cfg, 'ls'], {});
    assert.equal(ls.code, 0, ls.out);
    assert.match(ls.out, /s3:\/\/from-snippet/);
  });

  test('the aws CLI with the environment lines, and with the profile lines', { skip: skipUnlessInstalled('aws') }, async () => {
    const snippets = connectionSnippets(spec());
    // Pasted into a shell as a person would (an interactive shell expands the alias; bash -c is told to).
    const envLines = snippets.find((s) => s.id === 'awsEnv')!.text;
    const mb = await run('bash', ['-O', 'expand_aliases', '-c', `${envLines}\naws s3 mb s3://from-aws-snippet`], {});
    assert.equal(mb.code, 0, mb.out);
    const viaEnv = await run('bash', ['-O', 'expand_aliases', '-c', `${envLines}\naws s3 ls`], {});
    assert.equal(viaEnv.code, 0, viaEnv.out);
    assert.match(viaEnv.out, /from-aws-snippet/);
    const text = snippets.find((s) => s.id === 'awsProfile')!.text;
    const [config, credentials] = text.split('# ~/.aws/credentials');
    fs.mkdirSync(path.join(tmp, '.aws'), { recursive: true });
    fs.writeFileSync(path.join(tmp, '.aws', 'config'), config);
    fs.writeFileSync(path.join(tmp, '.aws', 'credentials'), credentials);
    const then = /^# then: (aws .*)$/m.exec(text)?.[1];
    assert.ok(then, 'the snippet says what to run');
    const viaProfile = await run('bash', ['-c', then], {});
    assert.equal(viaProfile.code, 0, viaProfile.out);
    assert.match(viaProfile.out, /from-aws-snippet/);
  });
});
