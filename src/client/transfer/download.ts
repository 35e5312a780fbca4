// Downloads of objects and folders. Large objects come down as parallel ranged GETs into a temp file that
// is renamed only after the object's checksum (AIStore type, or the S3 ETag when it is an MD5) matched:
// never a silently bad file. A folder's small objects come with one GET each: the listing gave their size,
// the GET's headers give the checksum to verify (a HEAD only before ranges). Cancel removes the partial file.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ChecksumType, createHasher, Hasher, initChecksums, isChecksumType } from '../../common/checksum';
import { BucketRef, ClientError, ClusterClient, ObjectHead } from '../cluster';
import { followHasher } from '../followhash';
import { saveFile } from '../savefile';
import { ChecksumMismatch, DEFAULT_ATTEMPTS, DEFAULT_PART_CONCURRENCY, DEFAULT_PART_SIZE, forEachLimited, MiB, SMALL_FILE_BYTES, throwIfAborted, TransferCancelled, withRetry } from './limits';
import type { TransferOptions, TransferResult } from './options';
import { Meter, tap, transferEach } from './progress';

export interface DownloadItem {
  key: string;
  file: string;
  /** As listed: a small object comes with one GET, a large one by ranges (after a HEAD). */
  size: number;
}

export interface ExpectedChecksum {
  type: ChecksumType;
  value: string;
}

