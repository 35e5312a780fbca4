// npm run bench: the same work, on loopback, against
//   gateway/md5, gateway/xxhash  the embedded gateway (dist/gateway.js), bucket checksum md5 or xxhash
//   ceiling                      scripts/bench-ceiling.mjs: a Node server that only streams bodies to and from files
//   s3rver                       the npm fake S3 server, as a peer
// Each server runs in its own process (one at a time); this process is the client. Peak RSS is the
// server's VmHWM, reset before each row (/proc/PID/clear_refs), so it is the peak of that row alone; CPU is
// the server's (all its threads) during the cell, and the console lines add the client's. Each cell starts
// after sync(1): no writeback of earlier rows' data lands on it. Read rows first read their objects once,
// untimed (readThrough), so every target serves them from the page cache.
//
// Env: BENCH_SCALE=0.1 scales every size and count (quick run); BENCH_TARGETS=gateway-md5,ceiling picks
// targets; BENCH_ROWS=put,get picks rows; BENCH_README=0 leaves README.md alone; BENCH_DIR=/path for data.
// BENCH_GATEWAY=/path/to/gateway.js runs that build instead of dist/gateway.js. A/B runs:
// BENCH_BASE_GATEWAY=/path/to/gateway.js adds the targets base-md5 and base-xxhash (another build of the
// gateway, e.g. before a change; BENCH_TARGETS can still pick). BENCH_CPU_PROF=DIR runs the gateways with
// --cpu-prof, profiles in DIR/<target>/ (one per thread). BENCH_REPEAT=3 runs each row 3 times, across the
// targets in turn each time, and reports the median.
import { execFileSync, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { buildWorkers } from '../esbuild.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const MB = 1024 * 1024;
const sz = (n) => Math.max(1, Math.round(n * SCALE));
const W = {
  single: sz(256) * MB,
  multipart: sz(512) * MB,
  partSize: 16 * MB,
  partsInFlight: 4,
  smallCount: sz(2000),
  smallSize: 4096,
  smallInFlight: 16,
  listKeys: sz(10_000),
  listPage: 1000,
  deepKeys: sz(100_000),
  bigFile: sz(1024) * MB,
  folderFiles: sz(1000),
  folderFileSize: 64 * 1024,
  deleteKeys: sz(10_000),
};
const ALL_TARGETS = ['gateway-md5', 'gateway-xxhash', 'ceiling', 's3rver'];
const BASE_GATEWAY = process.env.BENCH_BASE_GATEWAY;
const DEFAULT_TARGETS = BASE_GATEWAY ? ['gateway-md5', 'base-md5', 'gateway-xxhash', 'base-xxhash', 'ceiling'] : ALL_TARGETS;
const targets = (process.env.BENCH_TARGETS ?? DEFAULT_TARGETS.join(',')).split(',').filter(Boolean);
/** Targets that run a build of the gateway: `gateway-<checksum>` (dist/) or `base-<checksum>` (BENCH_BASE_GATEWAY). */
const isGatewayTarget = (target) => target.startsWith('gateway-') || target.startsWith('base-');
const wantRows = process.env.BENCH_ROWS ? new Set(process.env.BENCH_ROWS.split(',')) : undefined;
const work = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'ais-bench-'));
const BUCKET = 'bench';

// ------------------------------------------------------------------ the extension's client code, bundled
async function loadClient() {
  const out = path.join(root, 'out', 'bench', 'client.cjs');
  await esbuild.build({
    stdin: {
      contents: "export * from './src/client/index';\nexport * from './src/client/transfer/download';\nexport * from './src/client/transfer/upload';\nexport { Store } from './src/gateway/store/store';\n",
      resolveDir: root,
      loader: 'ts',
    },
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
  });
  await buildWorkers(path.dirname(out));
  return createRequire(import.meta.url)(out);
}

