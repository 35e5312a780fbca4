// What a row of the Clusters tree says: an object's one-line description, its tooltip lines and what a
// screen reader hears, Markdown escaping, and the words for a remote bucket's cache state. Plain data.
import * as l10n from '@vscode/l10n';
import type { BucketRef, ObjectEntry, Presence } from '../client/cluster';
import { formatAge, formatAgeInWords, formatChecksum, formatSize, formatSizeInWords } from '../objects/format';

/** "32 B · 3 min ago": what fits beside the name in a side bar; the tooltip has the full values. */
export function describeObject(o: ObjectEntry, now?: Date): string {
  return [formatSize(o.size), formatAge(o.mtime, now), cacheWords(o)].filter(Boolean).join(' · ');
}

/** A remote bucket's object: whether the cluster holds it, and whether its remote moved on ('' elsewhere). */
function cacheWords(o: ObjectEntry): string {
  if (o.remoteChange === 'removed') return l10n.t('deleted remotely');
  if (o.remoteChange === 'changed') return l10n.t('changed remotely');
  if (o.cached === undefined) return '';
  return o.cached ? l10n.t('cached') : l10n.t('not cached');
}

export function objectTooltipLines(uri: string, o: ObjectEntry, now?: Date): string[] {
  const lines = [uri, l10n.t('Size: {0} ({1} bytes)', formatSize(o.size), o.size.toLocaleString('en-US'))];
  if (o.mtime) lines.push(l10n.t('Modified: {0} ({1})', o.mtime.toISOString(), formatAgeInWords(o.mtime, now)));
  if (o.checksum?.value) lines.push(l10n.t('Checksum: {0}', formatChecksum(o.checksum)));
  if (o.etag && o.etag !== o.checksum?.value) lines.push(l10n.t('ETag: {0}', o.etag));
  if (o.version) lines.push(l10n.t('Version: {0}', o.version));
  if (o.cached !== undefined) lines.push(o.cached ? l10n.t('Cached in the cluster') : l10n.t('Not cached: the cluster fetches it from the remote bucket when read'));
  if (o.remoteChange === 'changed') lines.push(l10n.t('The remote bucket has a newer version: Get Latest Version fetches it'));
  if (o.remoteChange === 'removed') lines.push(l10n.t('Deleted from the remote bucket; the cluster still holds its copy'));
  return lines;
}

export function objectTooltipText(uri: string, o: ObjectEntry, now?: Date): string {
  return objectTooltipLines(uri, o, now).join('\n');
}

/** "object readme.txt, 32 bytes, modified 3 minutes ago". */
export function objectAccessibilityLabel(name: string, o: ObjectEntry, now?: Date): string {
  return o.mtime
    ? l10n.t('object {0}, {1}, modified {2}', name, formatSizeInWords(o.size), formatAgeInWords(o.mtime, now))
    : l10n.t('object {0}, {1}', name, formatSizeInWords(o.size));
}

/** Text as Markdown that shows it literally (names and keys may hold `*`, `_`, `[`, `<`...). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~&]/g, (c) => `\\${c}`);
}

/** Tooltip lines as Markdown: the first (a name or URI) in bold, one line each. */
export function markdownLines(lines: string[]): string {
  return lines.map((l, i) => (i === 0 ? `**${escapeMarkdown(l)}**` : escapeMarkdown(l))).join('  \n');
}

/**
 * A provider's description without the word its name already says ("ais" + "AIS" repeats; "aws" +
 * "AWS S3" → "S3"; "gcp" + "Google Cloud" stays).
 */
export function providerDescription(name: string, label: string): string {
  return label
    .split(/\s+/)
    .filter((w) => w && w.toLowerCase() !== name.toLowerCase())
    .join(' ');
}

/** A bucket of a cloud provider (aws, gcp, …) as AIStore shows it: a cache of the remote bucket. */
export function isRemote(b: BucketRef): boolean {
  return (b.provider || 'ais') !== 'ais' && b.provider !== 's3';
}

export function presenceWords(p: Presence): string {
  return p === 'cached' ? l10n.t('cached only') : p === 'notCached' ? l10n.t('not cached only') : p === 'changed' ? l10n.t('changed remotely only') : l10n.t('all objects');
}

export function presenceEmpty(p: Presence): string {
  return p === 'cached' ? l10n.t('Nothing here is cached') : p === 'notCached' ? l10n.t('Everything here is cached') : l10n.t('Nothing here changed remotely');
}
