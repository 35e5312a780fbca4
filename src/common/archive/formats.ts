// Which shard format an object is, and the names inside it, as AIStore decides (cmn/archive/mime.go,
// cmn/archive/list.go, cmn/cos/err.go ValidateArchpath): by the name's extension (.tar, .tgz, .tar.gz,
// .zip, .tar.lz4), or an explicit mime; a GET may also look at the file's magic when the name says nothing.
// Errors carry AIStore's words and its type codes.
import { ARCH_EXTENSIONS, ArchExt } from '../aisapi';

/**
 * An error of the shard layer: the HTTP status and the type code AIStore's JSON error carries (cmn/err.go
 * `tcode`). The gateway answers with them (native/errors.ts); the S3 client makes it a ClientError.
 */
export class ArchiveError extends Error {
  override readonly name = 'ArchiveError';
  constructor(
    readonly status: number,
    readonly tcode: string,
    message: string,
  ) {
    super(message);
  }
}

/** cos.Ext: from the first dot of the last path element ("a/b.tar.gz" → ".tar.gz"). */
export function extOf(name: string): string {
  let ext = '';
  for (let i = name.length - 1; i >= 0 && name[i] !== '/'; i--) if (name[i] === '.') ext = name.slice(i);
  return ext;
}

const unknownExt = (name: string, detail = '') =>
  new ArchiveError(400, 'errUnknownFileExt', `unknown filename extension (${JSON.stringify(name)}, ${JSON.stringify(extOf(name))})${detail ? ' - ' + detail : ''}`);

/** archive.byExt: the format a name's suffix says, or undefined. */
export function extFormat(name: string): ArchExt | undefined {
  return ARCH_EXTENSIONS.find((ext) => name.endsWith(ext));
}

/** archive.normalize: a mime such as "application/zip" or ".tar.gz" to the format it names. */
export function normalizeMime(mime: string): ArchExt {
  // .tar.gz and .tar.lz4 contain "tar": look for them first.
  if (mime.includes('tar.gz')) return '.tar.gz';
  if (mime.includes('tar.lz4')) return '.tar.lz4';
  const ext = ARCH_EXTENSIONS.find((e) => mime.includes(e.slice(1)));
  if (!ext) throw new ArchiveError(400, 'errUnknownMime', `unknown mime type ${JSON.stringify(mime)}`);
  return ext;
}

/** archive.Mime: the mime when one is given, else the name's extension. */
export function mimeOf(mime: string, name: string): ArchExt {
  if (mime) return normalizeMime(mime);
  const ext = extFormat(name);
  if (!ext) throw unknownExt(name);
  return ext;
}

/**
 * archive.Strict, what creating a shard checks: the name must end in a supported extension, and a mime,
 * when given, must be that very extension (AIStore compares the mime as given with ".tar" and so on).
 */
export function strictMime(mime: string, name: string): ArchExt {
  if (mime) normalizeMime(mime);
  const ext = extFormat(name);
  if (!ext) throw unknownExt(name);
  if (mime && mime !== ext) throw new ArchiveError(400, '', `mime mismatch ${JSON.stringify(mime)} vs ${JSON.stringify(ext)}`);
  return ext;
}

/** Bytes of a file's head that magic detection looks at (archive.sizeDetectMime). */
export const DETECT_BYTES = 512;

/**
 * archive.MimeFile with file magic, as a GET does: the mime or extension when they tell, else the first
 * bytes (ustar at 257, gzip 1f 8b, zip PK, lz4 04 22 4d 18).
 */
export function detectMime(mime: string, name: string, head: Buffer): ArchExt {
  if (mime) return normalizeMime(mime);
  const ext = extFormat(name);
  if (ext) return ext;
  if (head.length > 257 && head.subarray(257, 262).toString('latin1') === 'ustar') return '.tar';
  if (head[0] === 0x1f && head[1] === 0x8b) return '.tar.gz';
  if (head[0] === 0x50 && head[1] === 0x4b) return '.zip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0x184d2204) return '.tar.lz4';
  throw new ArchiveError(400, '', `unrecognized or unsupported file format: ${JSON.stringify(name)}`);
}

/** Content types of shards (archive.ContentTypeFromExt). */
export function contentTypeOf(ext: ArchExt): string {
  switch (ext) {
    case '.tar':
      return 'application/x-tar';
    case '.tgz':
    case '.tar.gz':
      return 'application/gzip';
    case '.tar.lz4':
      return 'application/x-lz4';
    case '.zip':
      return 'application/zip';
  }
}

/**
 * cos.ValidateArchpath: no "." or ".." path element, no leading "~/", no trailing "/". A member name
 * that climbs out of the shard ("../x") is refused before any file is opened.
 */
export function validateArchpath(p: string): void {
  const invalid = () => new ArchiveError(400, 'errInvalidPath', `invalid archpath ${JSON.stringify(p)}`);
  if (p.endsWith('/') || p.startsWith('~/')) throw invalid();
  for (const part of p.split('/')) if (part === '.' || part === '..') throw invalid();
}

/**
 * archive.SplitAtExtension: "a/b.tar/dir/f" → ["a/b.tar", "dir/f"], at the first "EXT/" of any shard
 * extension; a name with none → [name, ""]. How a listing's "SHARD/MEMBER" names are taken apart.
 */
export function splitAtExtension(name: string): [string, string] {
  for (const ext of ARCH_EXTENSIONS) {
    const i = name.indexOf(ext + '/');
    if (i >= 0) return [name.slice(0, i + ext.length), name.slice(i + ext.length + 1)];
  }
  return [name, ''];
}

const CLEANABLE = /(^|\/)\.\.?(\/|$)|\/\/|^\/|\/$/;

/** path.Join(shard, member) as Go cleans it: what a listing names a member by. */
export function memberEntryName(shard: string, member: string): string {
  // Most names need no cleaning (no ".", "..", "//", leading or trailing "/"): the common case is quick.
  if (member && !CLEANABLE.test(member) && !CLEANABLE.test(shard)) return `${shard}/${member}`;
  const out: string[] = [];
  for (const part of `${shard}/${member}`.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (part !== '..' || !shard.startsWith('/')) out.push(part);
  }
  return (shard.startsWith('/') ? '/' : '') + out.join('/');
}
