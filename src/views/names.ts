// Client-side checks of names, so a user learns what is wrong before a request is sent.

/** AIStore's bucket name rules: letters, digits, '-', '_', '.'; undefined when fine. */
export function validateBucketName(name: string): string | undefined {
  if (!name) return 'Enter a bucket name.';
  if (name.length > 255) return 'A bucket name has at most 255 characters.';
  if (name === '.' || name === '..') return '"." and ".." cannot be bucket names.';
  const bad = name.match(/[^A-Za-z0-9_.-]/);
  if (bad) return `"${bad[0]}" is not allowed in a bucket name: use letters, digits, "-", "_" and ".".`;
  return undefined;
}
