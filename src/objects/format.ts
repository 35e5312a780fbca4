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

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * How long ago, short enough for a side bar: "just now", "3 min ago", "5 h ago", "2 d ago", "4 mo ago";
 * a year or more back (or ahead: clock skew), the date itself ("2024-11-25"). Full values go in tooltips.
 */
export function formatAge(d: Date | undefined, now: Date = new Date()): string {
  if (!d || isNaN(d.getTime())) return '';
  const ms = now.getTime() - d.getTime();
  if (ms < -MINUTE || ms >= 365 * DAY) return formatDate(d).slice(0, 10);
  if (ms < 45_000) return l10n.t('just now');
  if (ms < HOUR) return l10n.t('{0} min ago', Math.max(1, Math.round(ms / MINUTE)));
  if (ms < DAY) return l10n.t('{0} h ago', Math.floor(ms / HOUR));
  if (ms < 30 * DAY) return l10n.t('{0} d ago', Math.floor(ms / DAY));
  return l10n.t('{0} mo ago', Math.floor(ms / (30 * DAY)));
}

/** formatAge in words, for screen readers: "3 minutes ago", "1 day ago", "on 2024-11-25". */
export function formatAgeInWords(d: Date | undefined, now: Date = new Date()): string {
  if (!d || isNaN(d.getTime())) return '';
  const ms = now.getTime() - d.getTime();
  if (ms < -MINUTE || ms >= 365 * DAY) return l10n.t('on {0}', formatDate(d).slice(0, 10));
  if (ms < 45_000) return l10n.t('just now');
  const n = (unit: number, round = Math.floor) => Math.max(1, round(ms / unit));
  if (ms < HOUR) return n(MINUTE, Math.round) === 1 ? l10n.t('1 minute ago') : l10n.t('{0} minutes ago', n(MINUTE, Math.round));
  if (ms < DAY) return n(HOUR) === 1 ? l10n.t('1 hour ago') : l10n.t('{0} hours ago', n(HOUR));
  if (ms < 30 * DAY) return n(DAY) === 1 ? l10n.t('1 day ago') : l10n.t('{0} days ago', n(DAY));
  return n(30 * DAY) === 1 ? l10n.t('1 month ago') : l10n.t('{0} months ago', n(30 * DAY));
}

/** "1 byte", "32 bytes", "1.50 KiB (1,536 bytes)": a size as a screen reader says it. */
export function formatSizeInWords(bytes: number): string {
  if (bytes === 1) return l10n.t('1 byte');
  if (bytes < 1024) return l10n.t('{0} bytes', bytes);
  return formatSize(bytes);
}

/**
 * An endpoint as a side bar row shows it: host and port, without the scheme and a default port or a
 * trailing "/" ("http://127.0.0.1:51080" → "127.0.0.1:51080"); the full URL goes in the tooltip.
 */
export function shortEndpoint(endpoint: string): string {
  try {
    const u = new URL(endpoint);
    const path = u.pathname.replace(/\/+$/, '');
    return `${u.host}${path}`;
  } catch {
    return endpoint;
  }
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

/** "90m", "3h", "2d", "45" (minutes) → seconds, however long; undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = { s: 1, m: 60, h: 3600, d: 86400, '': 60 }[m[2].toLowerCase() as 's' | 'm' | 'h' | 'd' | ''];
  return Math.round(Number(m[1]) * unit);
}

/** A presigned URL's lifetime: a duration from 1 second up to 7 days, else undefined. */
export function parseExpiry(text: string): number | undefined {
  const seconds = parseDuration(text);
  return seconds !== undefined && seconds >= 1 && seconds <= MAX_SECONDS ? seconds : undefined;
}

/** Why a typed lifetime cannot be a presigned URL's, undefined when it can. */
export function expiryProblem(text: string): string | undefined {
  const seconds = parseDuration(text);
  if (seconds !== undefined && seconds > MAX_SECONDS) return l10n.t('A presigned URL works at most 7 days (SigV4 allows no more): type 7d or less.');
  return seconds !== undefined && seconds >= 1 ? undefined : l10n.t('Type a duration from 1 second to 7 days, such as 45s, 90m, 3h or 2d.');
}
