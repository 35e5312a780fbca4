// Header values are bytes: Node reads and writes them as Latin-1 and refuses characters past U+00FF. User
// metadata travels as its UTF-8 bytes (what the aws CLI, boto3 and the gateway send), so values are turned
// into those bytes as a Latin-1 string before sending, and read back from them.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The UTF-8 bytes of `value` as a Latin-1 string, for a header. ASCII is left as it is. */
export function utf8HeaderValue(value: string): string {
  return /[^\x20-\x7e\t]/.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value;
}

/** A header value read as Latin-1, decoded as the UTF-8 it holds; left as it is when it is not UTF-8. */
export function fromUtf8HeaderValue(value: string): string {
  if (!/[\x80-\xff]/.test(value) || /[^\p{ASCII}\x80-\xff]/u.test(value)) return value;
  try {
    return utf8.decode(Buffer.from(value, 'latin1'));
  } catch {
    return value;
  }
}

export function utf8HeaderValues(meta: Record<string, string> | undefined): Record<string, string> | undefined {
  return meta && Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, utf8HeaderValue(v)]));
}

export function fromUtf8HeaderValues(meta: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(meta ?? {}).map(([k, v]) => [k, fromUtf8HeaderValue(v)]));
}
