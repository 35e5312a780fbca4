// The "tools" section (BENCH_ROWS=tools, or any of its row ids): the extension's transfer engine against the
// programs users pick instead, on one fresh gateway (md5 bucket), in one run: `aws s3 cp` (--recursive),
// `rclone copy` and `s3cmd put/get`, each with its own defaults, as a user runs it. The engine runs both
// ways it talks to a cluster: AIStore's /v1 (AisClusterClient, the ranges on its download worker) and S3
// (S3ClusterClient), with the extension's default transfer settings. Each cell is the median of 3 runs;
// every row goes across the runners in turn, the order rotated each repetition. A tool's time is the
// command's wall time, start-up included (what its user waits for); the start-up alone is printed too.
// The objects the download rows read are stored once with single PUTs (MD5 ETags: every runner verifies).
// Missing tools are installed with apt-get as root on Debian (as `npm test` installs them); elsewhere a
// missing tool's cells are skipped with the reason, except under CI, where it fails the run.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUCKET, MB, W, wantRows } from './config.mjs';
import { enc, patternBody, pool, request, PATTERN } from './http.mjs';
import { flushDirtyPages, settle } from './measure.mjs';
import { ensureSystemPackages, onPath } from '../lib/system-packages.mjs';
import { writeReadmeSection } from './readme.mjs';

export const TOOL_ROWS = [
  { id: 'tools-up-1g', label: `upload one ${W.bigFile / MB} MB file`, unit: 'MB/s' },
  { id: 'tools-down-1g', label: `download one ${W.bigFile / MB} MB file`, unit: 'MB/s' },
  { id: 'tools-up-folder', label: `upload a folder of ${W.folderFiles} × 64 KB`, unit: 'files/s' },
  { id: 'tools-down-folder', label: `download a folder of ${W.folderFiles} × 64 KB`, unit: 'files/s' },
];
const REPEAT = Math.min(3, Math.max(1, Number(process.env.BENCH_TOOLS_REPEAT ?? 3)));
const KEYS = { access: 'bench', secret: 'bench-secret' };
const SRC = { big: 'src/big', folder: 'src/folder/' };

/** The tools rows this run asks for: all of them on a full run or with BENCH_ROWS=tools. */
export function wantedToolRows() {
  if (!wantRows) return TOOL_ROWS;
  return TOOL_ROWS.filter((r) => wantRows.has('tools') || wantRows.has(r.id));
}

/** Whether BENCH_ROWS names only tools rows (the other targets then need not start). */
export const onlyToolRows = () => !!wantRows && [...wantRows].every((id) => id === 'tools' || TOOL_ROWS.some((r) => r.id === id));

const TOOLS = [
  { name: 'aws', what: 'the aws CLI', debian: 'awscli' },
  { name: 'rclone', what: 'rclone', debian: 'rclone' },
  { name: 's3cmd', what: 's3cmd', debian: 's3cmd' },
];

/** Each tool present (installed when missing where that can be done), else the reason it is not. */
function ensureTools() {
  const status = {};
  for (const t of TOOLS) {
    if (onPath(t.name)) continue;
    try {
      ensureSystemPackages([{ name: t.what, debian: t.debian, present: () => onPath(t.name) }], (m) => console.log(`  tools: ${m}`));
    } catch (e) {
      if (process.env.CI) throw new Error(`bench tools: ${e.message} (under CI no tool row may be skipped)`, { cause: e });
      status[t.name] = `skipped: ${e.message}`;
      console.log(`  tools: ${t.what} is not installed and cannot be installed here (${e.message}); its cells are skipped`);
    }
  }
  return status;
}

