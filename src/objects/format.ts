// Sizes, dates and checksums as the tree and messages show them, and the object properties document.
import * as l10n from '@vscode/l10n';
import type { Checksum, ObjectHead } from '../client/cluster';

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

/** 1200 → "1,200": counts in messages, grouped as the display language groups digits. */
export function formatCount(n: number, locale = 'en-US'): string {
  try {
    return n.toLocaleString(locale);
  } catch {
    return n.toLocaleString('en-US'); // an unknown display language tag
  }
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

/** The object properties document: YAML, one field a line, what AIStore and S3 say about the object. */
export function formatObjectProperties(uri: string, clusterName: string, head: ObjectHead): string {
  const q = (s: string) => (/^[\w./:@+-]+$/.test(s) && !/^(true|false|null|yes|no|~|\d[\d.eE+-]*)$/i.test(s) ? s : JSON.stringify(s));
  const lines = [
    `# ${l10n.t('Object properties (read-only). Refresh: run "Show Object Properties" again.')}`,
    `uri: ${q(uri)}`,
    `cluster: ${q(clusterName)}`,
    `size: ${head.size}  # ${formatSize(head.size)}`,
    'checksum:',
    `  type: ${q(head.checksum?.type ?? 'none')}`,
    `  value: ${head.checksum?.value ? q(head.checksum.value) : '~'}`,
    `version: ${head.version ? q(head.version) : '~'}`,
    `modified: ${head.mtime ? head.mtime.toISOString() : '~'}`,
    `atime: ${head.atime ? head.atime.toISOString() : '~'}${head.atime ? '' : `  # ${l10n.t('not reported by this cluster')}`}`,
    `etag: ${head.etag ? q(head.etag) : '~'}`,
    `contentType: ${head.contentType ? q(head.contentType) : '~'}`,
  ];
  const meta = Object.entries(head.userMeta).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (meta.length === 0) lines.push('userMetadata: {}');
  else {
    lines.push('userMetadata:');
    for (const [k, v] of meta) lines.push(`  ${q(k)}: ${q(v)}`);
  }
  return lines.join('\n') + '\n';
}

/** SigV4 presigned URLs live at most 7 days. */
const MAX_SECONDS = 604800;

/** "90m", "3h", "2d", "45" (minutes) → seconds; undefined when it is not a duration up to 7 days. */
export function parseExpiry(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = { s: 1, m: 60, h: 3600, d: 86400, '': 60 }[m[2].toLowerCase() as 's' | 'm' | 'h' | 'd' | ''];
  const seconds = Math.round(Number(m[1]) * unit);
  return seconds >= 1 && seconds <= MAX_SECONDS ? seconds : undefined;
}
