// The gateway program with --authn, run as a child as the extension runs it: it prints its AuthN URL and
// sends it in the IPC 'listening' message, signs in its --authn-user, never prints a password or the
// secret, refuses bad --authn-* flags, and once it is gone the client says AuthN does not answer.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { fork, spawn } from 'node:child_process';
import { AisClusterClient } from '../../src/client/ais/client';
import { signIn } from '../../src/client/ais/authn';
import { expectClientError } from '../helpers/client-error';
import { gatewayProgram } from '../helpers/program';
import { makeTempDir, removeDir } from '../helpers/temp';

interface Listening {
  type: string;
  url: string;
  port: number;
  authnUrl?: string;
}

function runToExit(script: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

test('gateway --authn: stdout and the IPC message give the AuthN URL; its user signs in and uses the cluster', async () => {
  const tmp = makeTempDir('authn-prog');
  const script = await gatewayProgram(tmp);
  const password = 'pass:word:42';
  const secret = 'program-secret-key';
  const child = fork(
    script,
    ['--port', '0', '--host', '127.0.0.1', '--data', `${tmp}/data`, '--authn', '--authn-port', '0', '--authn-user', `alice:${password}`, '--authn-ttl', '30s'],
    { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, AIS_AUTHN_SECRET_KEY: secret }, execArgv: [] },
  );
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const msg = await new Promise<Listening>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no 'listening' message: ${out}`)), 20_000);
      child.on('message', (m: Listening) => {
        if (m?.type === 'listening') {
          clearTimeout(timer);
          resolve(m);
        }
      });
      child.once('exit', (code) => reject(new Error(`gateway exited (${code}): ${out}`)));
    });
    assert.match(msg.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(msg.authnUrl, JSON.stringify(msg));
    assert.match(msg.authnUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(msg.authnUrl, msg.url);
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(out.includes(`AuthN listening on ${msg.authnUrl} (users: alice (full access); tokens last 30s`), out);
    // the first "listening on" line is still the gateway's (test/helpers/program.ts reads it)
    assert.equal(/listening on (https?:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1], msg.url);

    const { token, expiresAt } = await signIn(msg.authnUrl, 'alice', password);
    assert.ok(expiresAt && Math.abs(expiresAt.getTime() - Date.now() - 30_000) < 2000);
    const client = new AisClusterClient({ kind: 'ais', endpoint: msg.url, authToken: token });
    await client.createBucket({ name: 'prog', provider: 'ais' });
    assert.deepEqual((await client.listBuckets()).map((b) => b.name), ['prog']);
    client.dispose();
    const anonymous = new AisClusterClient({ kind: 'ais', endpoint: msg.url });
    assert.equal((await expectClientError(anonymous.listBuckets(), 'auth')).authProblem, 'no-credentials');
    anonymous.dispose();
    assert.ok(!out.includes(password) && !out.includes(secret) && !out.includes(token), 'no password, secret or token in the output');

    child.kill('SIGTERM');
    await exited;
    await expectClientError(signIn(msg.authnUrl, 'alice', password), 'unreachable', /^AuthN at http:\/\/127\.0\.0\.1:\d+ does not answer \(nothing listens on that port\)/);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    removeDir(tmp);
  }
});

test('gateway --authn-* flags are checked before it starts', async () => {
  const tmp = makeTempDir('authn-flags');
  const script = await gatewayProgram(tmp);
  const base = ['--port', '0', '--data', `${tmp}/data`];
  try {
    const cases: [string[], RegExp][] = [
      [['--authn-user', 'a:b'], /--authn-user goes with --authn/],
      [['--authn', '--authn-ttl', 'soon'], /--authn-ttl must be a duration from 1s to 2160h0m0s like 24h, 30m or 10s, not "soon"/],
      [['--authn', '--authn-ttl', '100ms'], /--authn-ttl must be a duration/],
      [['--authn', '--authn-port', 'x'], /--authn-port must be a number/],
      [['--authn', '--authn-user', 'nopassword'], /--authn-user takes NAME:PASSWORD/],
      [['--authn', '--authn-user', 'a:1', '--authn-guest', 'a:2'], /AuthN user "a" is given twice/],
      [['--authn', '--host', '0.0.0.0', '--authn-port', '0'], /--authn on a non-loopback --host needs a password/],
    ];
    for (const [args, expected] of cases) {
      const { code, out } = await runToExit(script, [...base, ...args]);
      assert.equal(code, 2, `${args.join(' ')}: ${out}`);
      assert.match(out, expected);
    }
  } finally {
    removeDir(tmp);
  }
});
