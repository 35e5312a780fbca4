// What a caller hands to a transfer and gets back: bounds, cancel, progress and log callbacks, the journal.
import type { PutOptions } from '../cluster';
import type { UploadJournal } from './journal';

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

export interface TransferResult {
  files: number;
  bytes: number;
  ms: number;
}