function run(cmd, args, env) {
  return new Promise((resolve, reject) => {
    // The gateway is plain http on loopback: a CA bundle from the environment means nothing to it, and
    // rclone's S3 SDK refuses to start with one (LoadCustomCABundleError).
    const { AWS_CA_BUNDLE: _caBundle, ...inherited } = process.env;
    const child = spawn(cmd, args, { env: { ...inherited, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.slice(0, 3).join(' ')}… exited ${code}: ${err.trim().split('\n').slice(-2).join(' ').slice(0, 200)}`))));
  });
}

/** The five runners, each with the four pieces of work, against the gateway at `server`. */
function runners(lib, server, work) {
  const s3url = server.s3;
  const host = new URL(s3url).host;
  const home = path.join(work, 'tools-home');
  fs.mkdirSync(home, { recursive: true });
  const base = { HOME: home, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
  const awsEnv = { ...base, AWS_ACCESS_KEY_ID: KEYS.access, AWS_SECRET_ACCESS_KEY: KEYS.secret, AWS_DEFAULT_REGION: 'us-east-1', AWS_CONFIG_FILE: path.join(home, 'none'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'none'), AWS_PAGER: '' };
  const aws = (...a) => run('aws', ['--endpoint-url', s3url, '--only-show-errors', 's3', 'cp', ...a], awsEnv);
  const rcloneEnv = {
    ...base,
    RCLONE_CONFIG: path.join(home, 'rclone.conf'),
    RCLONE_CONFIG_GW_TYPE: 's3',
    RCLONE_CONFIG_GW_PROVIDER: 'Other',
    RCLONE_CONFIG_GW_ENDPOINT: s3url,
    RCLONE_CONFIG_GW_FORCE_PATH_STYLE: 'true',
    RCLONE_CONFIG_GW_ACCESS_KEY_ID: KEYS.access,
    RCLONE_CONFIG_GW_SECRET_ACCESS_KEY: KEYS.secret,
    RCLONE_CONFIG_GW_REGION: 'us-east-1',
  };
  const rclone = (...a) => run('rclone', [...a], rcloneEnv);
  const s3cfg = path.join(home, 's3cfg');
  fs.writeFileSync(s3cfg, ['[default]', `access_key = ${KEYS.access}`, `secret_key = ${KEYS.secret}`, `host_base = ${host}/s3`, `host_bucket = ${host}/s3`, 'use_https = False', 'signature_v2 = False', ''].join('\n'));
  const s3cmd = (...a) => run('s3cmd', ['-c', s3cfg, '--no-progress', ...a], base);

  // The engine with its defaults (the extension's transfer settings default to the same).
  const engine = (name, client, bucket, l = lib) => ({
    name,
    client,
    up: (file, key) => l.uploadFile(client, bucket, file, key),
    down: (key, dest) => l.downloadFile(client, bucket, key, dest),
    upFolder: async (dir, prefix) => l.uploadFiles(client, bucket, await l.collectFolder(dir, prefix)),
    downFolder: async (prefix, dest) => l.downloadFiles(client, bucket, await l.collectPrefix(client, bucket, prefix, dest)),
  });
  // A/B: BENCH_BASE_CLIENT=/path/client.cjs (a copy of out/bench/ from another build, workers beside it)
  // adds that build's engine, both paths, to the same run.
  const baseLib = process.env.BENCH_BASE_CLIENT ? createRequire(import.meta.url)(path.resolve(process.env.BENCH_BASE_CLIENT)) : undefined;
  const baseRunners = baseLib
    ? [
        engine('base (AIS /v1)', new baseLib.AisClusterClient({ kind: 'ais', endpoint: server.url, timeoutMs: 120_000 }), { provider: 'ais', name: BUCKET }, baseLib),
        engine('base (S3)', new baseLib.S3ClusterClient({ kind: 's3', endpoint: s3url, timeoutMs: 120_000, accessKey: KEYS.access, secretKey: KEYS.secret }), { provider: 's3', name: BUCKET }, baseLib),
      ]
    : [];
  return [
    engine('engine (AIS /v1)', new lib.AisClusterClient({ kind: 'ais', endpoint: server.url, timeoutMs: 120_000 }), { provider: 'ais', name: BUCKET }),
    engine('engine (S3)', new lib.S3ClusterClient({ kind: 's3', endpoint: s3url, timeoutMs: 120_000, accessKey: KEYS.access, secretKey: KEYS.secret }), { provider: 's3', name: BUCKET }),
    {
      name: 'aws s3 cp',
      tool: 'aws',
      startup: () => run('aws', ['--version'], awsEnv),
      up: (file, key) => aws(file, `s3://${BUCKET}/${key}`),
      down: (key, dest) => aws(`s3://${BUCKET}/${key}`, dest),
      upFolder: (dir, prefix) => aws('--recursive', dir, `s3://${BUCKET}/${prefix}`),
      downFolder: (prefix, dest) => aws('--recursive', `s3://${BUCKET}/${prefix}`, dest),
    },
    {
      name: 'rclone copy',
      tool: 'rclone',
      startup: () => rclone('version'),
      up: (file, key) => rclone('copyto', file, `gw:${BUCKET}/${key}`),
      down: (key, dest) => rclone('copyto', `gw:${BUCKET}/${key}`, dest),
      upFolder: (dir, prefix) => rclone('copy', dir, `gw:${BUCKET}/${prefix}`),
      downFolder: (prefix, dest) => rclone('copy', `gw:${BUCKET}/${prefix}`, dest),
    },
    {
      name: 's3cmd',
      tool: 's3cmd',
      startup: () => s3cmd('--version'),
      up: (file, key) => s3cmd('put', file, `s3://${BUCKET}/${key}`),
      down: (key, dest) => s3cmd('get', `s3://${BUCKET}/${key}`, dest),
      upFolder: (dir, prefix) => s3cmd('put', '--recursive', `${dir}/`, `s3://${BUCKET}/${prefix}`),
      downFolder: (prefix, dest) => s3cmd('get', '--recursive', `s3://${BUCKET}/${prefix}`, `${dest}/`),
    },
    ...baseRunners,
  ];
}

/** One cell: the work of `row` by `r`, timed after a sync and an idle machine; checks what landed. */
async function cell(row, r, i, { bigFile, folder, work }) {
  const slug = r.name.replace(/[^a-z0-9]+/gi, '-');
  const dest = path.join(work, `tools-dest-${slug}-${i}`);
  flushDirtyPages();
  await settle();
  const t0 = performance.now();
  // Each upload to a new key: rclone copy skips a file whose copy is there already (same size and time).
  if (row.id === 'tools-up-1g') await r.up(bigFile, `up/${slug}/${i}/big`);
  else if (row.id === 'tools-down-1g') {
    await r.down(SRC.big, dest);
  } else if (row.id === 'tools-up-folder') await r.upFolder(folder, `up/${slug}/${i}/folder/`);
  else {
    fs.mkdirSync(dest);
    await r.downFolder(SRC.folder, dest);
  }
  const s = (performance.now() - t0) / 1000;
  try {
    if (row.id === 'tools-down-1g' && fs.statSync(dest).size !== W.bigFile) throw new Error(`${r.name}: downloaded ${fs.statSync(dest).size} bytes`);
    if (row.id === 'tools-down-folder') {
      const n = fs.readdirSync(dest).filter((f) => fs.statSync(path.join(dest, f)).size === W.folderFileSize).length;
      if (n !== W.folderFiles) throw new Error(`${r.name}: ${n} of ${W.folderFiles} files downloaded`);
    }
  } finally {
    fs.rmSync(dest, { recursive: true, force: true });
  }
  return row.unit === 'MB/s' ? W.bigFile / MB / s : W.folderFiles / s;
}

const median = (a) => [...a].sort((x, y) => x - y)[(a.length - 1) >> 1];
const f0 = (v) => (v === undefined ? '—' : v.toFixed(0));

/**
 * Runs the wanted tools rows on a gateway started by `startServer` (stopped after); returns the Markdown
 * table, or undefined when no tools row was asked for.
 */
export async function runToolRows(lib, { startServer, stopServer, bigFile, folder, work }) {
  const wanted = wantedToolRows();
  if (!wanted.length) return undefined;
  console.log(`\ntools: engine vs aws CLI, rclone, s3cmd on one fresh gateway-md5 (${REPEAT} runs per cell, median)`);
  const skipped = ensureTools();
  console.log(`  ${toolVersions().join('; ')}`);
  const dataDir = path.join(work, 'data-tools');
  fs.mkdirSync(dataDir);
  const server = await startServer('gateway-md5', dataDir);
  const all = runners(lib, server, work);
  const results = {}; // results[rowId][runner] = [rates]
  try {
    await request('PUT', `${server.s3}/${BUCKET}`);
    // The download rows' objects: single PUTs, so each has an MD5 ETag that every runner can check.
    if (wanted.some((r) => r.id === 'tools-down-1g')) await request('PUT', `${server.s3}/${BUCKET}/${SRC.big}`, { headers: { 'Content-Length': W.bigFile }, body: patternBody(W.bigFile) });
    if (wanted.some((r) => r.id === 'tools-down-folder')) {
      await pool(W.folderFiles, 16, (i) => {
        const body = PATTERN.subarray(i % 1024, (i % 1024) + W.folderFileSize);
        return request('PUT', `${server.s3}/${BUCKET}/${enc(`${SRC.folder}f${i}`)}`, { body, headers: { 'Content-Length': body.length } });
      });
    }
    for (const r of all) {
      if (!r.tool || skipped[r.tool]) continue;
      const times = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        await r.startup();
        times.push(performance.now() - t0);
      }
      r.startupMs = median(times);
    }
    console.log(`  start-up of each tool (median of 3, in its times below): ${all.filter((r) => r.startupMs !== undefined).map((r) => `${r.name} ${r.startupMs.toFixed(0)} ms`).join(', ')}`);
    for (const row of wanted) {
      for (let rep = 0; rep < REPEAT; rep++) {
        const shift = rep % all.length;
        for (const r of [...all.slice(shift), ...all.slice(0, shift)]) {
          const cells = ((results[row.id] ??= {})[r.name] ??= []);
          if (r.tool && skipped[r.tool]) continue;
          try {
            const v = await cell(row, r, rep, { bigFile, folder, work });
            cells.push(v);
            console.log(`  ${row.id.padEnd(18)} ${r.name.padEnd(17)} ${v.toFixed(0)} ${row.unit}`);
          } catch (e) {
            cells.error = String(e.message ?? e).slice(0, 160);
            console.log(`  ${row.id.padEnd(18)} ${r.name.padEnd(17)} error: ${cells.error}`);
          }
        }
      }
    }
  } finally {
    for (const r of all) r.client?.dispose();
    await stopServer(server);
  }
  return renderToolTable(wanted, all, results, skipped);
}

function renderToolTable(wanted, all, results, skipped) {
  const lines = [];
  const tools = all.filter((r) => r.tool);
  lines.push(`| work | ${all.map((r) => r.name).join(' | ')} | AIS ÷ best tool | S3 ÷ best tool |`);
  lines.push(`|---|${all.map(() => '---:').join('|')}|---:|---:|`);
  for (const row of wanted) {
    const got = results[row.id] ?? {};
    const med = (r) => (got[r.name]?.length && !got[r.name].error ? median(got[r.name]) : undefined);
    const shown = all.map((r) => {
      if (r.tool && skipped[r.tool]) return 'not installed';
      if (got[r.name]?.error) return `error: ${got[r.name].error.slice(0, 60)}`;
      const cells = got[r.name] ?? [];
      return cells.length ? `${f0(med(r))} (${f0(Math.min(...cells))}–${f0(Math.max(...cells))})` : '—';
    });
    const best = Math.max(...tools.map(med).filter((v) => v !== undefined));
    const ratio = (r) => (med(r) !== undefined && Number.isFinite(best) ? (med(r) / best).toFixed(2) : '—');
    lines.push(`| ${row.label} (${row.unit}) | ${shown.join(' | ')} | ${ratio(all[0])} | ${ratio(all[1])} |`);
  }
  const startups = tools.filter((r) => r.startupMs !== undefined).map((r) => `${r.name.split(' ')[0]} ${r.startupMs.toFixed(0)} ms`);
  const base = all.some((r) => r.name.startsWith('base ')) ? '; "base" columns: the engine of another build (BENCH_BASE_CLIENT), in the same run' : '';
  return { table: lines.join('\n'), note: `each cell the median of ${REPEAT} runs (min–max); a tool's time is its command's wall time, start-up included (${startups.join(', ')})${base}` };
}

/** Replaces the tools section between its README markers (added at the end of the bench notes when missing). */
export function writeToolReadme(root, { table, note }, machine) {
  const body = `The engine against the tools users pick instead, \`BENCH_ROWS=tools npm run bench\` (${new Date().toISOString().slice(0, 10)}, ${machine}; one fresh gateway, md5 bucket; ${note}):\n\n${table}`;
  // First run: at the end of the bench notes (before the heading after the main table).
  const written = writeReadmeSection(root, 'bench-tools', body, (text) => {
    const after = text.indexOf('<!-- bench:end -->');
    if (after < 0) return -1;
    const next = text.indexOf('\n## ', after);
    return next < 0 ? text.length : next;
  });
  console.log(written ? 'README.md: tools table updated' : 'README.md has no bench markers; tools table not written');
}

/** Each installed tool's version line, for the log. */
function toolVersions() {
  return TOOLS.filter((t) => onPath(t.name)).map((t) => `${t.name}: ${String(spawnSync(t.name, [t.name === 'rclone' ? 'version' : '--version'], { encoding: 'utf8' }).stdout).split('\n')[0].trim()}`);
}
