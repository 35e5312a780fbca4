// The transfer engine: uploads and downloads of files and folders through any ClusterClient.
// - Large files go up in parts (several in flight), small files in parallel up to a bound.
// - Large objects come down as parallel ranged GETs into a temp file that is renamed only after the
//   object's checksum (AIStore type, or the S3 ETag when it is an MD5) matched: never a silently bad file.
// - Cancel (AbortSignal) stops new work, destroys streams in flight, aborts multipart uploads and removes
//   partial local files. A failed part or range is retried.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ChecksumType, createHasher, Hasher, initChecksums, isChecksumType } from '../common/checksum';
import { BucketRef, ClientError, ClusterClient, ObjectHead, PutOptions, PutResult } from './cluster';
import { followHasher } from './followhash';

export type TransferClient = ClusterClient;

export interface TransferProgress {
  bytesDone: number;
  bytesTotal: number;
  filesDone: number;
  filesTotal: number;
  /** Bytes per second since the transfer started. */
  rate: number;
  /** The file or key being worked on most recently. */
  current?: string;
}

export interface TransferOptions {
  /** Part size for multipart uploads and ranged downloads (default 16 MiB; S3 needs ≥ 5 MiB). */
  partSize?: number;
  /** Files at least this large go in parts (default: partSize). */
  multipartThreshold?: number;
  /** Parts or ranges of one file in flight (default 4). */
  partConcurrency?: number;
  /** Files in flight when moving many (default 8). */
  fileConcurrency?: number;
  /** Attempts per part, range or small file (default 3). */
  attempts?: number;
  signal?: AbortSignal;
  onProgress?: (p: TransferProgress) => void;
  /** A line for the log per finished file. */
  onLog?: (line: string) => void;
  /** PutOptions for every upload (content type is guessed from the name when absent). */
  putOptions?: PutOptions;
  /**
   * Keeps multipart uploads resumable: each is recorded (upload id, part size, parts done, source size and
   * mtime) and, when it fails or is cancelled, left on the cluster instead of aborted. An upload of the same
   * file to the same key picks it up again: ListParts, then only the missing parts are sent.
   */
  journal?: UploadJournal;
}

/** One multipart upload in progress, as the journal keeps it. */
export interface UploadJournalEntry {
  /** The cluster's endpoint (and the caller's name for it): an upload id means nothing elsewhere. */
  endpoint: string;
  clusterName?: string;
  bucket: BucketRef;
  key: string;
  uploadId: string;
  partSize: number;
  file: string;
  fileSize: number;
  fileMtimeMs: number;
  /** Parts known sent, with the MD5 of their bytes (the multipart ETag is checked against these). */
  parts: { partNumber: number; etag: string; md5: string }[];
  putOptions?: PutOptions;
  started: number;
}

/** Where the journal lives (a JSON file in the extension's storage; memory in tests). */
export interface UploadJournal {
  list(): Promise<UploadJournalEntry[]>;
  put(entry: UploadJournalEntry): Promise<void>;
  remove(uploadId: string): Promise<void>;
}

/** The journal as one small JSON file, rewritten atomically (temp + rename), writes in order. */
export class FileUploadJournal implements UploadJournal {
  private queue: Promise<unknown> = Promise.resolve();
  constructor(readonly file: string) {}

  async list(): Promise<UploadJournalEntry[]> {
    await this.queue.catch(() => undefined);
    return this.read();
  }

  private async read(): Promise<UploadJournalEntry[]> {
    try {
      const data = JSON.parse(await fs.promises.readFile(this.file, 'utf8')) as { uploads?: UploadJournalEntry[] };
      return Array.isArray(data.uploads) ? data.uploads : [];
    } catch {
      return []; // none yet, or unreadable: nothing to resume
    }
  }

