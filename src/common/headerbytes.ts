// Header values are bytes: Node hands them over as Latin-1 (one char a byte) and writes them back the
// same way. Clients (Go's, the aws CLI, boto3) send UTF-8 text as its raw bytes.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A header value read as Latin-1, decoded as the UTF-8 it holds. Left as it is when it is not UTF-8, and
 * when it holds characters past U+00FF (already text, not bytes: an SDK that decoded it).
 */
export function fromHeaderBytes(value: string): string {
  if (!/[\x80-\xff]/.test(value) || /[^\p{ASCII}\x80-\xff]/u.test(value)) return value;
  try {
    return utf8.decode(Buffer.from(value, 'latin1'));
  } catch {
    return value;
  }
}

/** `value`'s UTF-8 bytes as a Latin-1 string, which Node writes out as those bytes. ASCII as it is. */
export function toHeaderBytes(value: string): string {
  return /[^\p{ASCII}]/u.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value;
}
