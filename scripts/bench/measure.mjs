// What a cell costs the server and how the machine stands before it: peak RSS (VmHWM, reset per cell), CPU
// time from /proc, dirty pages flushed and the CPUs idle before a cell starts, and the machine's MD5 speed.
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { PATTERN } from './http.mjs';

export function resetPeak(pid) {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    /* not Linux or not allowed: the peak is then the process's lifetime peak */
  }
}
export function flushDirtyPages() {
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
export async function settle() {
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
export function cpuMs(pid) {
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
export function peakRssMb(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** MB/s of node:crypto MD5 on one thread here: the CPU an md5 bucket spends on every byte. */
export function measureMd5() {
  const h = crypto.createHash('md5');
  const t0 = performance.now();
  for (let i = 0; i < 256; i++) h.update(PATTERN);
  h.digest();
  return 256 / ((performance.now() - t0) / 1000);
}
