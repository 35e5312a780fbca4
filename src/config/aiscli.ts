// The `ais` CLI's own configuration, read as the CLI reads it (cmd/cli/config, cmd/cli/cli/init.go,
// api/authn/loadtoken.go in AIStore), so a cluster the CLI talks to can be added as it is:
// - $HOME/.config/ais/cli/cli.json: cluster.url, cluster.skip_verify_crt, cluster.client_ca_tls, auth.url,
//   timeout.tcp_timeout. The CLI takes HOME from the user database (Go's user.Current), not from XDG_*;
//   we take env.HOME (the same in practice, and what tests can set).
// - the environment wins over the file: AIS_ENDPOINT, AIS_AUTHN_URL, AIS_SKIP_VERIFY_CRT, AIS_CLIENT_CA
//   (AIS_USE_HTTPS only picks the scheme of the default endpoint).
// - the token: AIS_AUTHN_TOKEN (the JWT itself), else the file AIS_AUTHN_TOKEN_FILE, else
//   $HOME/.config/ais/cli/auth.token, which `ais auth login` writes as plain JSON {"token": "…"}
//   (jsp.Plain); files with jsp's "aistore" signature header are read too.
// No token is ever put in a message or a warning.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { displayPath } from './homepaths';

export interface AisCliImport {
  /** AIS_ENDPOINT, else cluster.url (else the CLI's default, http://127.0.0.1:8080). */
  endpoint: string;
  /** AIS_AUTHN_URL, else auth.url when it was changed from the CLI's default or a token is there. */
  authnUrl?: string;
  /** The token file the CLI would read, when it holds a token (not with AIS_AUTHN_TOKEN). */
  tokenFile?: string;
  /** Whether the CLI has a token to send (AIS_AUTHN_TOKEN, or a readable token file); see aisCliToken. */
  hasToken: boolean;
  tokenSource?: 'AIS_AUTHN_TOKEN' | 'file';
  /** For https endpoints, or when verification or a CA was configured. */
  tls?: { verify: boolean; caFile?: string };
  /** timeout.tcp_timeout, when valid. */
  connectTimeoutMs?: number;
  /** '~/.config/ais/cli/cli.json' (shown form), or 'environment' when there is no config file. */
  source: string;
  /** The environment variables that were applied, by name. */
  environment: string[];
  /** One sentence each: what was ignored or looks wrong. */
  warnings: string[];
}

/** A config file that cannot be used; the message names the file (and line and column for bad JSON). */
export class AisCliConfigError extends Error {
  override readonly name = 'AisCliConfigError';
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    readonly column?: number,
    /** readAisTokenFile: the file does not exist (no `ais auth login` yet). */
    readonly missing = false,
  ) {
    super(message);
  }
}

const DEFAULT_AIS_PORT = 8080;
const DEFAULT_AUTHN_PORT = 52001;
const TOKEN_FILE = 'auth.token';
const CONFIG_FILE = 'cli.json';

/** Every variable the CLI reads for a connection: any of them set means there is something to import. */
const AIS_ENV = ['AIS_ENDPOINT', 'AIS_AUTHN_URL', 'AIS_AUTHN_TOKEN', 'AIS_AUTHN_TOKEN_FILE', 'AIS_SKIP_VERIFY_CRT', 'AIS_CLIENT_CA', 'AIS_CRT', 'AIS_CRT_KEY', 'AIS_USE_HTTPS'];

function homeOf(env: NodeJS.ProcessEnv): string {
  return env.HOME || os.homedir();
}

/** $HOME/.config/ais/cli (cmn/cos.HomeConfigDir(fname.HomeCLI)). */
export function aisCliConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(homeOf(env), '.config', 'ais', 'cli');
}

function shown(file: string, env: NodeJS.ProcessEnv): string {
  return displayPath(file, homeOf(env));
}

/** Go's strconv.ParseBool plus AIStore's y/yes/on and n/no/off (cos.IsParseBool: anything else is false). */
function isParseBool(s: string): boolean {
  return ['1', 't', 'T', 'TRUE', 'true', 'True', 'y', 'yes', 'on'].includes(s);
}

