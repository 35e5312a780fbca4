// What an object's content is: text, an image (VS Code's image preview) or binary (the hex editor when
// installed, else VS Code's own "binary file" notice), never garbled text.
import { knownContentType } from '../client/transfer/contenttype';

export type ObjectKind = 'text' | 'image' | 'binary';

const IMAGE_EXT = /\.(png|jpe?g|gif|webp|bmp|ico|avif)$/i;
const TEXT_TYPES = /^(text\/|application\/(json|xml|yaml|x-yaml|javascript|x-sh|toml|x-ndjson|ld\+json|csv|sql|graphql)|image\/svg\+xml)|[+/](json|xml)$/i;
const BINARY_TYPES = /^(image|audio|video|font)\/|^application\/(pdf|zip|gzip|x-tar|x-7z|octet-stream|vnd\.apache\.parquet|x-protobuf|wasm)/i;

/** Whether `sample` (the first KBs) looks binary: a NUL byte, or too many control bytes, as git decides. */
export function looksBinary(sample: Uint8Array): boolean {
  if (sample.length === 0) return false;
  let control = 0;
  for (const b of sample) {
    if (b === 0) return true;
    if (b < 7 || (b > 13 && b < 32 && b !== 27)) control++;
  }
  return control / sample.length > 0.1;
}

/**
 * Decides from the key's extension and the content type; `sample` settles what they leave open
 * (application/octet-stream is what many tools send for text too).
 */
export function objectKind(key: string, contentType: string | undefined, sample?: Uint8Array): ObjectKind {
  const type = (contentType ?? '').split(';')[0].trim();
  if (IMAGE_EXT.test(key) || (/^image\//i.test(type) && !/svg/i.test(type))) return 'image';
  if (TEXT_TYPES.test(type)) return sample && looksBinary(sample) ? 'binary' : 'text';
  if (sample) return looksBinary(sample) ? 'binary' : 'text';
  if (BINARY_TYPES.test(type) && type !== 'application/octet-stream') return 'binary';
  const guessed = knownContentType(key);
  if (guessed === 'application/octet-stream') return 'binary'; // .bin, .exe, .so: the name itself says bytes
  if (guessed && guessed !== type) return objectKind(key, guessed);
  return 'text';
}

/** How many bytes objectKind wants to look at. */
export const SNIFF_BYTES = 4096;