  private update(change: (all: UploadJournalEntry[]) => UploadJournalEntry[]): Promise<void> {
    const run = this.queue.catch(() => undefined).then(async () => {
      const next = change(await this.read());
      await fs.promises.mkdir(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await fs.promises.writeFile(tmp, JSON.stringify({ version: 1, uploads: next }, null, 1));
      await fs.promises.rename(tmp, this.file);
    });
    this.queue = run;
    return run;
  }

  put(entry: UploadJournalEntry): Promise<void> {
    return this.update((all) => [...all.filter((e) => e.uploadId !== entry.uploadId), entry]);
  }

  remove(uploadId: string): Promise<void> {
    return this.update((all) => all.filter((e) => e.uploadId !== uploadId));
  }
}

/** The source file changed since the upload began: its parts cannot be reused. */
export class StaleUpload extends Error {
  constructor(readonly entry: UploadJournalEntry) {
    super(`${entry.file} changed since its upload to ${entry.bucket.provider}://${entry.bucket.name}/${entry.key} began: the parts sent cannot be reused.`);
    this.name = 'StaleUpload';
  }
}

/** Whether the journal entry still describes the file on disk (size and mtime). */
export async function entryMatchesFile(entry: UploadJournalEntry): Promise<boolean> {
  try {
    const st = await fs.promises.stat(entry.file);
    return st.size === entry.fileSize && Math.abs(st.mtimeMs - entry.fileMtimeMs) < 1;
  } catch {
    return false;
  }
}

/** Resumes one journalled upload: only the parts the cluster lacks are sent. Throws StaleUpload if the file changed. */
export async function resumeUpload(client: TransferClient, entry: UploadJournalEntry, opts: TransferOptions = {}): Promise<PutResult> {
  const meter = new Meter(entry.fileSize, 1, opts.onProgress);
  const result = await uploadOne(client, entry.bucket, { file: entry.file, key: entry.key, size: entry.fileSize }, { ...opts, partSize: entry.partSize, putOptions: entry.putOptions }, meter, entry);
  meter.fileDone();
  return result;
}

export interface UploadItem {
  file: string;
  key: string;
  size: number;
}

export interface DownloadItem {
  key: string;
  file: string;
  size: number;
}

export interface TransferResult {
  files: number;
  bytes: number;
  ms: number;
}

const MiB = 1024 * 1024;

export class TransferCancelled extends Error {
  constructor() {
    super('The transfer was cancelled.');
    this.name = 'TransferCancelled';
  }
}

export class ChecksumMismatch extends Error {
  constructor(
    readonly key: string,
    readonly type: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`Checksum mismatch for ${key}: the cluster says ${type} ${expected}, the downloaded bytes have ${actual}. The file was not saved.`);
    this.name = 'ChecksumMismatch';
  }
}

/** Progress shared by every file of one transfer. */
class Meter {
  bytesDone = 0;
  filesDone = 0;
  private readonly started = Date.now();
  private lastReport = 0;
  current?: string;
  constructor(
    readonly bytesTotal: number,
    readonly filesTotal: number,
    private readonly onProgress?: (p: TransferProgress) => void,
  ) {}
  add(bytes: number) {
    this.bytesDone += bytes;
    this.report(false);
  }
  fileDone() {
    this.filesDone++;
    this.report(true);
  }
  report(force: boolean) {
    const now = Date.now();
    if (!this.onProgress || (!force && now - this.lastReport < 100)) return;
    this.lastReport = now;
    const secs = Math.max(0.001, (now - this.started) / 1000);
    this.onProgress({ bytesDone: this.bytesDone, bytesTotal: this.bytesTotal, filesDone: this.filesDone, filesTotal: this.filesTotal, rate: this.bytesDone / secs, current: this.current });
  }
}

function throwIfAborted(signal?: AbortSignal) {
  if (signal?.aborted) throw new TransferCancelled();
}

/** Runs `work` over items with at most `limit` in flight; the first failure stops new work and is thrown. */
async function forEachLimited<T>(items: readonly T[], limit: number, signal: AbortSignal | undefined, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      if (signal?.aborted) {
        failure ??= new TransferCancelled();
        return;
      }
      const i = next++;
      try {
        await work(items[i], i);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== undefined) throw failure;
}

/** Retries transient failures (network, 5xx, timeouts), never cancellation or 4xx answers. */
async function withRetry<T>(attempts: number, signal: AbortSignal | undefined, run: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(signal);
    try {
      return await run(attempt);
    } catch (e) {
      if (signal?.aborted) throw new TransferCancelled();
      const retriable = !(e instanceof ChecksumMismatch) && (!(e instanceof ClientError) || ['unreachable', 'timeout', 'server'].includes(e.kind));
      if (!retriable || attempt >= attempts) throw e;
      await new Promise((r) => setTimeout(r, Math.min(2000, 200 * 2 ** (attempt - 1))));
    }
  }
}