/** Go's time.ParseDuration, for the units the CLI's config uses; undefined when it is not one. */
export function parseGoDuration(s: string): number | undefined {
  if (s === '0') return 0;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(s);
  if (!m) return undefined;
  let total = 0;
  for (const part of s.replace(/^[+-]/, '').matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) total += Number(part[1]) * units[part[2]];
  return m[1] === '-' ? -total : total;
}

/** A JSON field as Go's encoding/json finds it: the exact name, else one that differs only in case. */
function field(obj: unknown, name: string): unknown {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const o = obj as Record<string, unknown>;
  if (name in o) return o[name];
  const key = Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : o[key];
}

/** "Unexpected token } in JSON at position 42" → line and column (1-based) of position 42. */
function jsonErrorAt(text: string, err: Error): { line?: number; column?: number; why: string } {
  const why = err.message.replace(/\s*in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
  const m = /at position (\d+)/.exec(err.message);
  if (!m) return { why };
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  return { line, column: Number(m[1]) - before.lastIndexOf('\n'), why };
}

async function readConfigJson(file: string, env: NodeJS.ProcessEnv): Promise<Record<string, unknown> | undefined> {
  const name = shown(file, env);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (code === 'EISDIR') throw new AisCliConfigError(`${name} is a directory, not the ais CLI's config file: remove it, or run \`ais config cli reset\`.`, name);
    throw new AisCliConfigError(`${name} cannot be read (${code ?? (err as Error).message}): check its permissions.`, name);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const at = jsonErrorAt(text, err as Error);
    const where = at.line ? ` at line ${at.line}, column ${at.column}` : '';
    throw new AisCliConfigError(`${name} is not valid JSON${where} (${at.why}): fix it, or run \`ais config cli reset\` to start again.`, name, at.line, at.column);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AisCliConfigError(`${name} is not the ais CLI's config: it should be a JSON object with "cluster" and "auth"; run \`ais config cli reset\` to start again.`, name);
  }
  return parsed as Record<string, unknown>;
}

/**
 * What the `ais` CLI would connect to, and with what; undefined when there is neither a cli.json nor
 * any AIS_* variable. Throws AisCliConfigError for a cli.json that cannot be read or is not JSON.
 */
