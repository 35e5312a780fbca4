// The results: each cell the median of its repetitions, the Markdown table, and the README section.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isGatewayTarget, root, targets } from './config.mjs';
import { rows } from './rows.mjs';

export function fmt(v, digits = 0) {
  return v === undefined || Number.isNaN(v) ? '—' : v.toFixed(digits);
}

/** The repetition with the median metric (an error if any repetition failed); RSS is the highest seen. */
export function medianCell(cells) {
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

export function renderTable(results) {
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
      // A row of two ways of doing one work: both rates, their ratio, and each way's server CPU.
      if (c.vs) return `${fmt(c.ops)} vs ${fmt(c.vs.ops)} ops/s (${fmt(c.ops / c.vs.ops, 2)}×), ${fmt(c.rss)} MB RSS, ${fmt(c.cpuMs / 1000, 1)} vs ${fmt(c.vs.cpuMs / 1000, 1)} s CPU`;
      const main = c.ratio !== undefined ? `${fmt(c.ratio, 2)}× (${fmt(c.ms, 1)} ms)` : c.ops !== undefined ? `${fmt(c.ops)} ops/s${c.mbps !== undefined ? `, ${fmt(c.mbps)} MB/s` : ''}` : `${fmt(c.mbps)} MB/s`;
      const read = c.readMb !== undefined ? `, ${fmt(c.readMb, c.readMb < 10 ? 1 : 0)} MB read` : '';
      return `${main}${read}, ${fmt(c.rss)} MB RSS${c.cpu ? `, ${fmt(c.cpu.server / 1000, 1)} s CPU` : ''}`;
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

function repeatNote() {
  const n = Math.max(1, Number(process.env.BENCH_REPEAT ?? 1));
  return n > 1 ? `, each cell the median of ${n} runs` : '';
}

/** Replaces the table between the README's bench markers. */
export function writeReadme(table, md5Speed) {
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
