// An upload's Content-Type, guessed from the file name as s3cmd (guess_mime_type) and the aws CLI
// (mimetypes.guess_type) do: without it every object is application/octet-stream, and a presigned link
// to an image or a PDF downloads instead of showing. Here in the client layer, below everything that
// uploads (transfer, the file system provider, the commands).
import { lookup } from 'mime-types';

/** What S3 and browsers take an object without a type for. */
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** Registered types mime-db does not map yet that data users upload (IANA: application/vnd.apache.parquet). */
const EXTRA: Record<string, string> = { parquet: 'application/vnd.apache.parquet' };

/** The type a file name's extension stands for; undefined when it names none (no extension, unknown one). */
export function knownContentType(name: string): string | undefined {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return undefined; // "README", ".bashrc": no extension
  return lookup(base) || EXTRA[base.slice(dot + 1).toLowerCase()] || undefined;
}

/** The Content-Type to upload `name` with: the extension's type, else application/octet-stream. */
export function guessContentType(name: string): string {
  return knownContentType(name) ?? DEFAULT_CONTENT_TYPE;
}

// RFC 6838 type and subtype names (restricted-name-chars), then optional "; name=value" parameters;
// ASCII only, as it travels in a header.
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\s*;\s*[A-Za-z0-9!#$&^_.+-]+=("[\x20\x21\x23-\x7e]*"|[A-Za-z0-9!#$%&'*+.^_`|~-]+))*$/;

/** Whether `text` is a media type in the type/subtype form ("image/png", "text/plain; charset=utf-8"). */
export function isContentType(text: string): boolean {
  return MEDIA_TYPE.test(text.trim());
}
