// Showing what identifies a credential without showing the credential: messages and listings may name
// an access key by its ends, and never carry a secret key or a token.

/** "AKIAIOSFODNN7EXAMPLE" → "AKIA…MPLE"; short ids keep less. Never the whole id. */
export function maskAccessKey(id: string): string {
  if (id.length >= 12) return `${id.slice(0, 4)}…${id.slice(-4)}`;
  if (id.length >= 6) return `${id.slice(0, 2)}…`;
  return '…';
}

/** Cuts out runs shaped like a secret key (40 characters of base64) or a token (JWTs, long base64). */
export function redactSecrets(text: string): string {
  return text.replace(/[A-Za-z0-9/+=_-]{32,}(\.[A-Za-z0-9/+=_-]+)*/g, '…');
}
