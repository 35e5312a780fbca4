// One object = one file: the object's bytes, then its metadata as JSON, then an 8-byte footer
// (metadata length, uint32 big-endian, and the magic "AISB"). Data and metadata therefore appear together
// with a single rename: no reader ever sees bytes without their metadata or the reverse.
import * as fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';

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

/** Bytes read from a file's end at once: the footer and metadata of almost every object in one read. */
const TAIL_READ_BYTES = 4096;

/**
 * The trailer of an open object file, read with one read for most files. A file of at most `wholeUpTo`
 * bytes is read whole, and its data comes back as `whole` (a small GET then reads nothing more).
 */
export async function readTrailer<T>(fh: FileHandle, fileSize?: number, wholeUpTo = 0): Promise<Trailer<T> & { whole?: Buffer }> {
  const size = fileSize ?? (await fh.stat()).size;
  if (size < FOOTER_BYTES) throw new CorruptObjectFile('file shorter than its footer');
  const n = size <= wholeUpTo ? size : Math.min(size, TAIL_READ_BYTES);
  const tail = Buffer.allocUnsafe(n);
  const { bytesRead } = await fh.read(tail, 0, n, size - n);
  if (bytesRead !== n) throw new CorruptObjectFile('file shorter than its size');
  if (!tail.subarray(n - 4).equals(MAGIC)) throw new CorruptObjectFile('missing footer magic');
  const metaLen = tail.readUInt32BE(n - FOOTER_BYTES);
  if (metaLen > MAX_META_BYTES || metaLen > size - FOOTER_BYTES) throw new CorruptObjectFile('bad metadata length');
  const dataSize = size - FOOTER_BYTES - metaLen;
  let json: Buffer;
  if (metaLen + FOOTER_BYTES <= n) json = tail.subarray(n - FOOTER_BYTES - metaLen, n - FOOTER_BYTES);
  else {
    json = Buffer.alloc(metaLen);
    await fh.read(json, 0, metaLen, dataSize);
  }
  return { meta: JSON.parse(json.toString('utf8')) as T, dataSize, ...(n === size && { whole: tail.subarray(0, dataSize) }) };
}

export async function readTrailerAt<T>(file: string): Promise<Trailer<T>> {
  const fh = await fs.promises.open(file, 'r');
  try {
    return await readTrailer<T>(fh);
  } finally {
    await fh.close();
  }
}

/** What the index journal records of a file about to be renamed into place. */
export interface FileIdentity {
  ino: bigint;
  size: bigint;
}

/** Appends the trailer to a finished data file, optionally fsyncing it, before the caller renames it. */
export async function appendTrailer(file: string, meta: object, fsync: boolean): Promise<FileIdentity> {
  const fh = await fs.promises.open(file, 'a');
  try {
    await fh.write(encodeTrailer(meta));
    if (fsync) await fh.sync();
    return await fh.stat({ bigint: true });
  } finally {
    await fh.close();
  }
}

const fdOpen = promisify(fs.open);
const fdWritev = (fd: number, bufs: Buffer[]) =>
  new Promise<number>((resolve, reject) => fs.writev(fd, bufs, (e, n) => (e ? reject(e) : resolve(n))));
const fdWrite = (fd: number, buf: Buffer, off: number, len: number, pos: number) =>
  new Promise<number>((resolve, reject) => fs.write(fd, buf, off, len, pos, (e, n) => (e ? reject(e) : resolve(n))));
const fdFsync = promisify(fs.fsync);

/**
 * A new object file from a small body: its bytes and trailer in one write. Plain fds (a FileHandle's
 * bookkeeping costs more than the write of 4 KB), and only the calls that may wait for the disk go to
 * the thread pool: a 4 KB PUT makes fewer round trips there than the ceiling's.
 */
export async function writeObjectFile(file: string, data: Buffer, meta: object, fsync: boolean): Promise<FileIdentity> {
  const fd = await fdOpen(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC, 0o666);
  try {
    const bufs = [data, encodeTrailer(meta)];
    const size = data.length + bufs[1].length;
    // An fstat of an open fd only reads the inode in memory: done here, it skips a thread-pool round trip
    // that cost more than the call.
    const { ino } = fs.fstatSync(fd, { bigint: true });
    await writeAllv(fd, bufs, size, file);
    if (fsync) await fdFsync(fd);
    return { ino, size: BigInt(size) };
  } finally {
    // Like the fstat: a close of a file just written (no fsync, no truncation of data) only drops the fd.
    fs.closeSync(fd);
  }
}

async function writeAllv(fd: number, bufs: Buffer[], size: number, file: string): Promise<void> {
  let written = await fdWritev(fd, bufs);
  while (written < size) {
    // A short write: on from where it stopped.
    const rest = Buffer.concat(bufs).subarray(written);
    const n = await fdWrite(fd, rest, 0, rest.length, written);
    if (n === 0) throw Object.assign(new Error(`cannot write to ${file}`), { code: 'EIO' });
    written += n;
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
