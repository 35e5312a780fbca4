// One object = one file: the object's bytes, then its metadata as JSON, then an 8-byte footer
// (metadata length, uint32 big-endian, and the magic "AISB"). Data and metadata therefore appear together
// with a single rename: no reader ever sees bytes without their metadata or the reverse.
import * as fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

const MAGIC = Buffer.from('AISB');
const FOOTER_BYTES = 8;
const MAX_META_BYTES = 4 * 1024 * 1024;

export function encodeTrailer(meta: object): Buffer {
  const json = Buffer.from(JSON.stringify(meta), 'utf8');
  const footer = Buffer.alloc(FOOTER_BYTES);
  footer.writeUInt32BE(json.length, 0);
  MAGIC.copy(footer, 4);
  return Buffer.concat([json, footer]);
}

export interface Trailer<T> {
  meta: T;
  /** Bytes of object data before the trailer. */
  dataSize: number;
}

export class CorruptObjectFile extends Error {}

export async function readTrailer<T>(fh: FileHandle, fileSize?: number): Promise<Trailer<T>> {
  const size = fileSize ?? (await fh.stat()).size;
  if (size < FOOTER_BYTES) throw new CorruptObjectFile('file shorter than its footer');
  const footer = Buffer.alloc(FOOTER_BYTES);
  await fh.read(footer, 0, FOOTER_BYTES, size - FOOTER_BYTES);
  if (!footer.subarray(4).equals(MAGIC)) throw new CorruptObjectFile('missing footer magic');
  const metaLen = footer.readUInt32BE(0);
  if (metaLen > MAX_META_BYTES || metaLen > size - FOOTER_BYTES) throw new CorruptObjectFile('bad metadata length');
  const json = Buffer.alloc(metaLen);
  await fh.read(json, 0, metaLen, size - FOOTER_BYTES - metaLen);
  return { meta: JSON.parse(json.toString('utf8')) as T, dataSize: size - FOOTER_BYTES - metaLen };
}

export async function readTrailerAt<T>(file: string): Promise<Trailer<T>> {
  const fh = await fs.promises.open(file, 'r');
  try {
    return await readTrailer<T>(fh);
  } finally {
    await fh.close();
  }
}

/** Appends the trailer to a finished data file, optionally fsyncing it, before the caller renames it. */
export async function appendTrailer(file: string, meta: object, fsync: boolean): Promise<void> {
  const fh = await fs.promises.open(file, 'a');
  try {
    await fh.write(encodeTrailer(meta));
    if (fsync) await fh.sync();
  } finally {
    await fh.close();
  }
}

/** The trailer of a file, read synchronously with one read for most files (the rebuild of an index). */
export function readTrailerSync<T>(file: string, tail: Buffer): T {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size < FOOTER_BYTES) throw new CorruptObjectFile('file shorter than its footer');
    let n = Math.min(size, tail.length);
    fs.readSync(fd, tail, 0, n, size - n);
    if (!tail.subarray(n - 4, n).equals(MAGIC)) throw new CorruptObjectFile('missing footer magic');
    const metaLen = tail.readUInt32BE(n - FOOTER_BYTES);
    if (metaLen > MAX_META_BYTES || metaLen > size - FOOTER_BYTES) throw new CorruptObjectFile('bad metadata length');
    if (metaLen + FOOTER_BYTES > n) {
      tail = Buffer.alloc(metaLen + FOOTER_BYTES);
      n = tail.length;
      fs.readSync(fd, tail, 0, n, size - n);
    }
    return JSON.parse(tail.toString('utf8', n - FOOTER_BYTES - metaLen, n - FOOTER_BYTES)) as T;
  } finally {
    fs.closeSync(fd);
  }
}