export async function readAisCliConfig(env: NodeJS.ProcessEnv = process.env): Promise<AisCliImport | undefined> {
  const dir = aisCliConfigDir(env);
  const file = path.join(dir, CONFIG_FILE);
  const name = shown(file, env);
  const config = await readConfigJson(file, env);
  const applied = AIS_ENV.filter((k) => env[k]);
  if (!config && applied.length === 0) return undefined;
  const warnings: string[] = [];
  const environment: string[] = [];

  const str = (section: string, key: string): string | undefined => {
    const v = field(field(config, section), key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new AisCliConfigError(`${name}: ${section}.${key} must be a string, not ${JSON.stringify(v).slice(0, 40)}; fix it with \`ais config cli set ${section}.${key} …\`.`, name);
    return v;
  };
  const bool = (section: string, key: string): boolean | undefined => {
    const v = field(field(config, section), key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw new AisCliConfigError(`${name}: ${section}.${key} must be true or false, not ${JSON.stringify(v).slice(0, 40)}; fix it with \`ais config cli set ${section}.${key} false\`.`, name);
    return v;
  };

  // Endpoint: AIS_ENDPOINT, cluster.url, then the default host (the CLI also probes local docker: not here).
  const scheme = isParseBool(env.AIS_USE_HTTPS ?? '') ? 'https' : 'http';
  let endpoint: string;
  let endpointFrom: string;
  if (env.AIS_ENDPOINT) {
    endpoint = env.AIS_ENDPOINT;
    endpointFrom = 'AIS_ENDPOINT';
    environment.push('AIS_ENDPOINT');
  } else {
    endpoint = str('cluster', 'url') || str('cluster', 'default_ais_host') || `${scheme}://127.0.0.1:${DEFAULT_AIS_PORT}`;
    endpointFrom = config ? `${name} cluster.url` : 'the default endpoint';
    if (!config && env.AIS_USE_HTTPS) environment.push('AIS_USE_HTTPS');
  }
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    /* below */
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    const fix = endpointFrom === 'AIS_ENDPOINT' ? 'set AIS_ENDPOINT to http://HOST:PORT' : 'run `ais config cli set cluster.url http://HOST:PORT`';
    throw new AisCliConfigError(`${endpointFrom} is "${endpoint.slice(0, 100)}", which is not an http(s) URL: ${fix}.`, endpointFrom === 'AIS_ENDPOINT' ? 'environment' : name);
  }
  endpoint = endpoint.replace(/\/+$/, '');

  // TLS: the file, then AIS_SKIP_VERIFY_CRT and AIS_CLIENT_CA (cmn.EnvToTLS).
  let skipVerify = bool('cluster', 'skip_verify_crt') ?? false;
  if (env.AIS_SKIP_VERIFY_CRT) {
    skipVerify = isParseBool(env.AIS_SKIP_VERIFY_CRT);
    environment.push('AIS_SKIP_VERIFY_CRT');
  }
  let caFile = str('cluster', 'client_ca_tls') || undefined;
  if (env.AIS_CLIENT_CA) {
    caFile = env.AIS_CLIENT_CA;
    environment.push('AIS_CLIENT_CA');
  }
  const clientCert = env.AIS_CRT || str('cluster', 'client_crt');
  if (clientCert || env.AIS_CRT_KEY || str('cluster', 'client_crt_key')) {
    warnings.push('The ais CLI is set up with a client certificate (cluster.client_crt, AIS_CRT), which AIS Buckets does not send: a cluster that requires one will refuse the connection.');
  }
  const https = url.protocol === 'https:';
  if (!https && (skipVerify || caFile)) warnings.push(`TLS settings (skip_verify_crt, client_ca_tls) do not apply: ${endpoint} is plain http.`);

  // Timeouts: tcp_timeout is a connect timeout; http_timeout (a whole-request deadline, 0 = none) has no counterpart.
  let connectTimeoutMs: number | undefined;
  const tcp = str('timeout', 'tcp_timeout');
  if (tcp !== undefined && tcp !== '') {
    const ms = parseGoDuration(tcp);
    if (ms === undefined || ms < 0) warnings.push(`${name}: timeout.tcp_timeout "${tcp.slice(0, 40)}" is not a duration like "60s"; the default is used.`);
    else if (ms > 0) connectTimeoutMs = ms;
  }

  // The token, as authn.LoadToken("") finds it.
  let hasToken = false;
  let tokenFile: string | undefined;
  let tokenSource: AisCliImport['tokenSource'];
  if (env.AIS_AUTHN_TOKEN) {
    hasToken = true;
    tokenSource = 'AIS_AUTHN_TOKEN';
    environment.push('AIS_AUTHN_TOKEN');
    if (env.AIS_AUTHN_TOKEN_FILE) warnings.push('Both AIS_AUTHN_TOKEN and AIS_AUTHN_TOKEN_FILE are set; like the ais CLI, AIS_AUTHN_TOKEN is used.');
    const expired = jwtExpired(env.AIS_AUTHN_TOKEN);
    if (expired) warnings.push(`The token in AIS_AUTHN_TOKEN expired on ${expired.toISOString()}: run \`ais auth login\` and set it again.`);
  } else {
    const candidate = env.AIS_AUTHN_TOKEN_FILE || path.join(dir, TOKEN_FILE);
    if (env.AIS_AUTHN_TOKEN_FILE) environment.push('AIS_AUTHN_TOKEN_FILE');
    try {
      const token = await readAisTokenFile(candidate, env);
      hasToken = true;
      tokenFile = candidate;
      tokenSource = 'file';
      const expired = jwtExpired(token);
      if (expired) warnings.push(`The token in ${shown(candidate, env)} expired on ${expired.toISOString()}: run \`ais auth login\` to get a new one.`);
    } catch (err) {
      // No default token file is the common case (no AuthN); anything else is worth a word.
      const missing = err instanceof AisCliConfigError && err.missing;
      if (env.AIS_AUTHN_TOKEN_FILE || !missing) warnings.push((err as Error).message);
    }
  }

  // AuthN: AIS_AUTHN_URL, else auth.url. The CLI writes http://127.0.0.1:52001 into every new cli.json,
  // so that value alone does not mean the cluster uses AuthN.
  let authnUrl: string | undefined;
  if (env.AIS_AUTHN_URL) {
    authnUrl = env.AIS_AUTHN_URL;
    environment.push('AIS_AUTHN_URL');
  } else {
    const configured = str('auth', 'url');
    const isDefault = configured === `http://127.0.0.1:${DEFAULT_AUTHN_PORT}` || configured === `https://127.0.0.1:${DEFAULT_AUTHN_PORT}`;
    if (configured && (!isDefault || hasToken)) authnUrl = configured;
  }
  if (authnUrl) authnUrl = authnUrl.replace(/\/+$/, '');

  const result: AisCliImport = { endpoint, hasToken, source: config ? name : 'environment', environment, warnings };
  if (authnUrl) result.authnUrl = authnUrl;
  if (tokenFile) result.tokenFile = tokenFile;
  if (tokenSource) result.tokenSource = tokenSource;
  if (https || skipVerify || caFile) result.tls = { verify: !skipVerify, ...(caFile ? { caFile } : {}) };
  if (connectTimeoutMs !== undefined) result.connectTimeoutMs = connectTimeoutMs;
  return result;
}

/** The token the CLI would send (authn.LoadToken("")): AIS_AUTHN_TOKEN, else the token file; undefined when there is none. */
export async function aisCliToken(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (env.AIS_AUTHN_TOKEN) return env.AIS_AUTHN_TOKEN;
  const file = env.AIS_AUTHN_TOKEN_FILE || path.join(aisCliConfigDir(env), TOKEN_FILE);
  try {
    return await readAisTokenFile(file, env);
  } catch (err) {
    if (!env.AIS_AUTHN_TOKEN_FILE && err instanceof AisCliConfigError && err.missing) return undefined;
    throw err;
  }
}

/** jsp's header: "aistore", the jsp version byte, a 4-byte meta version, 4 bytes of flags (cmn/jsp). */
const JSP_SIGNATURE = 'aistore';
const JSP_PREFIX = 16;
const JSP_CHECKSUM = 8;

/**
 * The token in a file `ais auth login` wrote: {"token": "…"} (jsp.Plain), with or without jsp's signed
 * header (its xxhash checksum is skipped, not verified). A bare JWT on one line is taken too.
 * Throws AisCliConfigError (with `missing` set when the file does not exist); no token in any message.
 */
export async function readAisTokenFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const name = shown(file, env);
  let data: Buffer;
  try {
    data = await fs.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const e =
      code === 'ENOENT' || code === 'ENOTDIR'
        ? new AisCliConfigError(`The token file ${name} does not exist: run \`ais auth login\` to create it, or choose another file.`, name, undefined, undefined, true)
        : code === 'EISDIR'
          ? new AisCliConfigError(`${name} is a directory, not a token file: choose the file \`ais auth login\` wrote (~/.config/ais/cli/auth.token).`, name)
          : new AisCliConfigError(`The token file ${name} cannot be read (${code ?? (err as Error).message}): check its permissions.`, name);
    throw e;
  }
  const notToken = () => new AisCliConfigError(`${name} is not an AIStore token file: it should hold {"token": "…"} as \`ais auth login\` writes it.`, name);
  let body = data;
  if (data.subarray(0, JSP_SIGNATURE.length).toString('latin1') === JSP_SIGNATURE) {
    if (data.length < JSP_PREFIX) throw notToken();
    const flags = data.readUInt32BE(12);
    if (flags & 1) throw new AisCliConfigError(`${name} is a compressed AIStore file, which AIS Buckets cannot read: run \`ais auth login\` to write the token again.`, name);
    body = data.subarray(JSP_PREFIX + (flags & 2 ? JSP_CHECKSUM : 0));
  }
  const text = body.toString('utf8').trim();
  if (!text) throw new AisCliConfigError(`The token file ${name} is empty: run \`ais auth login\` to get a token.`, name);
  if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(text)) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw notToken();
  }
  const token = field(parsed, 'token');
  if (typeof token !== 'string' || !token) throw notToken();
  return token;
}

/** The expiry of a JWT when it is past (its "exp" claim, read without verifying); undefined otherwise. */
function jwtExpired(token: string): Date | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    if (typeof exp === 'number' && exp * 1000 < Date.now()) return new Date(exp * 1000);
  } catch {
    /* not a JWT we can read: the cluster will say */
  }
  return undefined;
}
