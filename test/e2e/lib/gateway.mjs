// A real embedded gateway (the bundled dist/gateway.js, as the extension runs it) for the E2E runs,
// seeded with buckets over its S3 API by the AWS SDK, like any S3 client would.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT } from './runtime.mjs';
import { spawnManaged, waitForOutput } from './procs.mjs';

/** What the E2E runs seed. Tests read what was actually seeded from AIS_BUCKETS_TEST_SEED. */
export const DEFAULT_SEED = [
  {
    name: 'demo',
    objects: {
      'hello.txt': 'hello from the embedded gateway\n',
      'docs/guide.md': '# Guide\n\nObjects under docs/ show as a folder.\n',
      'docs/notes/today.txt': 'notes\n',
    },
  },
  { name: 'photos', objects: { 'cat.txt': 'meow\n' } },
  { name: 'empty', objects: {} },
];

/**
 * Starts `node dist/gateway.js --port PORT (default 0: any free one) --data DIR [...args]` in its own process
 * group and waits for its "listening on URL" line (and with --authn, AuthN's). `args` are more of its flags:
 * ['--access-key', K, '--secret-key', S], ['--authn', '--authn-port', '0', '--authn-ttl', '20s',
 * '--authn-user', 'name:password'], ['--targets', '3'] (a local multi-node cluster: then `targets` is
 * [{ id, pid, url, dataDir }], one per target process). Returns { url, s3Endpoint, authnUrl, dataDir, child, targets }.
 */
export async function startGateway({ dataDir, logFile, port = 0, args = [] }) {
  const main = path.join(ROOT, 'dist', 'gateway.js');
  if (!fs.existsSync(main)) throw new Error('dist/gateway.js is missing: run `npm run build` first');
  fs.mkdirSync(dataDir, { recursive: true });
  const child = spawnManaged('gateway', process.execPath, [main, '--host', '127.0.0.1', '--port', String(port), '--data', dataDir, ...args], {
    logFile,
    cwd: ROOT,
  });
  // With --targets N the proxy says "gateway (proxy p[ID] of N targets) listening on URL", once its targets are up.
  const m = await waitForOutput(child, /AIS Buckets gateway (?:\(proxy [^)]*\) )?listening on (http:\/\/127\.0\.0\.1:\d+)/, 40_000, 'the gateway');
  const url = m[1];
  const authnUrl = args.includes('--authn')
    ? (await waitForOutput(child, /AuthN listening on (http:\/\/127\.0\.0\.1:\d+)/, 10_000, "the gateway's AuthN"))[1]
    : undefined;
  const targets = args.includes('--targets') ? await clusterTargets(child, Number(args[args.indexOf('--targets') + 1])) : undefined;
  return { url, s3Endpoint: `${url}/s3`, authnUrl, dataDir, child, targets };
}

/** A --targets cluster's "target t[ID] pid PID at URL, data: DIR" lines (printed right after the proxy's). */
async function clusterTargets(child, n) {
  const read = () => [...child.output().matchAll(/target t\[(\w+)\] pid (\d+) at (http:\/\/\S+), data: (.+)/g)];
  for (const until = Date.now() + 5_000; read().length < n; await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > until) throw new Error(`the cluster named ${read().length} of its ${n} targets. Output:\n${child.tail()}`);
  }
  return read().slice(0, n).map((t) => ({ id: t[1], pid: Number(t[2]), url: t[3], dataDir: t[4].trim() }));
}

/**
 * Creates the buckets and objects of `seed` through the S3 API (signed with `credentials`: a gateway run
 * with --access-key/--secret-key wants its own; { ..., sessionToken } carries an AuthN token). Never throws: returns what was seeded, and
 * the first error (e.g. an S3 operation the gateway does not implement yet), so a run still starts and the
 * tests that need the data fail with a clear reason rather than the whole harness.
 */
export async function seedGateway(gw, seed = DEFAULT_SEED, { credentials = { accessKeyId: 'e2e', secretAccessKey: 'e2e' } } = {}) {
  // The SDK warns that it will want node 22 from 2027; the harness runs on the repo's node 20. Not news here.
  process.removeAllListeners('warning');
  process.on('warning', (w) => { if (!/NodeVersionSupportWarning|AWS SDK for JavaScript/.test(`${w.name} ${w.message}`)) console.warn(`${w.name}: ${w.message}`); });
  const require = createRequire(path.join(ROOT, 'package.json'));
  const { S3Client, CreateBucketCommand, PutObjectCommand } = require('@aws-sdk/client-s3');
  const s3 = new S3Client({
    endpoint: gw.s3Endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
  });
  const seeded = [];
  let error;
  try {
    for (const b of seed) {
      await s3.send(new CreateBucketCommand({ Bucket: b.name }));
      const done = { name: b.name, keys: [] };
      seeded.push(done);
      for (const [key, body] of Object.entries(b.objects)) {
        await s3.send(new PutObjectCommand({ Bucket: b.name, Key: key, Body: body }));
        done.keys.push(key);
      }
    }
  } catch (e) {
    error = `seeding the gateway over S3 failed: ${e.name}: ${e.message}`;
  } finally {
    s3.destroy();
  }
  return { seeded, error };
}
