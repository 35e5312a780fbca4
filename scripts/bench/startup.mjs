// The gateway's start on a bucket of N tiny objects (default 1,000,000): time from spawn to listening and to
// the first listing page, the gateway's CPU time and RSS, for a start that rebuilds the index from the
// object files (no index file: an older data dir), a start from the index file (after a clean stop), and a
// start after kill -9 with changes in the journal. Also: the index file's bytes per key, and RSS per key.
//   npm run -s build && node scripts/bench/startup.mjs [N]
// The objects are written straight into the bucket in the store's own format (test/helpers/objectfiles.ts).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import * as esbuild from 'esbuild';
import { root } from './config.mjs';

const N = Number(process.argv[2] ?? process.env.BENCH_STARTUP_KEYS ?? 1_000_000);
const gateway = process.env.BENCH_GATEWAY ?? path.join(root, 'dist', 'gateway.js');
const keyOf = (i) => `dir${i % 100}/obj-${String(i).padStart(8, '0')}`;

function request(method, url, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** RSS (MB) and CPU seconds (user + system) of a process, from /proc. */
function usage(pid) {
  const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { rss, cpu: (Number(f[11]) + Number(f[12])) / 100 };
}

async function start(dataDir) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [gateway, '--port', '0', '--data', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => (log += d));
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(String(d));
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`gateway exited (${code}): ${log}`)));
  });
  return { child, url, t0, listening: performance.now() - t0 };
}

function stop(gw, signal = 'SIGTERM') {
  const t = performance.now();
  return new Promise((resolve) => {
    gw.child.once('exit', () => resolve(performance.now() - t));
    gw.child.kill(signal);
  });
}

/** Start, first page, a usage sample; with `all`, the whole listing paged and counted. */
async function measure(dataDir, label, { all = false } = {}) {
  const gw = await start(dataDir);
  const before = usage(gw.child.pid);
  const first = await request('GET', `${gw.url}/s3/bkt?list-type=2&max-keys=1000`);
  if (first.status !== 200) throw new Error(`listing: ${first.status} ${first.body}`);
  const firstMs = performance.now() - gw.t0;
  const after = usage(gw.child.pid);
  let listed;
  if (all) {
    listed = 0;
    let token = '';
    for (;;) {
      const r = await request('GET', `${gw.url}/s3/bkt?list-type=2&max-keys=1000${token ? `&continuation-token=${encodeURIComponent(token)}` : ''}`);
      listed += (r.body.match(/<Contents>/g) ?? []).length;
      const next = /<NextContinuationToken>([^<]+)</.exec(r.body);
      if (!next) break;
      token = next[1];
    }
    if (listed !== N) throw new Error(`${label}: listed ${listed} of ${N} keys`);
  }
  const row = { label, listeningS: gw.listening / 1000, firstListingS: firstMs / 1000, cpuS: after.cpu, rssMB: after.rss, rssAtListenMB: before.rss, listed };
  return { gw, row };
}

async function main() {
  const out = path.join(root, 'out', 'bench', 'objectfiles.cjs');
  await esbuild.build({ entryPoints: [path.join(root, 'test/helpers/objectfiles.ts')], outfile: out, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
  const { writeObjectFiles } = createRequire(import.meta.url)(out);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aisb-startup-'));
  const dataDir = path.join(tmp, 'data');
  const bucketDir = path.join(dataDir, 'buckets', 'ais', 'bkt');
  const rows = [];
  try {
    let gw = await start(dataDir);
    if ((await request('PUT', `${gw.url}/s3/bkt`)).status !== 200) throw new Error('cannot create the bucket');
    await stop(gw);
    for (const f of fs.readdirSync(bucketDir)) if (f.startsWith('index.')) fs.rmSync(path.join(bucketDir, f));
    let t = performance.now();
    await writeObjectFiles(bucketDir, N, keyOf);
    console.log(`wrote ${N} object files in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    // 1. No index file (an older data dir): rebuilt from the trailers.
    let m = await measure(dataDir, 'rebuild from the object files');
    rows.push(m.row);
    const stopMs = await stop(m.gw);
    const snap = fs.statSync(path.join(bucketDir, 'index.snap')).size;
    console.log(`clean stop (writes the index file): ${(stopMs / 1000).toFixed(2)} s; index file ${(snap / 1e6).toFixed(1)} MB = ${(snap / N).toFixed(1)} bytes per key`);

    // 2. From the index file, after a clean stop; then the whole listing.
    m = await measure(dataDir, 'from the index file', { all: true });
    rows.push(m.row);
    // 3. 10,000 PUTs, kill -9, start: the snapshot plus a journal replay.
    gw = m.gw;
    t = performance.now();
    for (let i = 0; i < 10_000; i++) await request('PUT', `${gw.url}/s3/bkt/late/${i}`, 'y');
    console.log(`10,000 PUTs in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    await stop(gw, 'SIGKILL');
    m = await measure(dataDir, 'after kill -9 with 10,000 journaled PUTs');
    rows.push(m.row);
    await stop(m.gw);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`\n${N.toLocaleString('en-US')} keys, Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}`);
  console.log('| start | listening | first listing | gateway CPU | RSS | RSS growth per key |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const perKey = ((r.rssMB - r.rssAtListenMB) * 1024 * 1024) / N;
    console.log(`| ${r.label} | ${r.listeningS.toFixed(2)} s | ${r.firstListingS.toFixed(2)} s | ${r.cpuS.toFixed(1)} s | ${r.rssMB.toFixed(0)} MB | ${perKey.toFixed(0)} B |`);
  }
}

await main();
