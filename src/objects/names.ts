// Names of buckets and keys: checks made before a request is sent (so a user learns what is wrong
// first), and the parts of a key that folders and labels show.
import * as l10n from '@vscode/l10n';

/** AIStore's bucket name rules: letters, digits, '-', '_', '.'; undefined when fine. */
export function validateBucketName(name: string): string | undefined {
  if (!name) return l10n.t('Enter a bucket name.');
  if (name.length > 255) return l10n.t('A bucket name has at most 255 characters.');
  if (name === '.' || name === '..') return l10n.t('"." and ".." cannot be bucket names.');
  const bad = name.match(/[^A-Za-z0-9_.-]/);
  if (bad) return l10n.t('"{0}" is not allowed in a bucket name: use letters, digits, "-", "_" and ".".', bad[0]);
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
