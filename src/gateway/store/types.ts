import type { Readable } from 'node:stream';
import type { ChecksumType } from '../checksum';

/** Providers as AIStore names them (api/apc/provider.go). */
export const PROVIDERS = ['ais', 'aws', 'gcp', 'azure', 'oci'] as const;
export type Provider = (typeof PROVIDERS)[number];

export interface BucketRef {
  provider: Provider;
  name: string;
}

/** The checksum section of AIStore bucket props and cluster config (cmn/config.go CksumConf). */
export interface ChecksumConf {
  type: ChecksumType;
  validate_cold_get: boolean;
  validate_warm_get: boolean;
  validate_obj_move: boolean;
  enable_read_range: boolean;
}

export interface BucketProps {
  provider: Provider;
  checksum: ChecksumConf;
  versioning: { enabled: boolean; validate_warm_get: boolean; synchronize: boolean };
  /** Creation time, Unix nanoseconds (AIStore's `created`). */
  created: number;
  bid: number;
  /** Anything else a caller stored (AIStore has many more sections; kept as given). */
  [section: string]: unknown;
}

export interface BucketInfo {
  ref: BucketRef;
  props: BucketProps;
}

export interface ClusterConfig {
  checksum: ChecksumConf;
  uuid: string;
  [section: string]: unknown;
}

/** What the store records for every object, kept in the object file's trailer. */
export interface ObjectMeta {
  key: string;
  size: number;
  /** Last write, ms since epoch. */
  mtime: number;
  /** Last access, ms since epoch. */
  atime: number;
  /**
   * MD5 of the object's bytes, when it was computed: on md5 buckets, when the client sent Content-MD5, for
   * remote buckets. Absent on other buckets, as in AIStore (MD5 of every byte is costly and unused there).
   */
  md5?: string;
  checksum: { type: ChecksumType; value: string };
  /** S3 ETag without quotes: md5 for md5 buckets, MD5-of-part-MD5s-N for multipart. */
  etag: string;
  /** AIStore-style integer version as a string, "1" on first write. */
  version: string;
  contentType?: string;
  /** User metadata (x-amz-meta-*), names lower-case without the prefix, values as UTF-8 strings. */
  userMeta: Record<string, string>;
  /** Part count for objects completed from a multipart upload. */
  parts?: number;
  /** Sizes of those parts in order (S3's GET/HEAD ?partNumber=N serves part N). */
  partSizes?: number[];
  /** Standard HTTP headers stored with the object (cache-control, content-disposition, ...), lower-case names. */
  headers?: Record<string, string>;
}

/** The subset of ObjectMeta kept in memory for listings. */
export interface ObjectSummary {
  key: string;
  size: number;
  mtime: number;
  atime: number;
  etag: string;
  checksum: { type: ChecksumType; value: string };
  version: string;
}

export interface PutOptions {
  contentType?: string;
  userMeta?: Record<string, string>;
  headers?: Record<string, string>;
  /** Hex MD5 the body must have (from Content-MD5); mismatch → BadDigest, nothing stored. */
  expectedMd5?: string;
  /** A checksum the body must have (Ais-Checksum-Type/Value); mismatch → BadDigest, nothing stored. */
  expectedChecksum?: { type: ChecksumType; value: string };
  /** Declared Content-Length; a shorter body → IncompleteBody, nothing stored. */
  expectedSize?: number;
  /** The ETag to record instead of the computed one: a remote's ETag for the cached copy of its object. */
  etag?: string;
}

/** copyObject's metadata for the copy instead of the source's (S3's x-amz-metadata-directive: REPLACE). */
export interface MetadataReplacement {
  contentType?: string;
  userMeta: Record<string, string>;
  headers?: Record<string, string>;
}

/** What an uploaded part must be: as in PutOptions. */
export interface PartOptions {
  expectedMd5?: string;
  expectedSize?: number;
  expectedChecksum?: { type: ChecksumType; value: string };
}

export interface ListOptions {
  prefix?: string;
  delimiter?: string;
  /** Exclusive: list keys (and common prefixes) strictly greater than this. */
  startAfter?: string;
  maxKeys: number;
}

export interface ListPage {
  objects: ObjectSummary[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix of this page: pass as startAfter to get the next page. */
  last?: string;
}

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/** An object opened for reading (getObject): its metadata, the bytes asked for, and a stream of them. */
export interface OpenedObject {
  meta: ObjectMeta;
  /** The range served, resolved against the size; undefined for the whole object. */
  range?: ByteRange;
  stream: Readable;
}

export interface UploadInfo {
  uploadId: string;
  key: string;
  initiated: number;
  contentType?: string;
  userMeta: Record<string, string>;
  headers?: Record<string, string>;
}

export interface PartInfo {
  partNumber: number;
  size: number;
  etag: string;
  mtime: number;
}
