// Names of buckets and keys: checks made before a request is sent (so a user learns what is wrong
// first), and the parts of a key that folders and labels show.
import * as l10n from '@vscode/l10n';

/**
 * A bucket name's problem, undefined when fine: AIStore's rules (letters, digits, '-', '_', '.'), and on an
 * S3 endpoint S3's stricter ones too (3 to 63 lowercase letters, digits, '-' and '.', a letter or digit at
 * each end, no IP address), which S3 services refuse otherwise.
 */
export function validateBucketName(name: string, kind: 'ais' | 's3' = 'ais'): string | undefined {
  if (!name) return l10n.t('Enter a bucket name.');
  if (name.length > 255) return l10n.t('A bucket name has at most 255 characters.');
  if (name === '.' || name === '..') return l10n.t('"." and ".." cannot be bucket names.');
  const bad = name.match(/[^A-Za-z0-9_.-]/);
  if (bad) return l10n.t('"{0}" is not allowed in a bucket name: use letters, digits, "-", "_" and ".".', bad[0]);
  if (kind === 'ais') return undefined;
  if (name.length < 3 || name.length > 63) return l10n.t('An S3 bucket name has 3 to 63 characters.');
  const s3bad = name.match(/[^a-z0-9.-]/);
  if (s3bad) return l10n.t('"{0}" is not allowed in an S3 bucket name: use lowercase letters, digits, "-" and ".".', s3bad[0]);
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return l10n.t('An S3 bucket name starts and ends with a letter or a digit.');
  if (name.includes('..')) return l10n.t('An S3 bucket name cannot have two dots in a row.');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return l10n.t('An S3 bucket name cannot look like an IP address.');
  return undefined;
}

/** A key below its folder: "a/b/c.txt" under "a/b/" → "c.txt"; "a/b/" under "a/" → "b/". */
export function leafName(key: string, prefix: string): string {
  return key.startsWith(prefix) ? key.slice(prefix.length) : key;
}

/** The prefix a folder lives in: "a/b/" → "a/", "a/" → "". */
export function parentPrefix(prefix: string): string {
  const trimmed = prefix.slice(0, -1);
  const at = trimmed.lastIndexOf('/');
  return at < 0 ? '' : trimmed.slice(0, at + 1);
}

/** The last path segment: what the Explorer shows. */
export function baseName(key: string): string {
  const k = key.replace(/\/+$/, '');
  return k.slice(k.lastIndexOf('/') + 1);
}
