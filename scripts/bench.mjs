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
// The tools section (scripts/bench/tool-rows.mjs; BENCH_ROWS=tools, or its rows tools-up-1g, tools-down-1g,
// tools-up-folder, tools-down-folder): the transfer engine against aws s3 cp, rclone copy and s3cmd on one
// fresh gateway; it writes its own README table at scale 1 (BENCH_README=0 leaves it alone).
// BENCH_ROWS=ingest: 1,000,000 objects of 1–16 KB through 64 connections into a fresh server (its own row).
// BENCH_ROWS=ext-1m (scripts/bench/scale-rows.mjs): the extension in a real VS Code at a million objects (the
// E2E harness's scale phase); only when asked, and it writes its own README table at scale 1.
//
// This file runs the cells; the pieces are in scripts/bench/: config (the env knobs above, the work's sizes),
// servers (each target's process), client-bundle (the extension's client code), http (the bench's own
// client), rows (the work), measure (RSS, CPU, idle wait) and report (the table and the README section).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { loadClient } from './bench/client-bundle.mjs';
import { ALL_TARGETS, BUCKET, isGatewayTarget, MB, root, SCALE, targets, W, wantRows } from './bench/config.mjs';
import { destroyAgent, freshAgent, PATTERN, pool, request } from './bench/http.mjs';
import { cpuMs, flushDirtyPages, measureMd5, peakRssMb, resetPeak, settle } from './bench/measure.mjs';
import { fmt, medianCell, renderTable, writeReadme } from './bench/report.mjs';
import { rows } from './bench/rows.mjs';
import { startServer, stopServer } from './bench/servers.mjs';
import { onlyToolRows, runToolRows, writeToolReadme } from './bench/tool-rows.mjs';
import { runScaleRows, SCALE_ROW, scaleTable, wantsScaleRows, writeScaleReadme } from './bench/scale-rows.mjs';

const work = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'ais-bench-'));

async function main() {
  console.log(`bench: scale ${SCALE}, targets ${targets.join(', ')}, data in ${work}`);
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
  const md5Speed = measureMd5();
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
  const onlyScale = !!wantRows && [...wantRows].every((id) => id === SCALE_ROW);
  for (const target of onlyToolRows() || onlyScale ? [] : targets) {
    const dataDir = path.join(work, `data-${target}`);
    fs.mkdirSync(dataDir);
    if (isGatewayTarget(target) && (!wantRows || wantRows.has('deep'))) {
      // The 100,000-key bucket is written straight into the data dir through the gateway's own store
      // (storing that many keys over HTTP would dominate the run); the gateway then lists it.
      const t0 = performance.now();
      const store = await lib.Store.open(dataDir, { defaultChecksum: target.split('-')[1] });
      const ref = { provider: 'ais', name: 'deep' };
      await store.createBucket(ref);
      const width = String(W.deepKeys).length;
      await pool(W.deepKeys, 64, (i) => store.putObject(ref, `deep/${String(i).padStart(width, '0')}`, Readable.from([])));
      // Closed as a gateway stops, with its index file written: the gateway starts from it.
      await store.close();
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
          if (((row.needs === 'list' || row.needs === 'delete') && target === 'ceiling') || (row.needs === 'ingest' && target === 's3rver') || ((row.needs === 'native' || row.needs === 'deep') && !isGateway)) {
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
          const vs = cell.vs ? `vs ${cell.vs.label} ${fmt(cell.vs.ops)} ops/s (${fmt(cell.ops / cell.vs.ops, 2)}×; server cpu ${fmt(cell.cpuMs / 1000, 1)} vs ${fmt(cell.vs.cpuMs / 1000, 1)} s) ` : '';
          const v = cell.error ?? (cell.ratio !== undefined ? `${fmt(cell.ratio, 2)}× (${cell.note})` : `${cell.mbps !== undefined ? `${fmt(cell.mbps)} MB/s ` : ''}${cell.ops !== undefined ? `${fmt(cell.ops)} ops/s ` : ''}${vs}`);
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
  // The tools section: its own fresh gateway, after the targets above are stopped.
  const tools = await runToolRows(lib, { startServer, stopServer, bigFile, folder, work });
  fs.rmSync(work, { recursive: true, force: true });
  destroyAgent();

  if (live.length) {
    const table = renderTable(results);
    console.log(`\n${table}`);
    if (process.env.BENCH_README !== '0' && SCALE === 1 && !wantRows && targets.length === ALL_TARGETS.length) writeReadme(table, md5Speed);
  }
  if (wantsScaleRows()) {
    const scale = runScaleRows(root);
    console.log(`\n${scaleTable(scale)}`);
    if (process.env.BENCH_README !== '0' && SCALE === 1) writeScaleReadme(root, scale, `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
    if (!scale.passed) process.exitCode = 1;
  }
  if (tools) {
    console.log(`\n${tools.table}\n(${tools.note})`);
    if (process.env.BENCH_README !== '0' && SCALE === 1) writeToolReadme(root, tools, `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
