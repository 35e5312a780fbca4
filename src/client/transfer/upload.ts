// Uploads of files and folders: large files go up in parts (several in flight, resumable through the
// journal), small files in parallel up to a bound. Every ETag that is an MD5 is checked against the bytes sent.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { checksumOf, createHasher } from '../../common/checksum';
import { BucketRef, ClientError, ClusterClient, PutOptions, PutResult } from '../cluster';
import { guessContentType, knownContentType } from './contenttype';
import { entryMatchesFile, StaleUpload, UploadJournal, UploadJournalEntry } from './journal';
import { ChecksumMismatch, DEFAULT_ATTEMPTS, DEFAULT_PART_CONCURRENCY, DEFAULT_PART_SIZE, forEachLimited, MiB, SMALL_FILE_BYTES, throwIfAborted, TransferCancelled, withRetry } from './limits';
import type { TransferOptions, TransferResult } from './options';
import { Meter, tap, transferEach } from './progress';

export interface UploadItem {
  file: string;
  key: string;
  size: number;
}

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

export async function uploadFiles(client: ClusterClient, bucket: BucketRef, items: readonly UploadItem[], opts: TransferOptions = {}): Promise<TransferResult> {
  return transferEach(items, opts, (item, meter) => uploadOne(client, bucket, item, opts, meter));
}

export async function uploadFile(client: ClusterClient, bucket: BucketRef, file: string, key: string, opts: TransferOptions = {}): Promise<PutResult> {
  const size = (await fs.promises.stat(file)).size;
  const meter = new Meter(size, 1, opts.onProgress);
  const result = await uploadOne(client, bucket, { file, key, size }, opts, meter);
  meter.fileDone();
  return result;
}

async function uploadOne(client: ClusterClient, bucket: BucketRef, item: UploadItem, opts: TransferOptions, meter: Meter, resume?: UploadJournalEntry): Promise<PutResult> {
  if (!resume && opts.journal) resume = await findResumable(client, bucket, item, opts.journal);
  const partSize = resume ? resume.partSize : Math.max(5 * MiB, opts.partSize ?? DEFAULT_PART_SIZE);
  const threshold = opts.multipartThreshold ?? partSize;
  const putOptions: PutOptions = { ...opts.putOptions, contentType: opts.putOptions?.contentType ?? knownContentType(item.key) ?? guessContentType(item.file) };
  const multipart = !!resume || (item.size >= threshold && item.size > partSize && client.capabilities.multipart);
  const result = multipart
    ? await uploadMultipart(client, bucket, item, partSize, putOptions, opts, meter, resume)
    : await withRetry(opts.attempts ?? DEFAULT_ATTEMPTS, opts.signal, async () => {
        if (item.size <= SMALL_FILE_BYTES) {
          const bytes = await readSmall(item.file, item.size).catch((e: NodeJS.ErrnoException) => {
            // As a streamed body's read failure reads (networkError): the file, not the cluster, and no retry.
            throw new ClientError('bad-request', `Cannot upload ${item.file}: ${e.message}`, client.endpoint, undefined, e.code, { cause: e });
          });
          if (bytes) {
            const res = await client.putObject(bucket, item.key, { bytes }, { ...putOptions, signal: opts.signal });
            verifyUploadEtag(item.key, res.etag, checksumOf('md5', bytes));
            meter.add(bytes.length);
            return res;
          }
        }
        const body = countedBody(meter, opts.signal, () => fs.createReadStream(item.file));
        try {
          const res = await client.putObject(bucket, item.key, { open: body.open, size: item.size }, putOptions);
          verifyUploadEtag(item.key, res.etag, body.md5());
          return res;
        } catch (e) {
          body.uncount(); // the retry sends these bytes again
          throw e;
        }
      });
  opts.onLog?.(`uploaded ${item.file} → ${bucket.provider}://${bucket.name}/${item.key} (${item.size} bytes${multipart ? ', multipart' : ''})`);
  return result;
}

/**
 * The whole of a small file with one open, one read and one close; undefined when it has grown past
 * SMALL_FILE_BYTES since it was listed (it is then streamed). A file that shrank is sent as it is now.
 */
