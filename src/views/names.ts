// Client-side checks of names, so a user learns what is wrong before a request is sent.
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