/** What the cluster says the bytes must hash to: the AIStore checksum, else an MD5 ETag, else nothing. */
export function expectedChecksum(head: ObjectHead): ExpectedChecksum | undefined {
  if (head.checksum?.value && isChecksumType(head.checksum.type) && head.checksum.type !== 'none') {
    return { type: head.checksum.type, value: head.checksum.value.toLowerCase() };
  }
  const etag = head.etag?.replace(/"/g, '').toLowerCase();
  if (etag && /^[0-9a-f]{32}$/.test(etag)) return { type: 'md5', value: etag };
  return undefined;
}

/**
 * Maps keys under `prefix` to files under `dir`. A key that would land outside `dir` ('..', absolute
 * names) is refused: object names are not trusted paths.
 */
export function localPathFor(dir: string, prefix: string, key: string): string {
  const rel = key.slice(prefix.length).replace(/^\/+/, '');
  const target = path.resolve(dir, ...rel.split('/').filter((s) => s !== ''));
  const root = path.resolve(dir);
  if (!rel || (target !== root && !target.startsWith(root + path.sep)) || rel.split('/').includes('..')) {
    throw new ClientError('bad-request', `Object "${key}" cannot be saved under ${dir}: its name is not a safe relative path.`, '');
  }
  return target;
}

export async function downloadFiles(client: ClusterClient, bucket: BucketRef, items: readonly DownloadItem[], opts: TransferOptions = {}): Promise<TransferResult> {
  // A folder's files mostly share a few folders: each is made (or found) once per transfer, not per file.
  const folders = newFolders();
  return transferEach(items, opts, (item, meter) => downloadOne(client, bucket, item.key, item.file, opts, meter, { listedSize: item.size }, folders));
}

/** The folders one transfer has made or found (by path), and those it has opened a temp file in. */
interface Folders {
  made: Map<string, Promise<void>>;
  writable: Set<string>;
}

const newFolders = (): Folders => ({ made: new Map(), writable: new Set() });

export async function downloadFile(client: ClusterClient, bucket: BucketRef, key: string, file: string, opts: TransferOptions = {}): Promise<ObjectHead> {
  const head = await client.headObject(bucket, key);
  const meter = new Meter(head.size, 1, opts.onProgress);
  const result = await downloadOne(client, bucket, key, file, opts, meter, { head });
  meter.fileDone();
  return result;
}

/** Lists every object under a prefix (all pages) as download items into `dir`. */
export async function collectPrefix(client: ClusterClient, bucket: BucketRef, prefix: string, dir: string, signal?: AbortSignal): Promise<DownloadItem[]> {
  const items: DownloadItem[] = [];
  let token: string | undefined;
  do {
    throwIfAborted(signal);
    const page = await client.listObjects(bucket, { prefix, folders: false, pageSize: 1000, token });
    for (const o of page.objects) {
      if (o.key.endsWith('/') && o.size === 0) continue; // folder markers
      items.push({ key: o.key, file: localPathFor(dir, prefix, o.key), size: o.size });
    }
    token = page.nextToken;
  } while (token);
  return items;
}

/** What is known of an object before its bytes are asked for: its HEAD, or only the size a listing gave. */
type KnownObject = { head: ObjectHead } | { listedSize: number };

async function downloadOne(client: ClusterClient, bucket: BucketRef, key: string, file: string, opts: TransferOptions, meter: Meter, known: KnownObject, folders: Folders = newFolders()): Promise<ObjectHead> {
  await initChecksums();
  const partSize = Math.max(MiB, opts.partSize ?? DEFAULT_PART_SIZE);
  const ranged = (size: number) => size > (opts.multipartThreshold ?? partSize) && size > partSize;
  // Ranges need the object's size and checksum before the first one is asked for: a HEAD. A small object
  // listed comes with one GET, whose headers say its size and checksum.
  const knownHead = 'head' in known ? known.head : ranged(known.listedSize) ? await client.headObject(bucket, key) : undefined;
  // In a folder this transfer has opened a temp file in, a small object's verified bytes are written in
  // one go on the file worker: the folder has shown it takes new files.
  if (!knownHead && folders.writable.has(path.dirname(file))) {
    const head = await saveSmall(client, bucket, key, file, opts, meter);
    if (head) return head;
  }
  // The temp file exists before the first byte is asked for: a folder we cannot write to fails here, at once.
  // A folder where the file should go fails here too, but for a folder's small objects: there the rename
  // finds it (EISDIR, the same message) after one small GET, which spares every file a stat.
  const { tmp, fd } = await createTempFor(file, folders, knownHead !== undefined);
  // The temp file's descriptor, until a write stream takes it over (one open per file, not two).
  const open: { fd?: number } = { fd };
  try {
    let head: ObjectHead;
    let expected: ExpectedChecksum | undefined;
    let actual: string | undefined;
    if (knownHead && ranged(knownHead.size)) {
      head = knownHead;
      expected = expectedChecksum(head);
      await sizeFile(open, head.size, file);
      actual = await rangedDownload(client, bucket, key, head.etag, tmp, file, head.size, partSize, expected?.type, opts, meter);
    } else {
      ({ head, expected, actual } = await withRetry(opts.attempts ?? DEFAULT_ATTEMPTS, opts.signal, () => getWhole(client, bucket, key, tmp, open, file, knownHead, opts, meter)));
    }
    if (expected && actual !== expected.value) throw new ChecksumMismatch(key, expected.type, expected.value, actual ?? '');
    try {
      await fs.promises.rename(tmp, file);
    } catch (e) {
      throw localFileError(e, file);
    }
    opts.onLog?.(`downloaded ${bucket.provider}://${bucket.name}/${key} → ${file} (${head.size} bytes${expected ? `, ${expected.type} verified` : ''})`);
    return head;
  } catch (e) {
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
    if (opts.signal?.aborted) throw new TransferCancelled();
    throw e;
  } finally {
    if (open.fd !== undefined) await closeFd(open.fd);
  }
}

/** Writes `chunks` at the start of the file, all of them (a short write sends the rest again). */
async function writeAllAt(fd: number, chunks: Buffer[]): Promise<void> {
  let bufs = chunks.filter((c) => c.length > 0);
  let position = 0;
  while (bufs.length) {
    const n = await new Promise<number>((resolve, reject) => fs.writev(fd, bufs, position, (e, written) => (e ? reject(e) : resolve(written))));
    position += n;
    let skip = n;
    while (bufs.length && skip >= bufs[0].length) skip -= bufs.shift()!.length;
    if (skip > 0) bufs = [bufs[0].subarray(skip), ...bufs.slice(1)];
  }
}

const closeFd = (fd: number) => new Promise<void>((resolve) => fs.close(fd, () => resolve()));

/** Sizes the temp file for its ranges and closes it: the ranges open it themselves, by name. */
async function sizeFile(open: { fd?: number }, size: number, file: string): Promise<void> {
  const fd = open.fd!;
  open.fd = undefined;
  try {
    await new Promise<void>((resolve, reject) => fs.ftruncate(fd, size, (e) => (e ? reject(e) : resolve())));
  } catch (e) {
    throw localFileError(e, file);
  } finally {
    await closeFd(fd);
  }
}

/**
 * One GET of the whole object into `tmp`, hashed on the way. Without a HEAD before it, the GET's own
 * headers say how many bytes must come and what they must hash to.
 */
async function getWhole(
  client: ClusterClient,
  bucket: BucketRef,
  key: string,
  tmp: string,
  open: { fd?: number },
  file: string,
  knownHead: ObjectHead | undefined,
  opts: TransferOptions,
  meter: Meter,
): Promise<{ head: ObjectHead; expected?: ExpectedChecksum; actual?: string }> {
  const counted = { n: 0 };
  try {
    const got = await client.getObject(bucket, key, undefined, { signal: opts.signal });
    const head = knownHead ?? { ...got.head, size: got.contentLength ?? got.head.size };
    const expected = expectedChecksum(head);
    // The first attempt writes through the descriptor createTempFor opened; a retry opens the file again ('w' empties it).
    const fd = open.fd;
    open.fd = undefined;
    if (fd !== undefined && head.size <= SMALL_FILE_BYTES) {
      try {
        const { chunks, actual } = await gatherWhole(client, key, got.body, head.size, expected, counted, meter, opts.signal);
        await writeAllAt(fd, chunks);
        return { head, expected, actual };
      } finally {
        await closeFd(fd);
      }
    }
    const hasher = expected ? createHasher(expected.type) : undefined;
    const taps = tap(meter, hasher ? [hasher] : [], opts.signal, counted);
    const out = fd !== undefined ? fs.createWriteStream(tmp, { fd, highWaterMark: MiB }) : fs.createWriteStream(tmp, { highWaterMark: MiB });
    await pipeline(got.body, taps, out);
    if (counted.n !== head.size) throw new ClientError('server', `${key}: got ${counted.n} bytes, expected ${head.size}.`, client.endpoint);
    return { head, expected, actual: hasher?.digest() };
  } catch (e) {
    meter.add(-counted.n);
    throw localFileError(e, file);
  }
}

/**
 * A small body (a GET's whole answer), hashed as it comes, as its chunks: a folder's thousands of files
 * cost a handful of file system calls each and no stream pipeline (whose set-up and teardown, an
 * AbortController aborted with a DOMException, cost more than the bytes of a 64 KB file). The chunks stay
 * apart: joining them costs a fresh 64 KB buffer per file.
 */
async function gatherWhole(
  client: ClusterClient,
  key: string,
  body: Readable,
  size: number,
  expected: ExpectedChecksum | undefined,
  counted: { n: number },
  meter: Meter,
  signal: AbortSignal | undefined,
): Promise<{ chunks: Buffer[]; actual?: string }> {
  const hasher = expected ? createHasher(expected.type) : undefined;
  const chunks = await gather(body, size, counted, meter, hasher, signal, () => new ClientError('server', `${key}: got more than the ${size} bytes expected.`, client.endpoint));
  if (counted.n !== size) throw new ClientError('server', `${key}: got ${counted.n} bytes, expected ${size}.`, client.endpoint);
  return { chunks, actual: hasher?.digest() };
}

/**
 * A listed small object into `file` in a folder this transfer has written a temp file in already: its GET
 * gathered and verified here, then its bytes written, as a temp file renamed onto `file`, on the file
 * worker (savefile.ts: one message instead of four fs calls through the thread pool). Undefined when the
 * object has grown past SMALL_FILE_BYTES since the listing: the caller downloads it the usual way.
 */
async function saveSmall(client: ClusterClient, bucket: BucketRef, key: string, file: string, opts: TransferOptions, meter: Meter): Promise<ObjectHead | undefined> {
  try {
    const got = await withRetry(opts.attempts ?? DEFAULT_ATTEMPTS, opts.signal, async () => {
      const counted = { n: 0 };
      try {
        const answer = await client.getObject(bucket, key, undefined, { signal: opts.signal });
        const head = { ...answer.head, size: answer.contentLength ?? answer.head.size };
        if (head.size > SMALL_FILE_BYTES) {
          answer.body.destroy();
          return undefined;
        }
        const expected = expectedChecksum(head);
        return { head, expected, ...(await gatherWhole(client, key, answer.body, head.size, expected, counted, meter, opts.signal)) };
      } catch (e) {
        meter.add(-counted.n);
        throw e;
      }
    });
    if (!got) return undefined;
    const { head, expected, actual, chunks } = got;
    if (expected && actual !== expected.value) throw new ChecksumMismatch(key, expected.type, expected.value, actual ?? '');
    await saveFile(tempName(file), file, chunks).catch((e: unknown) => Promise.reject(localFileError(e, file)));
    opts.onLog?.(`downloaded ${bucket.provider}://${bucket.name}/${key} → ${file} (${head.size} bytes${expected ? `, ${expected.type} verified` : ''})`);
    return head;
  } catch (e) {
    if (opts.signal?.aborted) throw new TransferCancelled();
    throw e;
  }
}

/** Longest file name most file systems take (ext4, APFS, NTFS: 255 bytes or UTF-16 units). */
const NAME_MAX_BYTES = 255;

/**
 * A download's temp file name, next to the file: the file's name with a suffix, or, where that would be
 * longer than a file system takes, a short hidden name made from a digest of it (a key of 240 bytes is a
 * valid file name; it must not fail for want of room for the suffix).
 */
function tempName(file: string): string {
  const suffix = `.aisb-${process.pid}-${Math.random().toString(36).slice(2, 8)}.part`;
  const name = path.basename(file);
  if (Buffer.byteLength(name) + suffix.length <= NAME_MAX_BYTES) return `${file}${suffix}`;
  return path.join(path.dirname(file), `.${crypto.createHash('sha1').update(name).digest('hex').slice(0, 16)}${suffix}`);
}

/**
 * A small body, whole, as its chunks: more than `limit` bytes fails with `tooMuch()` (the body is
 * destroyed), a cancel with TransferCancelled. Bytes count into `counted` and the meter, and feed `hasher`, as they come.
 */
function gather(body: Readable, limit: number, counted: { n: number }, meter: Meter, hasher: Hasher | undefined, signal: AbortSignal | undefined, tooMuch: () => Error): Promise<Buffer[]> {
  return new Promise<Buffer[]>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onAbort = () => body.destroy(new TransferCancelled());
    let settled = false;
    const settle = (e?: Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      body.removeListener('data', onData);
      if (e) {
        body.destroy();
        reject(e);
      } else resolve(chunks);
    };
    const onData = (chunk: Buffer) => {
      counted.n += chunk.length;
      meter.add(chunk.length);
      if (counted.n > limit) return settle(tooMuch());
      hasher?.update(chunk);
      chunks.push(chunk);
    };
    if (signal?.aborted) return reject(new TransferCancelled());
    signal?.addEventListener('abort', onAbort, { once: true });
    body.on('data', onData);
    body.once('end', () => settle());
    body.once('error', (e) => settle(e));
  });
}

