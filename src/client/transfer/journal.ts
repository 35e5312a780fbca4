// The journal of multipart uploads in progress, so an interrupted upload resumes instead of starting over.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BucketRef, PutOptions } from '../cluster';

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

