// Text the tree shows: sizes, dates, tooltips. Plain functions, testable without VS Code.
import * as l10n from '@vscode/l10n';
import type { Checksum, ObjectEntry } from '../client/cluster';

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

export function objectDescription(o: ObjectEntry): string {
  return [formatSize(o.size), formatDate(o.mtime)].filter(Boolean).join(' · ');
}

export function objectTooltip(uri: string, o: ObjectEntry): string {
  const lines = [uri, l10n.t('Size: {0} ({1} bytes)', formatSize(o.size), o.size.toLocaleString('en-US'))];
  if (o.mtime) lines.push(l10n.t('Modified: {0}', o.mtime.toISOString()));
  if (o.checksum?.value) lines.push(l10n.t('Checksum: {0}', formatChecksum(o.checksum)));
  if (o.etag) lines.push(l10n.t('ETag: {0}', o.etag));
  if (o.version) lines.push(l10n.t('Version: {0}', o.version));
  return lines.join('\n');
}
