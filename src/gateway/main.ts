// The embedded gateway as a program: node dist/gateway.js --port 51080 --data DIR [--host 127.0.0.1]
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { formatGoDuration, parseGoDuration } from './authn/duration';
import type { AuthnOptions } from './authn/server';
import { AuthnUser, DEFAULT_TTL_MS, MAX_TOKEN_AGE_MS } from './authn/tokens';
import { isChecksumType } from './checksum';
import { startMultiNode } from './multinode/proxy';
import { startGateway } from './server';

const USAGE = `usage: node dist/gateway.js [--port 51080] [--data DIR] [--host 127.0.0.1]
                          [--tls-cert FILE --tls-key FILE] [--checksum xxhash|md5|...] [--fsync] [--redirect]
                          [--aws-endpoint URL [--aws-access-key KEY --aws-secret-key SECRET] [--aws-region REGION]]
                          [--access-key KEY --secret-key SECRET | --auth-file FILE] [--allow-anonymous]
                          [--authn [--authn-port 52001] [--authn-user NAME:PASSWORD]... [--authn-guest NAME:PASSWORD]...
                                   [--authn-ttl 24h] [--authn-secret SECRET]]
       node dist/gateway.js --targets N [--port 51080] [--data DIR] [--checksum ...] [--fsync]

  --access-key, --secret-key
                   require requests signed with these keys (S3: SigV4 or V2; native API: the same, or the
                   Bearer token derived from them); --auth-file reads {"accessKey": ..., "secretKey": ...}
                   from a JSON file instead (keeps the secret out of the process list)
  --allow-anonymous
                   serve unsigned requests on a non-loopback --host (without credentials the gateway
                   refuses any host but loopback unless told so)
  --authn          run an AuthN server beside the gateway (its own port, --authn-port, default 52001 or
                   AIS_AUTHN_PORT; 0 = any free port) and require its tokens: /v1 wants
                   "Authorization: Bearer <token>", /s3 takes the token in X-Amz-Security-Token too.
                   Sign in with POST {AuthN}/v1/users/NAME {"password": ...} (what "ais auth login" sends)
  --authn-user     a user with full access (repeatable); default: AIS_AUTHN_SU_NAME (admin) with the
                   password AIS_AUTHN_SU_PASS, else "admin" (loopback only)
  --authn-guest    a user with read-only access (repeatable)
  --authn-ttl      token lifetime when a login does not ask for one (Go duration: 24h, 30m, 2s; default
                   AIS_AUTHN_TTL or 24h)
  --authn-secret   the HMAC secret tokens are signed with (default AIS_AUTHN_SECRET_KEY, else random)
  --redirect       behave like an AIStore proxy: object requests are redirected to a target
                   listener (GET with 301, the others with 307)
  --targets N      run a local cluster: this process is the proxy on --port, N target processes (1-16) on
                   loopback ports, each with its own data dir (DIR/t0, DIR/t1, ...); objects are placed on
                   targets by AIStore's HRW, native object requests are redirected to their target (307,
                   GET 301), S3 ones forwarded, listings merged; a target that dies is dropped from the
                   cluster map within a second or two. Stopping the proxy stops its targets
  --aws-endpoint   S3 service behind the aws provider (keys default to AWS_ACCESS_KEY_ID and
                   AWS_SECRET_ACCESS_KEY, the region to AWS_REGION or us-east-1)`;

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        port: { type: 'string', default: '51080' },
        host: { type: 'string', default: '127.0.0.1' },
        data: { type: 'string', default: '.gateway-data' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        checksum: { type: 'string' },
        fsync: { type: 'boolean', default: false },
        redirect: { type: 'boolean', default: false },
        'aws-endpoint': { type: 'string' },
        'aws-access-key': { type: 'string' },
        'aws-secret-key': { type: 'string' },
        'aws-region': { type: 'string' },
        'access-key': { type: 'string' },
        'secret-key': { type: 'string' },
        'auth-file': { type: 'string' },
        'allow-anonymous': { type: 'boolean', default: false },
        authn: { type: 'boolean', default: false },
        'authn-port': { type: 'string' },
        'authn-user': { type: 'string', multiple: true },
        'authn-guest': { type: 'string', multiple: true },
        'authn-ttl': { type: 'string' },
        'authn-secret': { type: 'string' },
        targets: { type: 'string' },
        // Internal: a target of a --targets cluster, with the id its proxy gave it.
        'node-id': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a number from 0 to 65535, not "${args.port}"\n${USAGE}`);
    process.exit(2);
  }
  if (args.checksum !== undefined && !isChecksumType(args.checksum)) {
    console.error(`--checksum must be one of none, xxhash, xxhash2, md5, crc32c, sha256, sha512`);
    process.exit(2);
  }
  if (!!args['tls-cert'] !== !!args['tls-key']) {
    console.error('--tls-cert and --tls-key go together');
    process.exit(2);
  }
  let remote;
  if (args['aws-endpoint']) {
    const accessKey = args['aws-access-key'] ?? process.env.AWS_ACCESS_KEY_ID;
    const secretKey = args['aws-secret-key'] ?? process.env.AWS_SECRET_ACCESS_KEY;
    if (!accessKey || !secretKey) {
      console.error('--aws-endpoint needs credentials: --aws-access-key and --aws-secret-key (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)');
      process.exit(2);
    }
    try {
      new URL(args['aws-endpoint']);
    } catch {
      console.error(`--aws-endpoint must be a URL (e.g. https://s3.us-east-1.amazonaws.com), not "${args['aws-endpoint']}"`);
      process.exit(2);
    }
    remote = { endpoint: args['aws-endpoint'], accessKey, secretKey, region: args['aws-region'] ?? process.env.AWS_REGION };
  } else if (args['aws-access-key'] || args['aws-secret-key'] || args['aws-region']) {
    console.error('--aws-access-key, --aws-secret-key and --aws-region go with --aws-endpoint');
    process.exit(2);
  }
  let credentials: { accessKey: string; secretKey: string } | undefined;
  if (args['auth-file']) {
    if (args['access-key'] || args['secret-key']) {
      console.error('--auth-file and --access-key/--secret-key are alternatives: give one');
      process.exit(2);
    }
    try {
      const c = JSON.parse(fs.readFileSync(args['auth-file'], 'utf8')) as Record<string, unknown>;
      if (typeof c.accessKey !== 'string' || typeof c.secretKey !== 'string' || !c.accessKey || !c.secretKey) throw new Error('it needs "accessKey" and "secretKey" strings');
      credentials = { accessKey: c.accessKey, secretKey: c.secretKey };
    } catch (e) {
      console.error(`--auth-file ${args['auth-file']}: ${(e as Error).message}`);
      process.exit(2);
    }
  } else if (!args['access-key'] && !args['secret-key'] && process.env.AIS_BUCKETS_GATEWAY_ACCESS_KEY && process.env.AIS_BUCKETS_GATEWAY_SECRET_KEY) {
    // How the extension hands over the keys it keeps in SecretStorage (not visible in `ps`).
    credentials = { accessKey: process.env.AIS_BUCKETS_GATEWAY_ACCESS_KEY, secretKey: process.env.AIS_BUCKETS_GATEWAY_SECRET_KEY };
  } else if (args['access-key'] || args['secret-key']) {
    if (!args['access-key'] || !args['secret-key']) {
      console.error('--access-key and --secret-key go together');
      process.exit(2);
    }
    credentials = { accessKey: args['access-key'], secretKey: args['secret-key'] };
  }
  if (args.targets !== undefined) return runCluster(args, port);
  const loopback = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i.test(args.host ?? '');
  const authn = authnOptions(args, loopback);
  if (!credentials && !authn && !loopback && !args['allow-anonymous']) {
    console.error(
      `refusing to serve anonymous requests on ${args.host}: give credentials (--access-key/--secret-key or --auth-file), ` +
        'or --allow-anonymous to expose the gateway without them',
    );
    process.exit(2);
  }
  const tls = args['tls-cert'] ? { cert: fs.readFileSync(args['tls-cert']), key: fs.readFileSync(args['tls-key']!) } : undefined;
  let gw;
  try {
    gw = await startGateway({
      dataDir: args.data!,
      host: args.host,
      port,
      tls,
      defaultChecksum: args.checksum as never,
      fsync: args.fsync,
      redirect: args.redirect,
      remote,
      credentials,
      authn,
      targetId: args['node-id'],
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE' && authn && (err as { port?: number }).port === authn.port)
      console.error(`AuthN's port ${authn.port} on ${args.host} is in use: pick another with --authn-port (0 = any free port)`);
    else if (err.code === 'EADDRINUSE') console.error(`port ${port} on ${args.host} is in use: pick another with --port (0 = any free port)`);
    else console.error(`cannot start the gateway: ${err.message}`);
    process.exit(1);
  }
  console.log(`AIS Buckets gateway listening on ${gw.url} (S3 API: ${gw.url}/s3, AIStore API: ${gw.url}/v1, data: ${gw.store.dir})`);
  if (args.redirect) console.log(`redirect mode: object requests are redirected (GET 301, others 307) to the target at ${gw.targetUrl}`);
  if (remote) console.log(`aws provider: buckets of ${remote.endpoint}`);
  if (authn && gw.authnUrl) {
    const who = authn.users.map((u) => `${u.name} (${u.role === 'admin' ? 'full access' : 'read-only'})`).join(', ');
    console.log(`AuthN listening on ${gw.authnUrl} (users: ${who}; tokens last ${formatGoDuration(authn.ttlMs)} unless the login asks otherwise)`);
    console.log(
      `authentication: AuthN tokens (Bearer on /v1, X-Amz-Security-Token on /s3)${credentials ? `, or requests signed with access key ${credentials.accessKey}` : ''}`,
    );
  } else console.log(credentials ? `authentication: requests must be signed with access key ${credentials.accessKey}` : 'authentication: none (anonymous requests accepted)');
  // A parent that forked us (the extension) learns the real ports without parsing text.
  process.send?.({ type: 'listening', url: gw.url, port: gw.port, ...(gw.authnUrl ? { authnUrl: gw.authnUrl } : {}) });
  let closing = false;
  const stop = async (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: shutting down`);
    await gw.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('disconnect', () => void stop('parent disconnected'));
}

/** --targets N: the proxy of a local multi-node cluster (multinode/proxy.ts). */
async function runCluster(args: Record<string, string | boolean | string[] | undefined>, port: number): Promise<void> {
  const n = Number(args.targets);
  if (!/^\d+$/.test(String(args.targets)) || n < 1 || n > 16) {
    console.error(`--targets must be a number from 1 to 16, not "${args.targets}"`);
    process.exit(2);
  }
  const loopback = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i.test(String(args.host ?? ''));
  const unsupported = ['tls-cert', 'redirect', 'aws-endpoint', 'access-key', 'auth-file', 'authn', 'node-id'].find((f) => args[f]);
  if (unsupported) {
    console.error(`--targets does not combine with --${unsupported} yet: run the multi-node cluster without it`);
    process.exit(2);
  }
  if (!loopback) {
    console.error(`--targets runs a local cluster on loopback only: use --host 127.0.0.1, not ${args.host}`);
    process.exit(2);
  }
  const targetArgs = [...(args.checksum ? ['--checksum', String(args.checksum)] : []), ...(args.fsync ? ['--fsync'] : [])];
  let cluster;
  try {
    cluster = await startMultiNode({
      script: process.argv[1],
      dataDir: String(args.data),
      host: String(args.host),
      port,
      targets: n,
      targetArgs,
      log: (line) => console.log(line),
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') console.error(`port ${port} on ${args.host} is in use: pick another with --port (0 = any free port)`);
    else console.error(`cannot start the cluster: ${err.message}`);
    process.exit(1);
  }
  console.log(`AIS Buckets gateway (proxy p[${cluster.proxyId}] of ${n} targets) listening on ${cluster.url} (S3 API: ${cluster.url}/s3, AIStore API: ${cluster.url}/v1)`);
  for (const t of cluster.targets) console.log(`target t[${t.id}] pid ${t.pid} at ${t.url}, data: ${t.dataDir}`);
  console.log('authentication: none (anonymous requests accepted)');
  process.send?.({ type: 'listening', url: cluster.url, port: cluster.port });
  let closing = false;
  const stop = async (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: shutting down the proxy and its targets`);
    await cluster.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGHUP', () => void stop('SIGHUP'));
  process.on('disconnect', () => void stop('parent disconnected'));
}

/** NAME:PASSWORD (the password may hold ':'). */
function parseUser(spec: string, role: AuthnUser['role'], flag: string): AuthnUser {
  const colon = spec.indexOf(':');
  if (colon <= 0 || colon === spec.length - 1) {
    console.error(`${flag} takes NAME:PASSWORD, not "${spec.slice(0, Math.max(colon, 0)) || spec.replace(/:.*/, '')}:..."`);
    process.exit(2);
  }
  return { name: spec.slice(0, colon), password: spec.slice(colon + 1), role };
}

/** The --authn-* flags (and AuthN's environment variables) → what startGateway runs AuthN with. */
function authnOptions(args: Record<string, string | boolean | string[] | undefined>, loopback: boolean): AuthnOptions | undefined {
  const given = ['authn-port', 'authn-user', 'authn-guest', 'authn-ttl', 'authn-secret'].filter((f) => args[f] !== undefined);
  if (!args.authn) {
    if (given.length) {
      console.error(`--${given[0]} goes with --authn`);
      process.exit(2);
    }
    return undefined;
  }
  const portText = (args['authn-port'] as string | undefined) ?? process.env.AIS_AUTHN_PORT ?? '52001';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    console.error(`--authn-port must be a number from 0 to 65535, not "${portText}"`);
    process.exit(2);
  }
  const ttlText = (args['authn-ttl'] as string | undefined) ?? process.env.AIS_AUTHN_TTL ?? '24h';
  let ttlMs = parseGoDuration(ttlText);
  if (ttlMs === 0) ttlMs = DEFAULT_TTL_MS; // AuthN: 0 means the default
  if (ttlMs === undefined || ttlMs < 1000 || ttlMs > MAX_TOKEN_AGE_MS) {
    console.error(`--authn-ttl must be a duration from 1s to ${formatGoDuration(MAX_TOKEN_AGE_MS)} like 24h, 30m or 10s, not "${ttlText}"`);
    process.exit(2);
  }
  const users = [
    ...((args['authn-user'] as string[] | undefined) ?? []).map((u) => parseUser(u, 'admin', '--authn-user')),
    ...((args['authn-guest'] as string[] | undefined) ?? []).map((u) => parseUser(u, 'guest', '--authn-guest')),
  ];
  if (!users.length) {
    // AuthN's superuser: AIS_AUTHN_SU_NAME (default admin) with AIS_AUTHN_SU_PASS. AuthN itself now
    // requires the password; its old default, "admin", is kept here for a local gateway only.
    const password = process.env.AIS_AUTHN_SU_PASS;
    if (!password && !loopback) {
      console.error('--authn on a non-loopback --host needs a password: give --authn-user NAME:PASSWORD or set AIS_AUTHN_SU_PASS');
      process.exit(2);
    }
    users.push({ name: process.env.AIS_AUTHN_SU_NAME || 'admin', password: password || 'admin', role: 'admin' });
  }
  const names = new Set<string>();
  for (const u of users) {
    if (names.has(u.name)) {
      console.error(`AuthN user "${u.name}" is given twice`);
      process.exit(2);
    }
    names.add(u.name);
  }
  const secret = (args['authn-secret'] as string | undefined) ?? process.env.AIS_AUTHN_SECRET_KEY ?? crypto.randomBytes(32).toString('base64url');
  return { users, secret, ttlMs, port };
}

void main();
