// Show Connection Details for the local gateway, proven with the real tools: the .s3cfg section it gives
// makes s3cmd list the local gateway's buckets, its environment lines and its profile do the same for
// the aws CLI. The rows show the secret masked; only what is copied holds it.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConnectionSnippet } from '../../src/config/snippets';
import type { AisBucketsApi } from '../../src/extension';
import { activate, testGateway } from '../helpers/extension-host';
import { makeTempDir, removeDir } from '../helpers/temp';
import { skipUnlessInstalled } from '../helpers/tools';

const BUCKET = 'details-check';

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, out: String(e) });
    });
  });
}

describe('connection: Show Connection Details', function () {
  this.timeout(180_000);
  let api: AisBucketsApi;
  let wasRunning = false;
  let snippets: ConnectionSnippet[];
  let secret: string;
  let accessKey: string;
  const tmp = makeTempDir('conn-details');
  // The tools see only what the snippets give them: no ~/.aws, no ~/.s3cfg, no AWS_* of this process.
  const isolated = (): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_') && k !== 'HOME') env[k] = v;
    return { ...env, HOME: tmp, AWS_CONFIG_FILE: path.join(tmp, 'no-config'), AWS_SHARED_CREDENTIALS_FILE: path.join(tmp, 'no-credentials'), AWS_EC2_METADATA_DISABLED: 'true' };
  };
  const snippet = (id: ConnectionSnippet['id']) => {
    const s = snippets.find((x) => x.id === id);
    assert.ok(s, `a "${id}" row among ${snippets.map((x) => x.id).join(', ')}`);
    return s;
  };

  before(async function () {
    if (!testGateway()) return this.skip();
    api = await activate<AisBucketsApi>();
    wasRunning = Boolean(api.gateway.url);
    const url = (await vscode.commands.executeCommand('aisBuckets.startLocalGateway')) as string;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const client = await api.registry.client('local');
    if (!(await client.listBuckets('ais')).some((b) => b.name === BUCKET)) await client.createBucket({ name: BUCKET, provider: 'ais' });
    snippets = (await vscode.commands.executeCommand('aisBuckets.showConnectionDetails', 'local')) as ConnectionSnippet[];
    ({ secretKey: secret, accessKey } = (await api.registry.entry('local'))!.spec as { secretKey: string; accessKey: string });
    assert.ok(secret, 'the local gateway runs with keys');
  });

  after(async () => {
    if (api?.gateway.url) {
      await (await api.registry.client('local')).deleteBucket({ name: BUCKET, provider: 'ais' }).catch(() => undefined);
      // Other suites expect it as they found it.
      if (!wasRunning) await vscode.commands.executeCommand('aisBuckets.stopLocalGateway');
    }
    assert.equal(Boolean(api?.gateway.url), wasRunning);
    removeDir(tmp);
  });

  it('gives the endpoints and the access key; rows show the secret masked, the copied text has it', () => {
    const url = api.gateway.url!;
    assert.equal(snippet('native').text, url);
    assert.equal(snippet('s3').text, `${url}/s3`);
    assert.equal(snippet('accessKey').text, accessKey);
    for (const s of snippets) assert.ok(!s.preview.includes(secret), `the "${s.id}" row does not show the secret`);
    for (const id of ['s3cfg', 'awsEnv', 'awsProfile'] as const) assert.ok(snippet(id).text.includes(secret), `the copied ${id} holds the secret`);
  });

  it('its .s3cfg section makes the real s3cmd list the local buckets', async function () {
    const skip = skipUnlessInstalled('s3cmd');
    if (skip) return this.skip();
    const cfg = path.join(tmp, 's3cfg');
    fs.writeFileSync(cfg, snippet('s3cfg').text);
    const r = await run('s3cmd', ['-c', cfg, 'ls'], isolated());
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, new RegExp(`s3://${BUCKET}\\b`));
  });

  it('its environment lines make the real aws CLI list the local buckets', async function () {
    const skip = skipUnlessInstalled('aws');
    if (skip) return this.skip();
    const env = isolated();
    for (const line of snippet('awsEnv').text.split('\n').filter(Boolean)) {
      const m = /^export ([A-Z_]+)=(.*)$/.exec(line);
      assert.ok(m, `an export line: ${line.replace(secret, '…')}`);
      env[m[1]] = m[2];
    }
    const r = await run('aws', ['s3', 'ls'], env);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, new RegExp(`\\b${BUCKET}$`, 'm'));
  });

  it('its profile, put in the two AWS files, makes the real aws CLI list the local buckets', async function () {
    const skip = skipUnlessInstalled('aws');
    if (skip) return this.skip();
    const text = snippet('awsProfile').text;
    const [config, credentials] = text.split('# ~/.aws/credentials');
    const env = isolated();
    fs.writeFileSync(env.AWS_CONFIG_FILE!, config);
    fs.writeFileSync(env.AWS_SHARED_CREDENTIALS_FILE!, credentials);
    const r = await run('aws', ['--profile', 'ais-local', 's3', 'ls'], env);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, new RegExp(`\\b${BUCKET}$`, 'm'));
  });
});