/** A pass-through that counts bytes into the meter, feeds hashers, and dies when the signal fires. */
function tap(meter: Meter, hashers: Hasher[], signal: AbortSignal | undefined, counted: { n: number }): Transform {
  const t = new Transform({
    transform(chunk: Buffer, _e, cb) {
      counted.n += chunk.length;
      meter.add(chunk.length);
      for (const h of hashers) h.update(chunk);
      cb(null, chunk);
    },
  });
  // The consumer (an HTTP request) may not listen yet when a cancel destroys the stream: never crash.
  t.on('error', () => undefined);
  if (signal) {
    const onAbort = () => t.destroy(new TransferCancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    t.once('close', () => signal.removeEventListener('abort', onAbort));
  }
  return t;
}

const CONTENT_TYPES: Record<string, string> = {
  '.txt': 'text/plain', '.md': 'text/markdown', '.json': 'application/json', '.csv': 'text/csv', '.html': 'text/html',
  '.js': 'text/javascript', '.ts': 'text/plain', '.xml': 'application/xml', '.yaml': 'application/yaml', '.yml': 'application/yaml',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.svg': 'image/svg+xml', '.webp': 'image/webp',
  '.pdf': 'application/pdf', '.zip': 'application/zip', '.gz': 'application/gzip', '.tar': 'application/x-tar',
  '.mp4': 'video/mp4', '.mp3': 'audio/mpeg', '.wav': 'audio/wav', '.parquet': 'application/vnd.apache.parquet',
};

export function guessContentType(name: string): string | undefined {
  return CONTENT_TYPES[path.extname(name).toLowerCase()];
}

// ------------------------------------------------------------------------------------------- upload

/** Lists a local folder recursively as upload items; keys keep the relative paths, with '/' separators. */
export async function collectFolder(dir: string, prefix: string): Promise<UploadItem[]> {
  const items: UploadItem[] = [];
  const walk = async (rel: string) => {
    for (const entry of await fs.promises.readdir(path.join(dir, rel), { withFileTypes: true })) {
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      const full = path.join(dir, relPath);
      if (entry.isDirectory()) await walk(relPath);
      else if (entry.isFile()) items.push({ file: full, key: prefix + relPath, size: (await fs.promises.stat(full)).size });
      // sockets, devices and dangling links are not objects
    }
  };
  await walk('');
  return items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export async function uploadFiles(client: TransferClient, bucket: BucketRef, items: readonly UploadItem[], opts: TransferOptions = {}): Promise<TransferResult> {
  const started = Date.now();
  const meter = new Meter(items.reduce((n, i) => n + i.size, 0), items.length, opts.onProgress);
  meter.report(true);
  await forEachLimited(items, opts.fileConcurrency ?? 8, opts.signal, async (item) => {
    meter.current = item.key;
    await uploadOne(client, bucket, item, opts, meter);
    meter.fileDone();
  });
  return { files: items.length, bytes: meter.bytesDone, ms: Date.now() - started };
}

export async function uploadFile(client: TransferClient, bucket: BucketRef, file: string, key: string, opts: TransferOptions = {}): Promise<PutResult> {
  const size = (await fs.promises.stat(file)).size;
  const meter = new Meter(size, 1, opts.onProgress);
  const result = await uploadOne(client, bucket, { file, key, size }, opts, meter);
  meter.fileDone();
  return result;
}

async function uploadOne(client: TransferClient, bucket: BucketRef, item: UploadItem, opts: TransferOptions, meter: Meter, resume?: UploadJournalEntry): Promise<PutResult> {
  if (!resume && opts.journal) resume = await findResumable(client, bucket, item, opts.journal);
  const partSize = resume ? resume.partSize : Math.max(5 * MiB, opts.partSize ?? 16 * MiB);
  const threshold = opts.multipartThreshold ?? partSize;
  const putOptions: PutOptions = { ...opts.putOptions, contentType: opts.putOptions?.contentType ?? guessContentType(item.key) };
  const multipart = !!resume || (item.size >= threshold && item.size > partSize && client.capabilities.multipart);
  const result = multipart
    ? await uploadMultipart(client, bucket, item, partSize, putOptions, opts, meter, resume)
    : await withRetry(opts.attempts ?? 3, opts.signal, async () => {
        const counted = { n: 0 };
        const md5 = createHasher('md5');
        try {
          const res = await client.putObject(bucket, item.key, { open: () => fs.createReadStream(item.file).pipe(tap(meter, [md5], opts.signal, counted)), size: item.size }, putOptions);
          verifyUploadEtag(item.key, res.etag, md5.digest());
          return res;
        } catch (e) {
          meter.add(-counted.n); // the retry sends these bytes again
          throw e;
        }
      });
  opts.onLog?.(`uploaded ${item.file} → ${bucket.provider}://${bucket.name}/${item.key} (${item.size} bytes${multipart ? ', multipart' : ''})`);
  return result;
}

/**
 * A journalled upload of this very file to this key on this cluster, if any. One whose source changed is
 * not reused (a fresh upload starts); it stays journalled, and resumeUpload reports it as StaleUpload.
 */
async function findResumable(client: TransferClient, bucket: BucketRef, item: UploadItem, journal: UploadJournal): Promise<UploadJournalEntry | undefined> {
  const file = path.resolve(item.file);
  const entry = (await journal.list()).find(
    (e) => e.endpoint === client.endpoint && e.bucket.name === bucket.name && e.bucket.provider === bucket.provider && e.key === item.key && e.file === file,
  );
  if (!entry || !(await entryMatchesFile(entry))) return undefined;
  return entry;
}

/** An ETag that is an MD5 must be the MD5 of what we sent; any other ETag says nothing about the bytes. */
function verifyUploadEtag(key: string, etag: string | undefined, md5: string) {
  const e = etag?.replace(/"/g, '').toLowerCase();
  if (e && /^[0-9a-f]{32}$/.test(e) && e !== md5) throw new ChecksumMismatch(key, 'md5 (ETag)', e, md5);
}

async function uploadMultipart(
  client: ClusterClient,
  bucket: BucketRef,
  item: UploadItem,
  partSize: number,
  putOptions: PutOptions,
  opts: TransferOptions,
  meter: Meter,
  resume?: UploadJournalEntry,
): Promise<PutResult> {
  throwIfAborted(opts.signal);
  const journal = opts.journal;
  const etags: { partNumber: number; etag: string; md5: string }[] = [];
  let entry: UploadJournalEntry | undefined;
  let uploadId: string;
  let listed: Awaited<ReturnType<ClusterClient['listParts']>> | undefined;
  if (resume) {
    if (!(await entryMatchesFile(resume))) throw new StaleUpload(resume);
    try {
      listed = await client.listParts(bucket, item.key, resume.uploadId);
    } catch (e) {
      if (!(e instanceof ClientError && e.kind === 'not-found')) throw e;
      // Aborted or completed elsewhere: start over.
      await journal?.remove(resume.uploadId);
      opts.onLog?.(`the upload ${resume.uploadId} of ${item.key} is gone from the cluster; starting over`);
      resume = undefined;
    }
  }
  if (resume && listed) {
    uploadId = resume.uploadId;
    // What the cluster holds and we know the bytes of: parts of the right size with the ETag we recorded.
    const held = new Map(listed.map((p) => [p.partNumber, p]));
    for (const p of resume.parts) {
      const h = held.get(p.partNumber);
      const size = Math.min(item.size, p.partNumber * partSize) - (p.partNumber - 1) * partSize;
      if (h && h.etag.replace(/"/g, '').toLowerCase() === p.etag.replace(/"/g, '').toLowerCase() && h.size === size) etags.push(p);
    }
    meter.add(etags.reduce((n, p) => n + Math.min(item.size, p.partNumber * partSize) - (p.partNumber - 1) * partSize, 0));
    entry = { ...resume, parts: [...etags] };
    opts.onLog?.(`resuming ${bucket.provider}://${bucket.name}/${item.key}: ${etags.length} parts on the cluster already`);
  } else {
    uploadId = await client.createMultipartUpload(bucket, item.key, putOptions);
    if (journal) {
      const st = await fs.promises.stat(item.file);
      entry = {
        endpoint: client.endpoint,
        bucket,
        key: item.key,
        uploadId,
        partSize,
        file: path.resolve(item.file),
        fileSize: item.size,
        fileMtimeMs: st.mtimeMs,
        parts: [],
        putOptions,
        started: Date.now(),
      };
    }
  }
  if (entry && journal) await journal.put(entry);
  const count = Math.ceil(item.size / partSize);
  const have = new Set(etags.map((p) => p.partNumber));
  const parts = Array.from({ length: count }, (_, i) => ({ partNumber: i + 1, start: i * partSize, end: Math.min(item.size, (i + 1) * partSize) - 1 })).filter(
    (p) => !have.has(p.partNumber),
  );
  try {
    await forEachLimited(parts, opts.partConcurrency ?? 4, opts.signal, async (part) => {
      const result = await withRetry(opts.attempts ?? 3, opts.signal, async () => {
        const counted = { n: 0 };
        const md5 = createHasher('md5');
        try {
          const etag = await client.uploadPart(bucket, item.key, uploadId, part.partNumber, {
            open: () => fs.createReadStream(item.file, { start: part.start, end: part.end, highWaterMark: MiB }).pipe(tap(meter, [md5], opts.signal, counted)),
            size: part.end - part.start + 1,
          });
          const digest = md5.digest();
          verifyUploadEtag(`${item.key} part ${part.partNumber}`, etag, digest);
          return { etag, md5: digest };
        } catch (e) {
          meter.add(-counted.n);
          throw e;
        }
      });
      etags.push({ partNumber: part.partNumber, ...result });
      if (entry && journal) {
        entry.parts.push({ partNumber: part.partNumber, ...result });
        await journal.put(entry);
      }
    });
    throwIfAborted(opts.signal);
    etags.sort((a, b) => a.partNumber - b.partNumber);
    const res = await client.completeMultipartUpload(bucket, item.key, uploadId, etags.map(({ partNumber, etag }) => ({ partNumber, etag })));
    // The multipart ETag is MD5(part MD5s)-N: check it against what we hashed.
    const all = createHasher('md5');
    for (const p of etags) all.update(Buffer.from(p.md5, 'hex'));
    const expected = `${all.digest()}-${etags.length}`;
    const got = res.etag?.replace(/"/g, '').toLowerCase();
    if (entry && journal) await journal.remove(uploadId);
    if (got && /^[0-9a-f]{32}-\d+$/.test(got) && got !== expected) throw new ChecksumMismatch(item.key, 'multipart ETag', got, expected);
    return res;
  } catch (e) {
    // Journalled, a failed or cancelled upload stays for a resume (the caller may still abort it);
    // otherwise leave nothing behind on the cluster: an unfinished upload holds space until aborted.
    const keep = entry && journal && !(e instanceof ChecksumMismatch) && (e instanceof TransferCancelled || opts.signal?.aborted || !(e instanceof ClientError) || ['unreachable', 'timeout', 'server', 'aborted'].includes(e.kind));
    if (!keep) {
      await client.abortMultipartUpload(bucket, item.key, uploadId).catch(() => undefined);
      if (entry && journal) await journal.remove(uploadId).catch(() => undefined);
    }
    throw e;
  }
}

// ------------------------------------------------------------------------------------------- download

/** What the cluster says the bytes must hash to: the AIStore checksum, else an MD5 ETag, else nothing. */
export function expectedChecksum(head: ObjectHead): { type: ChecksumType; value: string } | undefined {
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

export async function downloadFiles(client: TransferClient, bucket: BucketRef, items: readonly DownloadItem[], opts: TransferOptions = {}): Promise<TransferResult> {
  const started = Date.now();
  const meter = new Meter(items.reduce((n, i) => n + i.size, 0), items.length, opts.onProgress);
  meter.report(true);
  await forEachLimited(items, opts.fileConcurrency ?? 8, opts.signal, async (item) => {
    meter.current = item.key;
    await downloadOne(client, bucket, item.key, item.file, opts, meter);
    meter.fileDone();
  });
  return { files: items.length, bytes: meter.bytesDone, ms: Date.now() - started };
}

export async function downloadFile(client: TransferClient, bucket: BucketRef, key: string, file: string, opts: TransferOptions = {}): Promise<ObjectHead> {
  const head = await client.headObject(bucket, key);
  const meter = new Meter(head.size, 1, opts.onProgress);
  const result = await downloadOne(client, bucket, key, file, opts, meter, head);
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

async function downloadOne(client: TransferClient, bucket: BucketRef, key: string, file: string, opts: TransferOptions, meter: Meter, knownHead?: ObjectHead): Promise<ObjectHead> {
  await initChecksums();
  const head = knownHead ?? (await client.headObject(bucket, key));
  const expected = expectedChecksum(head);
  const partSize = Math.max(MiB, opts.partSize ?? 16 * MiB);
  // The temp file exists before the first byte is asked for: a folder we cannot write to fails here, at once.
  const tmp = await createTempFor(file);
  try {
    let actual: string | undefined;
    if (head.size > (opts.multipartThreshold ?? partSize) && head.size > partSize) {
      actual = await rangedDownload(client, bucket, key, tmp, file, head.size, partSize, expected?.type, opts, meter);
    } else {
      actual = await withRetry(opts.attempts ?? 3, opts.signal, async () => {
        const counted = { n: 0 };
        const hasher = expected ? createHasher(expected.type) : undefined;
        try {
          const { body } = await client.getObject(bucket, key);
          await pipeline(body, tap(meter, hasher ? [hasher] : [], opts.signal, counted), fs.createWriteStream(tmp, { highWaterMark: MiB }));
          if (counted.n !== head.size) throw new ClientError('server', `${key}: got ${counted.n} bytes, expected ${head.size}.`, client.endpoint);
          return hasher?.digest();
        } catch (e) {
          meter.add(-counted.n);
          throw localFileError(e, file);
        }
      });
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
  }
}

/**
 * Ranges in parallel into the temp file; the file is hashed in order behind them (followhash.ts), so
 * verification needs no second pass. Returns the digest when `hashType` is given.
 */
async function rangedDownload(
  client: TransferClient,
  bucket: BucketRef,
  key: string,
  tmp: string,
  file: string,
  size: number,
  partSize: number,
  hashType: ChecksumType | undefined,
  opts: TransferOptions,
  meter: Meter,
): Promise<string | undefined> {
  try {
    await fs.promises.truncate(tmp, size);
  } catch (e) {
    throw localFileError(e, file);
  }
  const ranges = Array.from({ length: Math.ceil(size / partSize) }, (_, i) => ({ start: i * partSize, end: Math.min(size, (i + 1) * partSize) - 1, done: false }));
  const hasher = hashType ? followHasher(tmp, hashType) : undefined;
  let contiguous = 0; // ranges[0..contiguous) are written
  try {
    await forEachLimited(ranges, opts.partConcurrency ?? 4, opts.signal, async (r) => {
      await withRetry(opts.attempts ?? 3, opts.signal, async () => {
        const counted = { n: 0 };
        try {
          const onBytes = (n: number) => {
            counted.n += n;
            meter.add(n);
          };
          // Off this thread where the client can (rangefetch.ts: the extension host's event loop and heap stay calm).
          const offThread = (await client.getRangeToFile?.(bucket, key, r, tmp, onBytes, opts.signal)) ?? false;
          if (!offThread) {
            const { body } = await client.getObject(bucket, key, r);
            await pipeline(body, tap(meter, [], opts.signal, counted), fs.createWriteStream(tmp, { flags: 'r+', start: r.start, highWaterMark: MiB }));
          }
          if (counted.n !== r.end - r.start + 1) throw new ClientError('server', `${key}: range ${r.start}-${r.end} returned ${counted.n} bytes.`, client.endpoint);
        } catch (e) {
          meter.add(-counted.n);
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

/** Creates the download's temp file next to `file` (its folder made if missing); refuses what cannot be written. */
async function createTempFor(file: string): Promise<string> {
  const tmp = `${file}.aisb-${process.pid}-${Math.random().toString(36).slice(2, 8)}.part`;
  try {
    const st = await fs.promises.stat(file).catch(() => undefined);
    if (st?.isDirectory()) throw Object.assign(new Error(`${file} is a folder`), { code: 'EISDIR' });
    await makeFolder(path.dirname(file));
    await (await fs.promises.open(tmp, 'wx')).close();
  } catch (e) {
    throw localFileError(e, file);
  }
  return tmp;
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