// ------------------------------------------------------------------ servers
function startServer(target, dataDir) {
  const args =
    target === 'ceiling'
      ? [path.join(root, 'scripts', 'bench-ceiling.mjs'), dataDir]
      : target === 's3rver'
        ? [path.join(root, 'scripts', 'bench-s3rver.mjs'), dataDir]
        : [target.startsWith('base-') ? BASE_GATEWAY : (process.env.BENCH_GATEWAY ?? path.join(root, 'dist', 'gateway.js')), '--port', '0', '--data', dataDir, '--checksum', target.split('-')[1]];
  const prof = isGatewayTarget(target) && process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', path.join(process.env.BENCH_CPU_PROF, target)] : [];
  const child = spawn(process.execPath, [...prof, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => (log += d));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(String(d));
      if (m) resolve({ child, url: m[1], s3: isGatewayTarget(target) ? `${m[1]}/s3` : m[1], log: () => log });
    });
    child.on('exit', (code) => reject(new Error(`${target} exited (${code}): ${log}`)));
  });
}

async function stopServer(server) {
  server.child.kill('SIGTERM');
  await new Promise((r) => (server.child.exitCode !== null ? r() : server.child.once('exit', r)));
}

function resetPeak(pid) {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    /* not Linux or not allowed: the peak is then the process's lifetime peak */
  }
}
function flushDirtyPages() {
  try {
    execFileSync('sync', { stdio: 'ignore', timeout: 120_000 });
  } catch {
    // no sync(1): rows are then timed as the page cache finds them
  }
}
/** Busy and total jiffies of all CPUs together, from /proc/stat; undefined where there is none. */
function cpuJiffies() {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    return { busy: total - f[3] - (f[4] ?? 0), total };
  } catch {
    return undefined;
  }
}
/**
 * Waits (at most 5 s) until the machine has been idle for two 100 ms windows running: what the previous
 * cell's server still does after its last reply (freeing blocks, collecting garbage) must not be charged
 * to the next cell. (The slow spells this VM has, where every target's CPU time per byte doubles for a
 * few cells, are not that: they come from the host, and only medians and rotation even them out.)
 */
async function settle() {
  const deadline = performance.now() + 5000;
  let quiet = 0;
  let prev = cpuJiffies();
  while (prev && quiet < 2 && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const now = cpuJiffies();
    const busy = (now.busy - prev.busy) / Math.max(1, now.total - prev.total);
    quiet = busy < 0.1 ? quiet + 1 : 0;
    prev = now;
  }
}
/** CPU time (user + system, all threads) a process has used, in ms: what a row costs beyond its wall time. */
function cpuMs(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();
function peakRssMb(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

// ------------------------------------------------------------------ raw HTTP client (cheap on CPU)
// Replaced before every cell (freshAgent): a server closes a keep-alive socket after its idle timeout (5 s in
// Node's http server, which s3rver uses), and a request sent on such a socket as it closes fails with EPIPE
// or 'socket hang up', an error of the bench's, not of the server.
let agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function freshAgent() {
  agent.destroy();
  agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
}
function request(method, url, { body, headers = {}, sink = false } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers }, (res) => {
      if (sink && res.statusCode < 300) {
        let n = 0;
        res.on('data', (c) => (n += c.length));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, bytes: n }));
        res.on('error', reject);
        return;
      }
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode >= 300) reject(new Error(`${method} ${url}: ${res.statusCode} ${text.slice(0, 300)}`));
        else resolve({ status: res.statusCode, headers: res.headers, text });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body === undefined) req.end();
    else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else body(req);
  });
}

/** Writes `size` bytes of a fixed random pattern to a request, respecting backpressure. */
const PATTERN = crypto.randomBytes(MB);
function patternBody(size) {
  return (req) => {
    let left = size;
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, PATTERN.length);
        left -= n;
        const ok = req.write(n === PATTERN.length ? PATTERN : PATTERN.subarray(0, n));
        if (left === 0) return req.end();
        if (!ok) return req.once('drain', pump);
      }
      req.end();
    };
    pump();
  };
}

async function pool(count, inFlight, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(inFlight, count) }, async () => {
      while (next < count) await fn(next++);
    }),
  );
}

const enc = (key) => key.split('/').map(encodeURIComponent).join('/');

