// The embedded gateway as a program: node dist/gateway.js --port 51080 --data DIR [--host 127.0.0.1]
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { isChecksumType } from './checksum';
import { startGateway } from './server';

const USAGE = `usage: node dist/gateway.js [--port 51080] [--data DIR] [--host 127.0.0.1]
                          [--tls-cert FILE --tls-key FILE] [--checksum xxhash|md5|...] [--fsync] [--redirect]
                          [--aws-endpoint URL [--aws-access-key KEY --aws-secret-key SECRET] [--aws-region REGION]]
                          [--access-key KEY --secret-key SECRET | --auth-file FILE] [--allow-anonymous]

  --access-key, --secret-key
                   require requests signed with these keys (S3: SigV4 or V2; native API: the same, or the
                   Bearer token derived from them); --auth-file reads {"accessKey": ..., "secretKey": ...}
                   from a JSON file instead (keeps the secret out of the process list)
  --allow-anonymous
                   serve unsigned requests on a non-loopback --host (without credentials the gateway
                   refuses any host but loopback unless told so)
  --redirect       behave like an AIStore proxy: object requests are redirected to a target
                   listener (GET with 301, the others with 307)
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
  const loopback = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i.test(args.host ?? '');
  if (!credentials && !loopback && !args['allow-anonymous']) {
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
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') console.error(`port ${port} on ${args.host} is in use: pick another with --port (0 = any free port)`);
    else console.error(`cannot start the gateway: ${err.message}`);
    process.exit(1);
  }
  console.log(`AIS Buckets gateway listening on ${gw.url} (S3 API: ${gw.url}/s3, AIStore API: ${gw.url}/v1, data: ${gw.store.dir})`);
  if (args.redirect) console.log(`redirect mode: object requests are redirected (GET 301, others 307) to the target at ${gw.targetUrl}`);
  if (remote) console.log(`aws provider: buckets of ${remote.endpoint}`);
  console.log(credentials ? `authentication: requests must be signed with access key ${credentials.accessKey}` : 'authentication: none (anonymous requests accepted)');
  // A parent that forked us (the extension) learns the real port without parsing text.
  process.send?.({ type: 'listening', url: gw.url, port: gw.port });
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

void main();
