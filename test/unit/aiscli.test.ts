// The `ais` CLI's config and token as AIS Buckets imports them: fixture files (test/fixtures/ais) put in
// a temporary HOME's ~/.config/ais/cli, environment variables passed in, the environment winning as in
// the CLI; malformed files and tokens fail with a sentence naming the file, and no token is in any message.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AisCliConfigError, aisCliConfigDir, aisCliToken, parseGoDuration, readAisCliConfig, readAisTokenFile } from '../../src/config/aiscli';
import { makeTempDir, removeDir } from '../helpers/temp';

// Built to out/test/unit/; fixtures stay in the source tree.
const fixtures = path.resolve(__dirname, '../../../test/fixtures/ais');
const fixture = (name: string) => fs.readFileSync(path.join(fixtures, name));
const TOKEN = JSON.parse(fixture('auth.token').toString()).token as string;

/** A HOME whose ~/.config/ais/cli holds the given fixtures (name in the dir → fixture file). */
function home(files: Record<string, string | Buffer> = {}) {
  const dir = makeTempDir('aishome');
  const cli = path.join(dir, '.config', 'ais', 'cli');
  fs.mkdirSync(cli, { recursive: true });
  for (const [name, from] of Object.entries(files)) fs.writeFileSync(path.join(cli, name), typeof from === 'string' ? fixture(from) : from);
  return { dir, cli, env: { HOME: dir } as NodeJS.ProcessEnv, dispose: () => removeDir(dir) };
}

async function configError(promise: Promise<unknown>): Promise<AisCliConfigError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof AisCliConfigError, String(err));
    assert.ok(!err.message.includes(TOKEN), 'no token in the message');
    return err;
  }
  assert.fail('expected an AisCliConfigError');
}

test('nothing to import: no cli.json and no AIS_* variable', async () => {
  const h = home();
  try {
    assert.equal(await readAisCliConfig(h.env), undefined);
    assert.equal(aisCliConfigDir({ HOME: '/u' }), '/u/.config/ais/cli');
    assert.equal(aisCliConfigDir({ HOME: '/u', XDG_CONFIG_HOME: '/x' }), '/u/.config/ais/cli', 'the CLI does not follow XDG_CONFIG_HOME');
  } finally {
    h.dispose();
  }
});

test('the default cli.json: the local endpoint, no AuthN (its default auth.url alone means nothing), no token', async () => {
  const h = home({ 'cli.json': 'cli-default.json' });
  try {
    assert.deepEqual(await readAisCliConfig(h.env), {
      endpoint: 'http://127.0.0.1:8080',
      hasToken: false,
      source: '~/.config/ais/cli/cli.json',
      environment: [],
      warnings: [],
      connectTimeoutMs: 60_000,
    });
    assert.equal(await aisCliToken(h.env), undefined);
  } finally {
    h.dispose();
  }
});

test('an HTTPS cluster with a CA and AuthN, and the token `ais auth login` left', async () => {
  const h = home({ 'cli.json': 'cli-https.json', 'auth.token': 'auth.token' });
  try {
    const got = await readAisCliConfig(h.env);
    assert.deepEqual(got, {
      endpoint: 'https://ais.example.test:51080',
      authnUrl: 'https://authn.example.test:52001',
      tokenFile: path.join(h.cli, 'auth.token'),
      tokenSource: 'file',
      hasToken: true,
      tls: { verify: true, caFile: '/etc/ais/ca.pem' },
      connectTimeoutMs: 10_000,
      source: '~/.config/ais/cli/cli.json',
      environment: [],
      warnings: [],
    });
    assert.ok(!JSON.stringify(got).includes(TOKEN), 'the import says there is a token, not what it is');
    assert.equal(await aisCliToken(h.env), TOKEN);
    assert.equal(await readAisTokenFile(path.join(h.cli, 'auth.token')), TOKEN);
  } finally {
    h.dispose();
  }
});

