// Header values are bytes: Node reads and writes them as Latin-1 and refuses characters past U+00FF. User
// metadata comes back as its UTF-8 bytes (what the aws CLI, boto3 and the gateway send) or as RFC 2047
// encoded words (S3); ours goes out as encoded words, which a SigV4 signature covers the same everywhere.
import { fromEncodedWords, toEncodedWord } from '../common/encodedwords';
import { fromHeaderBytes } from '../common/headerbytes';

/**
 * A header value read as Latin-1, decoded as the UTF-8 it holds, and its RFC 2047 encoded words decoded
 * (what S3 answers for non-ASCII metadata, and what a server that keeps values as sent, AIStore's /s3,
 * gives back of ours).
 */
export function fromUtf8HeaderValue(value: string): string {
  return fromEncodedWords(fromHeaderBytes(value));
}

/** User metadata for a SigV4-signed request: non-ASCII values as RFC 2047 encoded words (ASCII on the wire). */
export function signableHeaderValues(meta: Record<string, string> | undefined): Record<string, string> | undefined {
  return meta && Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, toEncodedWord(v)]));
}

export function fromUtf8HeaderValues(meta: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(meta ?? {}).map(([k, v]) => [k, fromUtf8HeaderValue(v)]));
}
