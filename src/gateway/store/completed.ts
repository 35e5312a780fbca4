// Completed multipart uploads, remembered so that a retried CompleteMultipartUpload (the client lost the
// first answer) is answered as the first one was, instead of NoSuchUpload. One small file per upload in the
// bucket's completed/ directory, so a restart (or a crash between the object's rename and the answer) keeps
// them; bounded by age and count so the directory does not grow without end.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BucketState } from './buckets';
import { DataDir } from './datadir';

/** How long a completed upload answers a retry, and how many are kept per bucket. */
export const COMPLETED_TTL_MS = 24 * 60 * 60 * 1000;
export const COMPLETED_MAX = 1000;

export interface CompletedUpload {
  key: string;
  /** The object's ETag (no quotes) that the upload made. */
  etag: string;
  /** The object's version when known: an overwrite with the same parts is another object. */
  version?: string;
  /** The part list complete was given (numbers and lower-case ETags without quotes). */
  parts: { partNumber: number; etag: string }[];
  completedAt: number;
}

export const normalizePartEtag = (etag: string) => etag.trim().replace(/^"|"$/g, '').toLowerCase();

export class CompletedUploads {
  private writes = 0;

  constructor(private readonly data: DataDir) {}

  private dir(b: BucketState): string {
    return path.join(b.dir, 'completed');
  }

  async remember(b: BucketState, uploadId: string, record: CompletedUpload): Promise<void> {
    const dir = this.dir(b);
    await fs.promises.mkdir(dir, { recursive: true });
    await this.data.writeJsonAtomic(path.join(dir, uploadId), record);
    // Pruned now and then, not on every complete: it reads the whole directory.
    if (++this.writes % 64 === 0) await this.prune(b);
  }

  async find(b: BucketState, uploadId: string): Promise<CompletedUpload | undefined> {
    const file = path.join(this.dir(b), uploadId);
    let record: CompletedUpload;
    try {
      record = JSON.parse(await fs.promises.readFile(file, 'utf8')) as CompletedUpload;
    } catch {
      return undefined;
    }
    if (Date.now() - record.completedAt > COMPLETED_TTL_MS) {
      await fs.promises.rm(file, { force: true });
      return undefined;
    }
    return record;
  }

  async forget(b: BucketState, uploadId: string): Promise<void> {
    await fs.promises.rm(path.join(this.dir(b), uploadId), { force: true });
  }

  /** Drops records past their time, then the oldest beyond COMPLETED_MAX. */
  async prune(b: BucketState): Promise<void> {
    const dir = this.dir(b);
    let names: string[];
    try {
      names = await fs.promises.readdir(dir);
    } catch {
      return;
    }
    const now = Date.now();
    const kept: { file: string; mtime: number }[] = [];
    for (const name of names) {
      const file = path.join(dir, name);
      const st = await fs.promises.stat(file).catch(() => undefined);
      if (!st) continue;
      if (now - st.mtimeMs > COMPLETED_TTL_MS) await fs.promises.rm(file, { force: true });
      else kept.push({ file, mtime: st.mtimeMs });
    }
    kept.sort((x, y) => y.mtime - x.mtime);
    for (const old of kept.slice(COMPLETED_MAX)) await fs.promises.rm(old.file, { force: true });
  }
}