test('the environment wins over the file, as in the CLI', async () => {
  const h = home({ 'cli.json': 'cli-https.json', 'auth.token': 'auth.token' });
  const other = path.join(h.dir, 'other.token');
  fs.writeFileSync(other, JSON.stringify({ token: 'OTHER.TOKEN.VALUE' }));
  try {
    const env = { ...h.env, AIS_ENDPOINT: 'http://10.1.2.3:51080', AIS_AUTHN_URL: 'http://10.1.2.3:52001/', AIS_SKIP_VERIFY_CRT: 'true', AIS_CLIENT_CA: '/tmp/ca.pem', AIS_AUTHN_TOKEN_FILE: other };
    const got = await readAisCliConfig(env);
    assert.equal(got?.endpoint, 'http://10.1.2.3:51080');
    assert.equal(got?.authnUrl, 'http://10.1.2.3:52001');
    assert.deepEqual(got?.tls, { verify: false, caFile: '/tmp/ca.pem' });
    assert.equal(got?.tokenFile, other);
    assert.deepEqual(got?.environment, ['AIS_ENDPOINT', 'AIS_SKIP_VERIFY_CRT', 'AIS_CLIENT_CA', 'AIS_AUTHN_TOKEN_FILE', 'AIS_AUTHN_URL']);
    assert.deepEqual(got?.warnings, ['TLS settings (skip_verify_crt, client_ca_tls) do not apply: http://10.1.2.3:51080 is plain http.']);
    assert.equal(await aisCliToken(env), 'OTHER.TOKEN.VALUE');

    // AIS_AUTHN_TOKEN beats any file; with AIS_AUTHN_TOKEN_FILE too, the CLI's warning.
    const direct = await readAisCliConfig({ ...env, AIS_AUTHN_TOKEN: 'DIRECT.JWT.TOKEN' });
    assert.equal(direct?.tokenSource, 'AIS_AUTHN_TOKEN');
    assert.equal(direct?.tokenFile, undefined);
    assert.ok(direct?.warnings.includes('Both AIS_AUTHN_TOKEN and AIS_AUTHN_TOKEN_FILE are set; like the ais CLI, AIS_AUTHN_TOKEN is used.'));
    assert.ok(!JSON.stringify(direct).includes('DIRECT.JWT.TOKEN'));
    assert.equal(await aisCliToken({ ...env, AIS_AUTHN_TOKEN: 'DIRECT.JWT.TOKEN' }), 'DIRECT.JWT.TOKEN');
    // "yes"/"on"/"1" are true to the CLI, anything else false.
    for (const [v, verify] of [['yes', false], ['1', false], ['no', true], ['maybe', true]] as const) {
      assert.equal((await readAisCliConfig({ ...h.env, AIS_SKIP_VERIFY_CRT: v }))?.tls?.verify, verify, v);
    }
  } finally {
    h.dispose();
  }
});

test('environment only (no cli.json): source "environment"; AIS_USE_HTTPS picks the default scheme', async () => {
  const h = home();
  try {
    const got = await readAisCliConfig({ ...h.env, AIS_ENDPOINT: 'https://ais.example.test:51080' });
    assert.deepEqual(got, { endpoint: 'https://ais.example.test:51080', hasToken: false, source: 'environment', environment: ['AIS_ENDPOINT'], warnings: [], tls: { verify: true } });
    const https = await readAisCliConfig({ ...h.env, AIS_USE_HTTPS: 'true' });
    assert.equal(https?.endpoint, 'https://127.0.0.1:8080');
    const token = await readAisCliConfig({ ...h.env, AIS_AUTHN_TOKEN: TOKEN });
    assert.equal(token?.hasToken, true);
    assert.equal(token?.endpoint, 'http://127.0.0.1:8080');
  } finally {
    h.dispose();
  }
});