/**
 * Ranges in parallel into the temp file; the file is hashed in order behind them (followhash.ts), so
 * verification needs no second pass. Returns the digest when `hashType` is given. Every range asks for the
 * version the HEAD saw (If-Match `etag`, where the client can pin one): an object replaced midway is an
 * error, never a file of two versions (a multipart ETag is no MD5 to catch that afterwards).
 */
async function rangedDownload(
  client: ClusterClient,
  bucket: BucketRef,
  key: string,
  etag: string | undefined,
  tmp: string,
  file: string,
  size: number,
  partSize: number,
  hashType: ChecksumType | undefined,
  opts: TransferOptions,
  meter: Meter,
): Promise<string | undefined> {
  const ranges = Array.from({ length: Math.ceil(size / partSize) }, (_, i) => ({ start: i * partSize, end: Math.min(size, (i + 1) * partSize) - 1, done: false }));
  const hasher = hashType ? followHasher(tmp, hashType) : undefined;
  let contiguous = 0; // ranges[0..contiguous) are written
  try {
    await forEachLimited(ranges, opts.partConcurrency ?? DEFAULT_PART_CONCURRENCY, opts.signal, async (r) => {
      await withRetry(opts.attempts ?? DEFAULT_ATTEMPTS, opts.signal, async () => {
        const counted = { n: 0 };
        try {
          const onBytes = (n: number) => {
            counted.n += n;
            meter.add(n);
          };
          // Off this thread where the client can (rangefetch.ts: the extension host's event loop and heap stay calm).
          const offThread = (await client.getRangeToFile?.(bucket, key, r, tmp, onBytes, opts.signal, etag)) ?? false;
          if (!offThread) {
            const { body } = await client.getObject(bucket, key, r, { ifMatch: etag });
            await pipeline(body, tap(meter, [], opts.signal, counted), fs.createWriteStream(tmp, { flags: 'r+', start: r.start, highWaterMark: MiB }));
          }
          if (counted.n !== r.end - r.start + 1) throw new ClientError('server', `${key}: range ${r.start}-${r.end} returned ${counted.n} bytes.`, client.endpoint);
        } catch (e) {
          meter.add(-counted.n);
          if (e instanceof ClientError && e.status === 412 && etag !== undefined) throw changedMidway(client, bucket, key, e);
          throw localFileError(e, file);
        }
      });
      r.done = true;
      while (contiguous < ranges.length && ranges[contiguous].done) contiguous++;
      if (contiguous > 0) hasher?.advance(ranges[contiguous - 1].end + 1);
    });
    return await hasher?.finish(size);
  } finally {
    await hasher?.close();
  }
}