// ------------------------------------------------------------------ rows
// Each row returns { mbps?, ops?, ms, note? }.
const rows = [
  {
    id: 'put',
    label: `PUT ${W.single / MB} MB (single)`,
    run: async (t) => {
      const t0 = performance.now();
      await request('PUT', `${t.s3}/${BUCKET}/big`, { headers: { 'Content-Length': W.single }, body: patternBody(W.single) });
      return mbps(W.single, t0);
    },
  },
  {
    id: 'get',
    warm: (t) => readThrough(t, ['big']),
    label: `GET ${W.single / MB} MB`,
    run: async (t) => {
      const t0 = performance.now();
      const r = await request('GET', `${t.s3}/${BUCKET}/big`, { sink: true });
      if (r.bytes !== W.single) throw new Error(`GET returned ${r.bytes} bytes`);
      return mbps(W.single, t0);
    },
  },
  {
    id: 'mpu',
    label: `multipart ${W.multipart / MB} MB (16 MB × 4)`,
    run: async (t) => {
      const t0 = performance.now();
      const init = await request('POST', `${t.s3}/${BUCKET}/mpu?uploads`);
      const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(init.text)[1];
      const n = Math.ceil(W.multipart / W.partSize);
      const etags = [];
      await pool(n, W.partsInFlight, async (i) => {
        const size = Math.min(W.partSize, W.multipart - i * W.partSize);
        const r = await request('PUT', `${t.s3}/${BUCKET}/mpu?partNumber=${i + 1}&uploadId=${uploadId}`, {
          headers: { 'Content-Length': size },
          body: patternBody(size),
        });
        etags[i] = r.headers.etag;
      });
      const xml = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
      const t1 = performance.now();
      const done = await request('POST', `${t.s3}/${BUCKET}/mpu?uploadId=${uploadId}`, { body: xml, headers: { 'Content-Type': 'application/xml' } });
      if (/<Error>/.test(done.text)) throw new Error(done.text);
      return { ...mbps(W.multipart, t0), completeMs: performance.now() - t1 };
    },
  },
  {
    id: 'small-put',
    label: `${W.smallCount} × 4 KB PUT (16 in flight)`,
    run: async (t) => {
      const body = PATTERN.subarray(0, W.smallSize);
      const t0 = performance.now();
      await pool(W.smallCount, W.smallInFlight, (i) => request('PUT', `${t.s3}/${BUCKET}/small/${i}`, { body, headers: { 'Content-Length': body.length } }));
      return opsps(W.smallCount, t0);
    },
  },
  {
    id: 'small-get',
    warm: (t) => readThrough(t, Array.from({ length: W.smallCount }, (_, i) => `small/${i}`)),
    label: `${W.smallCount} × 4 KB GET (16 in flight)`,
    run: async (t) => {
      const t0 = performance.now();
      await pool(W.smallCount, W.smallInFlight, async (i) => {
        const r = await request('GET', `${t.s3}/${BUCKET}/small/${i}`, { sink: true });
        if (r.bytes !== W.smallSize) throw new Error(`small GET returned ${r.bytes} bytes`);
      });
      return opsps(W.smallCount, t0);
    },
  },
  {
    id: 'list-s3',
    label: `list ${W.listKeys} keys, S3 pages of 1000 (keys/s)`,
    needs: 'list',
    setup: (t) => fill(t, 'list/', W.listKeys),
    run: async (t) => {
      const t0 = performance.now();
      const n = await listS3(t, 'list/', W.listKeys);
      if (n !== W.listKeys) throw new Error(`listed ${n} of ${W.listKeys}`);
      return opsps(n, t0);
    },
  },
  {
    id: 'list-native',
    label: `list ${W.listKeys} keys, native pages of 1000 (keys/s)`,
    needs: 'native',
    run: async (t) => {
      const t0 = performance.now();
      const n = await listNative(t, 'list/', W.listKeys);
      if (n !== W.listKeys) throw new Error(`listed ${n} of ${W.listKeys}`);
      return opsps(n, t0);
    },
  },
  {
    id: 'deep',
    label: `${W.deepKeys} keys: last page ÷ first page (S3)`,
    needs: 'deep',
    deep: true,
    run: async (t) => {
      // Time the first page, then walk to the last page by continuation token and time that one alone.
      const page = async (token) => {
        const t0 = performance.now();
        const r = await request('GET', `${t.s3}/deep?list-type=2&prefix=deep/&max-keys=${W.listPage}${token ? `&continuation-token=${encodeURIComponent(token)}` : ''}`);
        const next = /<NextContinuationToken>([^<]+)<\/NextContinuationToken>/.exec(r.text)?.[1];
        return { ms: performance.now() - t0, next: next && unxml(next) };
      };
      const firsts = [];
      let first = await page();
      firsts.push(first.ms);
      for (let i = 0; i < 4; i++) firsts.push((await page()).ms);
      let token = first.next;
      const lasts = [];
      while (token) {
        const p = await page(token);
        if (!p.next) {
          for (let i = 0; i < 4; i++) lasts.push((await page(token)).ms);
          lasts.push(p.ms);
        }
        token = p.next;
      }
      const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
      const f = med(firsts);
      const l = med(lasts);
      return { ratio: l / f, ms: l, note: `first ${f.toFixed(1)} ms, last ${l.toFixed(1)} ms` };
    },
  },
  {
    id: 'xfer-up',
    label: `engine: upload ${W.bigFile / MB} MB file`,
    needs: 'engine',
    run: async (t, c) => {
      const t0 = performance.now();
      await c.lib.uploadFile(c.client, c.bucket, c.bigFile, 'xfer/big', { partSize: 16 * MB, partConcurrency: 4 });
      return mbps(W.bigFile, t0);
    },
  },
  {
    id: 'xfer-down',
    warm: (t) => readThrough(t, ['xfer/big']),
    label: `engine: download ${W.bigFile / MB} MB file`,
    needs: 'engine',
    run: async (t, c) => {
      const dest = path.join(c.dir, 'big.down');
      const t0 = performance.now();
      await c.lib.downloadFile(c.client, c.bucket, 'xfer/big', dest, { partSize: 16 * MB, partConcurrency: 4 });
      const r = mbps(W.bigFile, t0);
      if (fs.statSync(dest).size !== W.bigFile) throw new Error('downloaded size differs');
      fs.rmSync(dest);
      return r;
    },
  },
  {
    id: 'folder-up',
    label: `engine: upload ${W.folderFiles}-file folder`,
    needs: 'engine',
    run: async (t, c) => {
      const items = await c.lib.collectFolder(c.folder, 'folder/');
      const t0 = performance.now();
      await c.lib.uploadFiles(c.client, c.bucket, items, { fileConcurrency: 8 });
      return opsps(items.length, t0, W.folderFiles * W.folderFileSize);
    },
  },
  {
    id: 'folder-down',
    warm: (t) => readThrough(t, Array.from({ length: W.folderFiles }, (_, i) => `folder/f${i}`)),
    label: `engine: download ${W.folderFiles}-file folder`,
    needs: 'engine',
    run: async (t, c) => {
      const dest = path.join(c.dir, 'folder.down');
      const items = Array.from({ length: W.folderFiles }, (_, i) => ({ key: `folder/f${i}`, file: path.join(dest, `f${i}`), size: W.folderFileSize }));
      const t0 = performance.now();
      await c.lib.downloadFiles(c.client, c.bucket, items, { fileConcurrency: 8 });
      const r = opsps(items.length, t0, W.folderFiles * W.folderFileSize);
      fs.rmSync(dest, { recursive: true, force: true });
      return r;
    },
  },
  {
    // How "Delete" on a folder sent it before batches: one DELETE per object, one after the other.
    id: 'delete-each',
    label: `delete ${W.deleteKeys} objects, one DELETE each (keys/s)`,
    needs: 'delete',
    setup: (t) => fill(t, 'del-each/', W.deleteKeys),
    run: async (t, c) => {
      const keys = keyNames('del-each/', W.deleteKeys);
      const t0 = performance.now();
      for (const key of keys) await c.client.deleteObject(c.bucket, key);
      return opsps(keys.length, t0);
    },
  },
  {
    // The client's deleteObjects: AIStore's delete-listrange job (gateways) or S3 DeleteObjects (s3rver).
    id: 'delete-batch',
    label: `delete ${W.deleteKeys} objects, batches of 1000 (keys/s)`,
    needs: 'delete',
    setup: (t) => fill(t, 'del-batch/', W.deleteKeys),
    run: async (t, c) => {
      const keys = keyNames('del-batch/', W.deleteKeys);
      const t0 = performance.now();
      const r = await c.client.deleteObjects(c.bucket, keys);
      const result = opsps(keys.length, t0);
      if (r.deleted !== keys.length) throw new Error(`deleted ${r.deleted} of ${keys.length}${r.failed[0] ? `: ${r.failed[0].key}: ${r.failed[0].message}` : ''}`);
      const left = await listS3(t, 'del-batch/');
      if (left !== 0) throw new Error(`${left} keys left after the batch delete`);
      return result;
    },
  },
  {
    // The memory goal on its own: a server that has served nothing else (the RSS of the rows above includes
    // what earlier rows left, such as the 100,000-key index), moving one large object each way.
    id: 'fresh',
    label: `fresh server: PUT then GET ${W.bigFile / MB} MB`,
    fresh: true,
    run: async (t) => {
      const t0 = performance.now();
      await request('PUT', `${t.s3}/${BUCKET}/fresh`, { headers: { 'Content-Length': W.bigFile }, body: patternBody(W.bigFile) });
      const r = await request('GET', `${t.s3}/${BUCKET}/fresh`, { sink: true });
      if (r.bytes !== W.bigFile) throw new Error(`GET returned ${r.bytes} bytes`);
      return mbps(2 * W.bigFile, t0);
    },
  },
];

