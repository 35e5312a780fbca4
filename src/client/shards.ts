// The inside of shards: TAR, TGZ/TAR.GZ, ZIP and TAR.LZ4 objects, the files ML datasets are packed in.
// AIStore reads them itself (list with LsArchDir, GET with archpath: ais/shards.ts); a plain S3 endpoint
// cannot, so the client reads the archive's own index by ranged GETs (ZIP's central directory, TAR's
// headers: s3shards.ts). A compressed TAR has no index: listing it reads the whole shard, and the caller is
// told so first (needsFullRead) rather than surprised by it.
import { ARCH_EXTENSIONS, type ArchExt } from '../common/aisapi';
import type { BucketRef, ObjectDownload } from './cluster';

export type ShardFormat = ArchExt;

/** The shard format of an object by its name, as AIStore decides by the extension; undefined: not a shard. */
export function shardFormatOf(key: string): ShardFormat | undefined {
  const base = key.slice(key.lastIndexOf('/') + 1).toLowerCase();
  // No extension ends another (".tar.gz" does not end with ".tar"): the first that matches is the one.
  return ARCH_EXTENSIONS.find((ext) => base.endsWith(ext) && base.length > ext.length);
}

/** A file inside a shard: its path in the archive (never starting with '/') and its size. */
export interface ShardMember {
  name: string;
  size: number;
}

export interface ShardPage {
  members: ShardMember[];
  /** Pass back as `token` for the next page; absent on the last page. */
  nextToken?: string;
}

export interface ShardListOptions {
  pageSize?: number;
  token?: string;
  /** Read the whole shard where its format has no index (see needsFullRead); without it such a listing is refused. */
  fullRead?: boolean;
  signal?: AbortSignal;
}

export interface ShardAccess {
  /** 'server': the cluster reads its shards (AIStore); 'ranges': this client reads them by ranged GETs (S3). */
  readonly how: 'server' | 'ranges';
  /** Listing `key` means reading all of it (a compressed TAR on S3): ask the user, then list with fullRead. */
  needsFullRead(key: string): boolean;
  /** Members in the shard's order (AIStore: by name), directories left out. Not a shard, or a corrupt one: ClientError 'bad-request'. */
  list(bucket: BucketRef, key: string, options?: ShardListOptions): Promise<ShardPage>;
  /** One member's bytes; `head.size` is the member's size. A member the shard lacks: ClientError 'not-found'. */
  open(bucket: BucketRef, key: string, member: string, options?: { signal?: AbortSignal }): Promise<ObjectDownload>;
}
