// Receiving a body: streamed into a file (FileSink) while it is hashed, then its size and digests verified.
import * as fs from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ChecksumType, checksumOf, createHasher } from '../checksum';
import { errors } from '../errors';
import { WORKER_HASH_TYPES, WorkerHashes, WorkerHashType } from '../../common/hashpool';
import { DataDir } from './datadir';
import { FileSink } from './filesink';

/** Bodies at least this large (or of unknown size) are hashed by a worker thread. */
const OFFLOAD_HASH_BYTES = 1024 * 1024;
/** How far the hash worker may fall behind the bytes received before the body waits for it. */
const MAX_HASH_LAG_BYTES = 64 * 1024 * 1024;

export interface ReceiveOptions {
  md5: boolean;
  expectedSize?: number;
  expectedMd5?: string;
  expectedChecksum?: { type: ChecksumType; value: string };
  into?: { file: string; start: number };
}

/** Bodies of a declared size up to this are read into memory and written with their trailer in one go. */
export const SMALL_BODY_BYTES = 64 * 1024;

/** A verified body: the file its bytes are in, and their digests (hex). */
export interface ReceivedBody {
  tmp: string;
  size: number;
  /** Present when asked for, or when the checksum type or an expected digest needed it. */
  md5?: string;
  /** The digest of the checksum type receive() was given. */
  checksum: string;
  /** The digest of an expected checksum of a third type (neither md5 nor the one given). */
  extra?: string;
}

/** A small body's bytes, not yet in any file (the caller writes them with their trailer), and their digests. */
export type ReceivedInMemory = Omit<ReceivedBody, 'tmp'> & { data: Buffer };

/** receive(), except that a body of declared size up to SMALL_BODY_BYTES comes back in memory. */
export function receiveObject(data: DataDir, body: Readable, cksumType: ChecksumType, opts: ReceiveOptions): Promise<ReceivedBody | ReceivedInMemory> {
  if (opts.into === undefined && opts.expectedSize !== undefined && opts.expectedSize <= SMALL_BODY_BYTES) return receiveSmall(body, cksumType, opts, opts.expectedSize);
  return receive(data, body, cksumType, opts);
}

/**
 * Streams `body` into a temp file while hashing it, then verifies size and digests.
 * Returns the temp path; the caller appends the trailer and renames. Removes the temp file on failure.
 * With `into`, the bytes go to that file at that offset instead (a multipart upload's data file; left as
 * it is on failure).
 */
export async function receive(data: DataDir, body: Readable, cksumType: ChecksumType, opts: ReceiveOptions): Promise<ReceivedBody> {
  const tmp = opts.into === undefined ? data.tmpPath() : opts.into.file;
  const start = opts.into?.start ?? 0;
  const { wantMd5, mainType, extraType } = hashPlan(cksumType, opts);
  // Large bodies: node:crypto hashes are done by a worker thread that reads the file right behind the
  // writer (hashpool.ts), so the event loop only moves bytes. Small bodies hash inline: a message round
  // trip would cost more than the hash. A body of unknown size hashes inline until it proves large;
  // the worker then starts over from the file's first byte (at most OFFLOAD_HASH_BYTES hashed twice).
  const types: ChecksumType[] = [wantMd5 ? 'md5' : 'none', mainType, extraType];
  const offloadable = types.map((t) => WORKER_HASH_TYPES.includes(t));
  const workerTypes = types.filter((_, i) => offloadable[i]) as WorkerHashType[];
  const inline = types.map((t, i) => (offloadable[i] ? undefined : createHasher(t)));
  let late = types.map((t, i) => (offloadable[i] ? createHasher(t) : undefined));
  let worker: WorkerHashes | undefined;
  let hashedTo = start; // handed to the worker
  let writtenTo = start;
  let confirmedTo = start; // hashed by the worker
  let lastRange: Promise<void> = Promise.resolve();
  const startWorker = () => {
    worker = new WorkerHashes(workerTypes);
    late = [];
    toWorker();
  };
  const toWorker = () => {
    if (!worker || writtenTo === hashedTo) return;
    const end = writtenTo;
    // Errors surface at digest(); until then a failed range only stops advancing confirmedTo.
    lastRange = worker.hashFile(tmp, hashedTo, end - hashedTo, true).then(
      () => void (confirmedTo = end),
      () => undefined,
    );
    hashedTo = end;
  };
  if (workerTypes.length && opts.expectedSize !== undefined && opts.expectedSize >= OFFLOAD_HASH_BYTES) startWorker();
  let size = 0;
  const expectedSize = opts.expectedSize;
  const hashing = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      // Never past the declared size: a part written in place must not reach into the next part's bytes.
      if (expectedSize !== undefined && size > expectedSize) return cb(errors.invalidArgument(`The body is longer than its declared size (${expectedSize} bytes)`));
      for (const h of inline) h?.update(chunk);
      if (!worker && workerTypes.length && size >= OFFLOAD_HASH_BYTES) startWorker();
      for (const h of late) h?.update(chunk);
      // A worker far behind (a slow hash, a busy machine) holds the body back: the reply must not wait
      // long for the hash after the last byte, and what it reads back should still be in the page cache.
      if (worker && start + size - confirmedTo > MAX_HASH_LAG_BYTES) return void lastRange.then(() => cb(null, chunk));
      cb(null, chunk);
    },
  });
  let sink: FileSink | undefined;
  try {
    const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT | (opts.into === undefined ? fs.constants.O_TRUNC : 0);
    sink = new FileSink(tmp, flags, start, (end) => {
      writtenTo = end;
      toWorker();
    });
    await pipeline(body, hashing, sink);
    if (opts.expectedSize !== undefined && size !== opts.expectedSize) throw errors.incompleteBody(opts.expectedSize, size);
    const fromWorker = worker ? await worker.digest() : [];
    let w = 0;
    const [md5hex0, mainHex, extraHex0] = types.map((_, i) => (!offloadable[i] ? inline[i]!.digest() : worker ? fromWorker[w++] : late[i]!.digest()));
    return { tmp, size, ...verified(cksumType, opts, wantMd5, md5hex0, mainHex, extraType === 'none' ? undefined : extraHex0) };
  } catch (e) {
    worker?.drop();
    // pipeline() rejects as soon as the body fails, while the sink may still be opening its file: removed
    // before that open lands, the temp file would be created after its removal and left behind.
    if (sink && !sink.closed) await new Promise((resolve) => sink!.once('close', resolve));
    if (opts.into === undefined) await fs.promises.rm(tmp, { force: true });
    throw e;
  }
}