/** A ranged GET of the pinned version answered 412: the object was replaced after the HEAD. Not retried. */
function changedMidway(client: ClusterClient, bucket: BucketRef, key: string, cause: ClientError): ClientError {
  return new ClientError('conflict', `${bucket.provider}://${bucket.name}/${key} changed on ${client.endpoint} during the download: nothing was saved. Download it again.`, client.endpoint, 412, cause.code, { cause });
}

/**
 * Creates the download's temp file next to `file` (its folder made if missing, once per transfer) and
 * returns it open; refuses what cannot be written (with `checkTarget`, a folder at `file` too).
 */
async function createTempFor(file: string, folders: Folders, checkTarget: boolean): Promise<{ tmp: string; fd: number }> {
  const tmp = tempName(file);
  try {
    const st = checkTarget ? await fs.promises.stat(file).catch(() => undefined) : undefined;
    if (st?.isDirectory()) throw Object.assign(new Error(`${file} is a folder`), { code: 'EISDIR' });
    const dir = path.dirname(file);
    let made = folders.made.get(dir);
    if (!made) {
      made = makeFolder(dir);
      folders.made.set(dir, made);
      // A failure is not kept: the next file in that folder tries again (and reports its own error).
      made.catch(() => folders.made.delete(dir));
    }
    await made;
    const fd = await new Promise<number>((resolve, reject) => fs.open(tmp, 'wx', (e, n) => (e ? reject(e) : resolve(n))));
    folders.writable.add(dir);
    return { tmp, fd };
  } catch (e) {
    throw localFileError(e, file);
  }
}