/**
 * Reads objects through the server, untimed, before a read row, so every target serves them from the page
 * cache: on this kind of VM, file pages left untouched are paged out over time (DAMON; 140 MB of a fresh
 * 1 GB file within 80 s), and each row goes across the targets in the order their data was written, so
 * the first target's object would be the oldest.
 */
async function readThrough(t, keys) {
  await pool(keys.length, 16, async (i) => {
    await request('GET', `${t.s3}/${BUCKET}/${enc(keys[i])}`, { sink: true });
  });
}

function mbps(bytes, t0) {
  const ms = performance.now() - t0;
  return { mbps: bytes / MB / (ms / 1000), ms };
}
function opsps(n, t0, bytes) {
  const ms = performance.now() - t0;
  return { ops: n / (ms / 1000), ms, ...(bytes ? { mbps: bytes / MB / (ms / 1000) } : {}) };
}
const unxml = (s) => s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The names fill(t, prefix, count) stores. */
const keyNames = (prefix, count) => Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(String(count).length, '0')}`);

const FILL_LIMIT_MS = Number(process.env.BENCH_FILL_LIMIT_S ?? 150) * 1000;
async function fill(t, prefix, count, inFlight = 32) {
  const names = keyNames(prefix, count);
  const t0 = performance.now();
  let done = 0;
  await pool(count, inFlight, async (i) => {
    if (performance.now() - t0 > FILL_LIMIT_MS) throw new Error(`too slow: ${done} of ${count} keys stored in ${FILL_LIMIT_MS / 1000} s`);
    await request('PUT', `${t.s3}/${BUCKET}/${names[i]}`, { body: '', headers: { 'Content-Length': 0 } });
    done++;
  });
}

async function listS3(t, prefix) {
  let n = 0;
  let token;
  do {
    const r = await request('GET', `${t.s3}/${BUCKET}?list-type=2&prefix=${encodeURIComponent(prefix)}&max-keys=${W.listPage}${token ? `&continuation-token=${encodeURIComponent(token)}` : ''}`);
    n += (r.text.match(/<Key>/g) ?? []).length;
    const m = /<NextContinuationToken>([^<]+)<\/NextContinuationToken>/.exec(r.text);
    token = m && /<IsTruncated>true<\/IsTruncated>/.test(r.text) ? unxml(m[1]) : undefined;
  } while (token);
  return n;
}

async function listNative(t, prefix) {
  let n = 0;
  let token = '';
  do {
    const body = JSON.stringify({ action: 'list', value: { prefix, pagesize: W.listPage, continuation_token: token, props: 'name,size' } });
    const r = await request('GET', `${t.url}/v1/buckets/${BUCKET}?provider=ais`, { body, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } });
    const page = JSON.parse(r.text);
    n += (page.entries ?? []).length;
    token = page.continuation_token ?? '';
  } while (token);
  return n;
}

// ------------------------------------------------------------------ the run
function fmt(v, digits = 0) {
  return v === undefined || Number.isNaN(v) ? '—' : v.toFixed(digits);
}

async function main() {
  console.log(`bench: scale ${SCALE}, targets ${targets.join(', ')}, data in ${work}`);
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
  md5Speed = measureMd5();
  console.log(`MD5 on one core: ${fmt(md5Speed)} MB/s (what an md5 bucket spends per byte, and the ceiling does not)`);
  const lib = await loadClient();
  // Local files for the engine rows, shared by all targets.
  const bigFile = path.join(work, 'big.bin');
  {
    const fd = fs.openSync(bigFile, 'w');
    for (let left = W.bigFile; left > 0; left -= MB) fs.writeSync(fd, PATTERN, 0, Math.min(MB, left));
    fs.closeSync(fd);
  }
  const folder = path.join(work, 'folder');
  fs.mkdirSync(folder);
  for (let i = 0; i < W.folderFiles; i++) fs.writeFileSync(path.join(folder, `f${i}`), PATTERN.subarray(i % 1024, (i % 1024) + W.folderFileSize));

  // All servers run at once (an idle one costs nothing); each row goes across the targets in turn, so a
  // change in machine load during the run hits every target alike.
  const results = {}; // results[rowId][target] = { ...metric, rss }
  const live = [];
  for (const target of targets) {
    const dataDir = path.join(work, `data-${target}`);
    fs.mkdirSync(dataDir);
    if (isGatewayTarget(target) && (!wantRows || wantRows.has('deep'))) {
      // The 100,000-key bucket is written straight into the data dir through the gateway's own store
      // (storing that many keys over HTTP would dominate the run); the gateway then lists it cold.
      const t0 = performance.now();
      const store = await lib.Store.open(dataDir, { defaultChecksum: target.split('-')[1] });
      const ref = { provider: 'ais', name: 'deep' };
      await store.createBucket(ref);
      const width = String(W.deepKeys).length;
      await pool(W.deepKeys, 64, (i) => store.putObject(ref, `deep/${String(i).padStart(width, '0')}`, Readable.from([])));
      console.log(`  ${target}: ${W.deepKeys} keys stored in ${fmt((performance.now() - t0) / 1000, 1)} s`);
    }
    let server;
    try {
      server = await startServer(target, dataDir);
    } catch (e) {
      console.log(`${target}: cannot start: ${e.message}`);
      for (const row of rows) (results[row.id] ??= {})[target] = { error: 'cannot start' };
      continue;
    }
    const isGateway = isGatewayTarget(target);
    const client = isGateway
      ? new lib.AisClusterClient({ kind: 'ais', endpoint: server.url, timeoutMs: 120_000 })
      : new lib.S3ClusterClient({ kind: 's3', endpoint: server.s3, timeoutMs: 120_000 });
    const bucketRef = isGateway ? { provider: 'ais', name: BUCKET } : { provider: 's3', name: BUCKET };
    const ctx = { lib, client, bucket: bucketRef, bigFile, folder, dir: path.join(work, `client-${target}`) };
    fs.mkdirSync(ctx.dir);
    await request('PUT', `${server.s3}/${BUCKET}`);
    live.push({ target, server, ctx, isGateway, dataDir });
  }
  const repeat = Math.max(1, Number(process.env.BENCH_REPEAT ?? 1));
  const runs = {}; // runs[rowId][target] = cells of each repetition
  try {
    for (const row of rows) {
      if (wantRows && !wantRows.has(row.id)) continue;
      for (let rep = 0; rep < (row.setup || row.deep || row.fresh ? 1 : repeat); rep++) {
        // Each repetition starts the round at the next target, so no target is always the one that follows
        // the slowest (whatever a cell leaves behind lands on a different target each time).
        const shift = rep % live.length;
        for (const { target, server: running, ctx, isGateway } of [...live.slice(shift), ...live.slice(0, shift)]) {
          const cell = {};
          ((runs[row.id] ??= {})[target] ??= []).push(cell);
          (results[row.id] ??= {})[target] = medianCell(runs[row.id][target]);
          if (((row.needs === 'list' || row.needs === 'delete') && target === 'ceiling') || ((row.needs === 'native' || row.needs === 'deep') && !isGateway)) {
            cell.error = 'n/a';
            continue;
          }
          let server = running;
          let freshDir;
          try {
            if (row.fresh) {
              freshDir = fs.mkdtempSync(path.join(work, `fresh-${target}-`));
              server = await startServer(target, freshDir);
              await request('PUT', `${server.s3}/${BUCKET}`);
            }
            freshAgent();
            if (row.setup) {
              const t0 = performance.now();
              await row.setup(server);
              cell.setupMs = performance.now() - t0;
            }
            if (row.warm) await row.warm(server, ctx);
            // Every cell starts with no dirty pages: otherwise the kernel's writeback of earlier rows'
            // gigabytes throttles whichever target happens to write next, and that, not the server, is timed.
            flushDirtyPages();
            await settle();
            freshAgent();
            resetPeak(server.child.pid);
            const cpu0 = { server: cpuMs(server.child.pid), client: cpuMs(process.pid) };
            Object.assign(cell, await row.run(server, ctx));
            cell.rss = peakRssMb(server.child.pid);
            cell.cpu = { server: cpuMs(server.child.pid) - cpu0.server, client: cpuMs(process.pid) - cpu0.client };
          } catch (e) {
            cell.error = String(e.message ?? e).split('\n').join(' ').replace(/^\w+ http:\/\/[^ ]+: (\d+) .*?<Code>(\w+)<\/Code>.*$/, '$1 $2').slice(0, 100);
          } finally {
            if (server !== running) await stopServer(server);
            if (freshDir) fs.rmSync(freshDir, { recursive: true, force: true });
          }
          const v = cell.error ?? (cell.ratio !== undefined ? `${fmt(cell.ratio, 2)}× (${cell.note})` : `${cell.mbps !== undefined ? `${fmt(cell.mbps)} MB/s ` : ''}${cell.ops !== undefined ? `${fmt(cell.ops)} ops/s ` : ''}`);
          console.log(`  ${target.padEnd(15)} ${row.label.padEnd(46)} ${v}  rss ${fmt(cell.rss)} MB${cell.cpu ? `  cpu s/c ${fmt(cell.cpu.server / 1000, 1)}/${fmt(cell.cpu.client / 1000, 1)} s` : ''}${cell.setupMs ? `  (setup ${fmt(cell.setupMs / 1000, 1)} s)` : ''}${cell.completeMs ? `  (complete ${fmt(cell.completeMs)} ms)` : ''}`);
          results[row.id][target] = medianCell(runs[row.id][target]);
        }
      }
    }
  } finally {
    for (const { server, ctx } of live) {
      ctx.client.dispose();
      await stopServer(server);
    }
  }
  fs.rmSync(work, { recursive: true, force: true });
  agent.destroy();

  const table = renderTable(results);
  console.log(`\n${table}`);
  if (process.env.BENCH_README !== '0' && SCALE === 1 && !wantRows && targets.length === ALL_TARGETS.length) writeReadme(table);
}

/** The repetition with the median metric (an error if any repetition failed); RSS is the highest seen. */
function medianCell(cells) {
  const failed = cells.find((c) => c.error);
  if (failed || cells.length === 1) return failed ?? cells[0];
  const sorted = [...cells].sort((a, b) => (metricOf(a) ?? 0) - (metricOf(b) ?? 0));
  return { ...sorted[(sorted.length - 1) >> 1], rss: Math.max(...cells.map((c) => c.rss ?? NaN)) };
}

function metricOf(cell) {
  if (!cell || cell.error) return undefined;
  if (cell.ratio !== undefined) return cell.ratio;
  return cell.ops ?? cell.mbps;
}

function renderTable(results) {
  const shown = targets;
  const lines = [];
  // Every gateway build against each reference present: the full run gives gw-md5 ÷ ceiling, gw-xxhash ÷
  // ceiling, gw-md5 ÷ s3rver, gw-xxhash ÷ s3rver.
  const gateways = shown.filter(isGatewayTarget);
  const pairs = ['ceiling', 's3rver'].filter((ref) => shown.includes(ref)).flatMap((ref) => gateways.map((gw) => [gw, ref]));
  const short = (t) => t.replace(/^gateway-/, 'gw-');
  lines.push(`| work | ${shown.join(' | ')} |${pairs.map(([a, b]) => ` ${short(a)} ÷ ${b} |`).join('')}`);
  lines.push(`|---|${shown.map(() => '---:').join('|')}|${pairs.map(() => '---:|').join('')}`);
  for (const row of rows) {
    const r = results[row.id];
    if (!r) continue;
    const cells = shown.map((t) => {
      const c = r[t];
      if (!c) return '—';
      if (c.error) return c.error === 'n/a' ? 'n/a' : `error: ${c.error}`;
      const main = c.ratio !== undefined ? `${fmt(c.ratio, 2)}× (${fmt(c.ms, 1)} ms)` : c.ops !== undefined ? `${fmt(c.ops)} ops/s${c.mbps !== undefined ? `, ${fmt(c.mbps)} MB/s` : ''}` : `${fmt(c.mbps)} MB/s`;
      return `${main}, ${fmt(c.rss)} MB RSS${c.cpu ? `, ${fmt(c.cpu.server / 1000, 1)} s CPU` : ''}`;
    });
    // For the deep row lower is better: a ratio of times, so the comparisons are inverted.
    const ratio = (a, b) => {
      const x = metricOf(r[a]);
      const y = metricOf(r[b]);
      if (x === undefined || y === undefined) return '—';
      return row.deep ? `${fmt(r[b].ms / r[a].ms, 2)}` : fmt(x / y, 2);
    };
    lines.push(`| ${row.label} | ${cells.join(' | ')} |${pairs.map(([a, b]) => ` ${ratio(a, b)} |`).join('')}`);
  }
  return lines.join('\n');
}

let md5Speed;
/** MB/s of node:crypto MD5 on one thread here: the CPU an md5 bucket spends on every byte. */
function measureMd5() {
  const h = crypto.createHash('md5');
  const t0 = performance.now();
  for (let i = 0; i < 256; i++) h.update(PATTERN);
  h.digest();
  return 256 / ((performance.now() - t0) / 1000);
}

function repeatNote() {
  const n = Math.max(1, Number(process.env.BENCH_REPEAT ?? 1));
  return n > 1 ? `, each cell the median of ${n} runs` : '';
}

function writeReadme(table) {
  const file = path.join(root, 'README.md');
  const begin = '<!-- bench:begin -->';
  const end = '<!-- bench:end -->';
  const cpu = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`;
  const section = `${begin}\nLatest \`npm run bench\` (${new Date().toISOString().slice(0, 10)}, ${cpu}, Node ${process.version}, loopback, client and each server in separate processes${repeatNote()}; MD5 on one core: ${fmt(md5Speed)} MB/s):\n\n${table}\n${end}`;
  const text = fs.readFileSync(file, 'utf8');
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a < 0 || b < 0) {
    console.log('README.md has no bench markers; table not written');
    return;
  }
  fs.writeFileSync(file, text.slice(0, a) + section + text.slice(b + end.length));
  console.log('README.md: benchmark table updated');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