function hashPlan(cksumType: ChecksumType, opts: ReceiveOptions): { wantMd5: boolean; mainType: ChecksumType; extraType: ChecksumType } {
  return {
    wantMd5: opts.md5 || cksumType === 'md5' || opts.expectedMd5 !== undefined || opts.expectedChecksum?.type === 'md5',
    mainType: cksumType === 'md5' ? 'none' : cksumType,
    extraType: opts.expectedChecksum && opts.expectedChecksum.type !== 'md5' && opts.expectedChecksum.type !== cksumType ? opts.expectedChecksum.type : 'none',
  };
}

/** The digests as receive() returns them, once checked against what the request said they are. */
function verified(cksumType: ChecksumType, opts: ReceiveOptions, wantMd5: boolean, md5hex0: string, mainHex: string, extraHex: string | undefined) {
  const md5hex = wantMd5 ? md5hex0 : undefined;
  const checksum = cksumType === 'md5' ? md5hex0 : mainHex;
  if (opts.expectedMd5 !== undefined && opts.expectedMd5.toLowerCase() !== md5hex)
    throw errors.badDigest(`The Content-MD5 you specified did not match what we received (got ${md5hex})`);
  if (opts.expectedChecksum) {
    const t = opts.expectedChecksum.type;
    const actual = t === 'md5' ? md5hex : t === cksumType ? checksum : extraHex;
    if (t !== 'none' && actual !== opts.expectedChecksum.value.toLowerCase())
      throw errors.badDigest(`${t} checksum mismatch: the request says ${opts.expectedChecksum.value}, the body has ${actual}`);
  }
  return { ...(md5hex !== undefined && { md5: md5hex }), checksum, extra: extraHex };
}

/**
 * A small body of declared size: its bytes into memory, hashed inline. What a temp file, a stream into it
 * and a second open for the trailer cost per 4 KB object was more than the ceiling spends on the whole PUT.
 */
async function receiveSmall(body: Readable, cksumType: ChecksumType, opts: ReceiveOptions, expectedSize: number): Promise<ReceivedInMemory> {
  const { wantMd5, mainType, extraType } = hashPlan(cksumType, opts);
  const bytes = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (e: Error) => {
      body.off('data', onData).off('end', onEnd).off('error', fail).off('close', onClose);
      body.resume(); // the rest of a body that was too long is read and dropped
      reject(e);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > expectedSize) fail(errors.invalidArgument(`The body is longer than its declared size (${expectedSize} bytes)`));
      else chunks.push(chunk);
    };
    const onEnd = () => {
      body.off('close', onClose);
      if (size !== expectedSize) return fail(errors.incompleteBody(expectedSize, size));
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    // A client gone mid-body: 'close' without 'end' (an IncomingMessage) or an error.
    const onClose = () => fail(errors.incompleteBody(expectedSize, size));
    body.on('data', onData).once('end', onEnd).once('error', fail).once('close', onClose);
  });
  const digest = (t: ChecksumType) => (t === 'none' ? '' : checksumOf(t, bytes));
  const md5hex = wantMd5 ? digest('md5') : '';
  const mainHex = digest(mainType);
  const extraHex = extraType === 'none' ? undefined : digest(extraType);
  return { data: bytes, size: bytes.length, ...verified(cksumType, opts, wantMd5, md5hex, mainHex, extraHex) };
}