/**
 * mkdir -p, level by level from the deepest folder that exists: Node's recursive mkdir spins forever
 * where a parent exists but refuses children with ENOENT (/proc).
 */
async function makeFolder(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const st = await fs.promises.stat(d).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
    if (st) {
      if (!st.isDirectory()) throw Object.assign(new Error(`${d} is a file`), { code: 'ENOTDIR' });
      break;
    }
    missing.unshift(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing) await fs.promises.mkdir(d).catch((e: NodeJS.ErrnoException) => (e.code === 'EEXIST' ? undefined : Promise.reject(e)));
}

const LOCAL_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  ENOTDIR: 'a part of its path is a file, not a folder',
  EISDIR: 'it is a folder',
  ENOENT: 'its folder does not exist (was it removed during the download?)',
  ENAMETOOLONG: 'the name is too long for the file system',
  EMFILE: 'too many files are open',
};

const FS_SYSCALLS = new Set(['open', 'write', 'writev', 'rename', 'mkdir', 'stat', 'ftruncate', 'truncate', 'close', 'fsync']);

/** A local file system failure (it has a syscall) as a ClientError naming the file; anything else as it was. */
function localFileError(e: unknown, file: string): unknown {
  if (e instanceof ClientError || e instanceof TransferCancelled || e instanceof ChecksumMismatch) return e;
  const err = e as NodeJS.ErrnoException;
  if (!err || typeof err !== 'object' || typeof err.code !== 'string') return e;
  if (err.syscall ? !FS_SYSCALLS.has(err.syscall) : err.code !== 'EISDIR' && err.code !== 'ENOTDIR') return e;
  const reason = LOCAL_REASONS[err.code] ?? `${err.code}: ${err.message}`;
  return new ClientError('bad-request', `Cannot write to ${file}: ${reason}. Choose another folder. Nothing was saved.`, '', undefined, err.code, { cause: e });
}
