// Text the tree shows: sizes, dates, checksums. Plain functions, testable without VS Code.
import type { Checksum } from '../client/cluster';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : Math.round(v)} ${UNITS[u]}`;
}

/** "2026-11-25 08:39" in local time: compact and sortable. */
export function formatDate(d: Date | undefined): string {
  if (!d || isNaN(d.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function formatChecksum(c: Checksum | undefined): string {
  return c && c.value ? `${c.type}:${c.value}` : '';
}

/** The last path segment of a key below its folder: "a/b/c.txt" → "c.txt", "a/b/" → "b/". */
export function leafName(key: string, prefix: string): string {
  return key.startsWith(prefix) ? key.slice(prefix.length) : key;
}
