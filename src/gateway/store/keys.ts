// Keys are compared in UTF-8 byte order, as S3 lists them. JavaScript compares UTF-16 code units, which
// differs only for characters above U+FFFF (surrogates) against U+E000..U+FFFF: remap those.
import { errors } from '../errors';

function orderOf(unit: number): number {
  if (unit < 0xd800) return unit;
  if (unit <= 0xdfff) return unit + 0x2000; // surrogates sort after the rest of the BMP
  return unit - 0x800;
}

export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return orderOf(x) - orderOf(y);
  }
  return a.length - b.length;
}

/**
 * The smallest string greater than every string that starts with `prefix`, or undefined when it cannot
 * be formed by bumping the last code unit (then callers skip linearly).
 */
export function prefixSuccessor(prefix: string): string | undefined {
  if (!prefix) return undefined;
  const last = prefix.charCodeAt(prefix.length - 1);
  if (last === 0xd7ff || last >= 0xd800) return undefined;
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

export const MAX_KEY_BYTES = 1024;

export function validateKey(key: string): void {
  if (!key) throw errors.invalidArgument('Object key must not be empty');
  if (key.includes('\0')) throw errors.invalidArgument('Object key must not contain a NUL character');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw errors.keyTooLong();
  // Lone surrogates cannot round-trip through UTF-8: the key read back would differ from the one stored.
  if (!key.isWellFormed()) throw errors.invalidArgument('Object key is not valid UTF-8');
}

const BUCKET_NAME = /^[A-Za-z0-9_.-]+$/;

/** AIStore's bucket name rules (letters, digits, '-', '_', '.'), which are also safe directory names. */
export function validateBucketName(name: string): void {
  if (!name) throw errors.invalidBucketName(name, 'the name is empty');
  if (name.length > 255) throw errors.invalidBucketName(name.slice(0, 64) + '…', 'longer than 255 characters');
  if (name === '.' || name === '..') throw errors.invalidBucketName(name, '"." and ".." are reserved');
  if (!BUCKET_NAME.test(name))
    throw errors.invalidBucketName(name, 'use only letters, digits, "-", "_" and "."');
}
