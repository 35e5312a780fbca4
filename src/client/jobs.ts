// Server-side jobs ("xactions" in AIStore): what a cluster runs on its own once asked (copy a bucket,
// delete by template, summarize), each with an id to watch and stop. AIStore has them (ais/jobs.ts);
// a plain S3 endpoint has none, and ClusterClient.jobs is then undefined.
import type { BucketRef } from './cluster';

/** Job kinds as AIStore names them (api/apc/actmsg.go); any other kind a cluster reports is shown as is. */
export const JOB_KIND = {
  copyBucket: 'copy-bck',
  copyObjects: 'copy-listrange',
  deleteObjects: 'delete-listrange',
  evictObjects: 'evict-listrange',
  prefetchObjects: 'prefetch-listrange',
  summary: 'summary-bck',
  archive: 'archive',
} as const;

/** One job as a cluster reports it, summed over its targets. */
export interface JobInfo {
  id: string;
  kind: string;
  /** The bucket it works on (a copy's source). */
  bucket?: BucketRef;
  /** A copy's destination. */
  destination?: BucketRef;
  started?: Date;
  /** Set once it ended (also when stopped or failed). */
  ended?: Date;
  /** Objects and bytes done so far. */
  objects: number;
  bytes: number;
  error?: string;
  aborted: boolean;
}

export function isRunning(job: JobInfo): boolean {
  return !job.ended && !job.aborted;
}

export interface CopyBucketOptions {
  /** Copy only names starting with this. */
  prefix?: string;
  /** Put this before every copied name. */
  prepend?: string;
  /** Count what would be copied, write nothing. */
  dryRun?: boolean;
}

/** Which objects a multi-object job takes: names as given, or an AIStore template (cmn/cos/template.go). */
export type ObjectSelection = { names: string[] } | { template: string };

/** A bucket's (or a prefix's) object count and size; `remote*` for a cloud bucket's objects not all here. */
export interface BucketSummary {
  objects: number;
  bytes: number;
  /** What a remote bucket holds in all (AIStore: listed from the cloud), when asked for. */
  remoteObjects?: number;
  remoteBytes?: number;
}

export interface SummaryOptions {
  prefix?: string;
  /** Count a remote bucket's objects that are not cached too (slower: the cloud is listed). */
  remote?: boolean;
  signal?: AbortSignal;
  /** Tells the job's id once the cluster started it. */
  onJob?: (id: string) => void;
}

export interface ClusterJobs {
  /** Starts copying `source` into `destination` (created when missing); returns the job id. */
  copyBucket(source: BucketRef, destination: BucketRef, options?: CopyBucketOptions): Promise<string>;
  /** Starts copying the selected objects into `destination`; returns the job id. */
  copyObjects(source: BucketRef, destination: BucketRef, selection: ObjectSelection, options?: { prepend?: string }): Promise<string>;
  /** Starts deleting the selected objects; returns the job id. */
  deleteObjects(bucket: BucketRef, selection: ObjectSelection): Promise<string>;
  /** Starts fetching a remote bucket's selected objects into the cluster; `latest`: also those cached but changed remotely. */
  prefetch(bucket: BucketRef, selection: ObjectSelection, options?: { latest?: boolean }): Promise<string>;
  /** Starts dropping the cluster's copies of a remote bucket's selected objects (the remote keeps them). */
  evict(bucket: BucketRef, selection: ObjectSelection): Promise<string>;
  /**
   * Starts packing the selected objects into the shard `archName` (its format by its extension: .tar, .tgz,
   * .tar.gz, .zip, .tar.lz4) in `destination` (default: the source bucket); `append` adds to an existing .tar.
   */
  archive(bucket: BucketRef, archName: string, selection: ObjectSelection, options?: { destination?: BucketRef; append?: boolean }): Promise<string>;
  /** Every job the cluster knows of, running and recently ended. */
  list(): Promise<JobInfo[]>;
  /** One job; undefined when the cluster does not know it (any more). */
  get(id: string): Promise<JobInfo | undefined>;
  /** Stops a running job; a job that ended (or is unknown) is left as it is, without an error. */
  stop(id: string, kind?: string): Promise<void>;
  /** Runs a summary job to its end; the signal stops it. */
  summary(bucket: BucketRef, options?: SummaryOptions): Promise<BucketSummary>;
}