async function readSmall(file: string, listedSize: number): Promise<Buffer | undefined> {
  const fd = await new Promise<number>((resolve, reject) => fs.open(file, 'r', (e, n) => (e ? reject(e) : resolve(n))));
  try {
    // One byte more than allowed: a file that grew shows it without a second read.
    const buf = Buffer.allocUnsafe(Math.max(listedSize, 0) + 1);
    let n = 0;
    for (;;) {
      const got = await new Promise<number>((resolve, reject) => fs.read(fd, buf, n, buf.length - n, n, (e, r) => (e ? reject(e) : resolve(r))));
      n += got;
      if (got === 0 || n === buf.length) break;
    }
    if (n > listedSize) return n > SMALL_FILE_BYTES ? undefined : readSmall(file, SMALL_FILE_BYTES);
    return buf.subarray(0, n);
  } finally {
    await new Promise<void>((resolve) => fs.close(fd, () => resolve()));
  }
}

/**
 * A journalled upload of this very file to this key on this cluster, if any. One whose source changed is
 * not reused (a fresh upload starts); it stays journalled, and resumeUpload reports it as StaleUpload.
 */
async function findResumable(client: ClusterClient, bucket: BucketRef, item: UploadItem, journal: UploadJournal): Promise<UploadJournalEntry | undefined> {
  const file = path.resolve(item.file);
  const entry = (await journal.list()).find(
    (e) => e.endpoint === client.endpoint && e.bucket.name === bucket.name && e.bucket.provider === bucket.provider && e.key === item.key && e.file === file,
  );
  if (!entry || !(await entryMatchesFile(entry))) return undefined;
  return entry;
}

/**
 * A request body read from `read()` that counts into the meter and hashes what it sends. The HTTP layer
 * opens it again after a redirect (an AIStore proxy's 307 comes while the first bytes are on their way):
 * each open takes back what the one before counted and hashes from the start, so progress, the size
 * reported and the MD5 checked against the ETag are those of the bytes the server kept.
 */
function countedBody(meter: Meter, signal: AbortSignal | undefined, read: () => Readable) {
  let counted = { n: 0 };
  let md5 = createHasher('md5');
  const uncount = () => {
    meter.add(-counted.n);
    counted.n = 0;
  };
  return {
    open: (): Readable => {
      uncount();
      counted = { n: 0 };
      md5 = createHasher('md5');
      return read().pipe(tap(meter, [md5], signal, counted));
    },
    md5: () => md5.digest(),
    uncount,
  };
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
    await forEachLimited(parts, opts.partConcurrency ?? DEFAULT_PART_CONCURRENCY, opts.signal, async (part) => {
      const result = await withRetry(opts.attempts ?? DEFAULT_ATTEMPTS, opts.signal, async () => {
        const body = countedBody(meter, opts.signal, () => fs.createReadStream(item.file, { start: part.start, end: part.end, highWaterMark: MiB }));
        try {
          const etag = await client.uploadPart(bucket, item.key, uploadId, part.partNumber, { open: body.open, size: part.end - part.start + 1 });
          const digest = body.md5();
          verifyUploadEtag(`${item.key} part ${part.partNumber}`, etag, digest);
          return { etag, md5: digest };
        } catch (e) {
          body.uncount();
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
    const keep = entry && journal && !(e instanceof ChecksumMismatch) && (e instanceof TransferCancelled || opts.signal?.aborted || !(e instanceof ClientError) || ['unreachable', 'timeout', 'server', 'aborted', 'auth'].includes(e.kind));
    if (!keep) {
      await client.abortMultipartUpload(bucket, item.key, uploadId).catch(() => undefined);
      if (entry && journal) await journal.remove(uploadId).catch(() => undefined);
    }
    throw e;
  }
}

/** Resumes one journalled upload: only the parts the cluster lacks are sent. Throws StaleUpload if the file changed. */
export async function resumeUpload(client: ClusterClient, entry: UploadJournalEntry, opts: TransferOptions = {}): Promise<PutResult> {
  const meter = new Meter(entry.fileSize, 1, opts.onProgress);
  const result = await uploadOne(client, entry.bucket, { file: entry.file, key: entry.key, size: entry.fileSize }, { ...opts, partSize: entry.partSize, putOptions: entry.putOptions }, meter, entry);
  meter.fileDone();
  return result;
}