test('malformed cli.json: the file, line and column; a cli.json that is no config; a bad URL', async () => {
  const h = home({ 'cli.json': 'cli-malformed.json' });
  try {
    const e = await configError(readAisCliConfig(h.env));
    // The reason in parentheses is V8's own words, which vary between Node versions.
    assert.match(e.message, /^~\/\.config\/ais\/cli\/cli\.json is not valid JSON at line 4, column 3 \([^)]+\): fix it, or run `ais config cli reset` to start again\.$/);
    assert.deepEqual([e.file, e.line, e.column], ['~/.config/ais/cli/cli.json', 4, 3]);
    fs.writeFileSync(path.join(h.cli, 'cli.json'), '{"cluster": {"url": "http://a:8080"');
    assert.match((await configError(readAisCliConfig(h.env))).message, /^~\/\.config\/ais\/cli\/cli\.json is not valid JSON (at line 1, column 36 )?\(/);
    fs.writeFileSync(path.join(h.cli, 'cli.json'), '[1, 2]');
    assert.match((await configError(readAisCliConfig(h.env))).message, /is not the ais CLI's config: it should be a JSON object/);
    fs.writeFileSync(path.join(h.cli, 'cli.json'), '{"cluster": {"url": 8080}}');
    assert.match((await configError(readAisCliConfig(h.env))).message, /cluster\.url must be a string, not 8080/);
    fs.writeFileSync(path.join(h.cli, 'cli.json'), '{"cluster": {"url": "10.0.0.5:8080"}}');
    assert.equal((await configError(readAisCliConfig(h.env))).message, '~/.config/ais/cli/cli.json cluster.url is "10.0.0.5:8080", which is not an http(s) URL: run `ais config cli set cluster.url http://HOST:PORT`.');
    assert.match((await configError(readAisCliConfig({ ...h.env, AIS_ENDPOINT: 'ftp://x' }))).message, /^AIS_ENDPOINT is "ftp:\/\/x", which is not an http\(s\) URL: set AIS_ENDPOINT to http:\/\/HOST:PORT\.$/);
    // Go's encoding/json matches field names regardless of case.
    fs.writeFileSync(path.join(h.cli, 'cli.json'), '{"Cluster": {"URL": "http://10.0.0.5:8080", "Skip_Verify_Crt": true}, "timeout": {"tcp_timeout": "soon"}}');
    const odd = await readAisCliConfig(h.env);
    assert.equal(odd?.endpoint, 'http://10.0.0.5:8080');
    assert.deepEqual(odd?.warnings, [
      'TLS settings (skip_verify_crt, client_ca_tls) do not apply: http://10.0.0.5:8080 is plain http.',
      '~/.config/ais/cli/cli.json: timeout.tcp_timeout "soon" is not a duration like "60s"; the default is used.',
    ]);
  } finally {
    h.dispose();
  }
});

test('token files: plain JSON, jsp-signed, a bare JWT; missing, a directory, empty, not a token, compressed', async () => {
  const h = home();
  try {
    const file = (name: string, data: string | Buffer) => {
      const p = path.join(h.dir, name);
      fs.writeFileSync(p, data);
      return p;
    };
    assert.equal(await readAisTokenFile(file('plain.token', fixture('auth.token'))), TOKEN);
    // jsp's layout (cmn/jsp): "aistore", jsp version 3, a 4-byte meta version, 4 bytes of flags; then an
    // 8-byte xxhash when the checksum flag (2) is set; then the JSON.
    const header = (flags: number) => {
      const b = Buffer.alloc(16);
      b.write('aistore', 0, 'latin1');
      b[7] = 3;
      b.writeUInt32BE(1, 8);
      b.writeUInt32BE(flags, 12);
      return b;
    };
    const json = Buffer.from(JSON.stringify({ token: TOKEN }) + '\n');
    assert.equal(await readAisTokenFile(file('signed.token', Buffer.concat([header(0), json]))), TOKEN);
    assert.equal(await readAisTokenFile(file('cksum.token', Buffer.concat([header(2), Buffer.alloc(8, 0xab), json]))), TOKEN);
    assert.equal(await readAisTokenFile(file('bare.token', `${TOKEN}\n`)), TOKEN);

    const cases: [string, RegExp][] = [
      [path.join(h.dir, 'none.token'), /^The token file ~\/none\.token does not exist: run `ais auth login` to create it, or choose another file\.$/],
      [h.cli, /^~\/\.config\/ais\/cli is a directory, not a token file/],
      [file('empty.token', ''), /^The token file ~\/empty\.token is empty: run `ais auth login`/],
      [file('other.json', '{"tok": "x"}'), /^~\/other\.json is not an AIStore token file: it should hold \{"token": "…"\}/],
      [file('text.token', 'hello world'), /is not an AIStore token file/],
      [file('lz4.token', Buffer.concat([header(3), Buffer.alloc(8), Buffer.from('compressed')])), /is a compressed AIStore file/],
    ];
    for (const [p, message] of cases) {
      const e = await configError(readAisTokenFile(p, h.env));
      assert.match(e.message, message);
    }
    if (process.getuid?.() !== 0) {
      const locked = file('locked.token', fixture('auth.token'));
      fs.chmodSync(locked, 0o000);
      assert.match((await configError(readAisTokenFile(locked, h.env))).message, /cannot be read \(EACCES\): check its permissions/);
    }
  } finally {
    h.dispose();
  }
});

test('a token that is there but unusable is a warning, not a failure; an expired one says so', async () => {
  const h = home({ 'cli.json': 'cli-default.json', 'auth.token': 'auth-expired.token' });
  try {
    const expired = await readAisCliConfig(h.env);
    assert.equal(expired?.hasToken, true);
    assert.equal(expired?.authnUrl, 'http://127.0.0.1:52001', 'with a token, the default auth.url is where it came from');
    assert.deepEqual(expired?.warnings, ['The token in ~/.config/ais/cli/auth.token expired on 2001-01-01T00:00:00.000Z: run `ais auth login` to get a new one.']);
    fs.writeFileSync(path.join(h.cli, 'auth.token'), 'garbage');
    const bad = await readAisCliConfig(h.env);
    assert.equal(bad?.hasToken, false);
    assert.deepEqual(bad?.warnings, ['~/.config/ais/cli/auth.token is not an AIStore token file: it should hold {"token": "…"} as `ais auth login` writes it.']);
    const named = await readAisCliConfig({ ...h.env, AIS_AUTHN_TOKEN_FILE: path.join(h.dir, 'gone.token') });
    assert.deepEqual(named?.warnings, ['The token file ~/gone.token does not exist: run `ais auth login` to create it, or choose another file.']);
    await configError(aisCliToken({ ...h.env, AIS_AUTHN_TOKEN_FILE: path.join(h.dir, 'gone.token') }));
  } finally {
    h.dispose();
  }
});

test("Go durations as the CLI's timeouts use them", () => {
  assert.equal(parseGoDuration('60s'), 60_000);
  assert.equal(parseGoDuration('1m30s'), 90_000);
  assert.equal(parseGoDuration('1.5h'), 5_400_000);
  assert.equal(parseGoDuration('250ms'), 250);
  assert.equal(parseGoDuration('0'), 0);
  assert.equal(parseGoDuration('0s'), 0);
  assert.equal(parseGoDuration('60'), undefined);
  assert.equal(parseGoDuration('soon'), undefined);
});
