// What the archive readers read from: a shard's bytes by position, never the whole shard in memory. The
// gateway serves them from the object's data file (gateway/archive/source.ts ShardFile); the S3 client
// from ranged GETs of the object (client/s3shards.ts).
import type { Readable } from 'node:stream';

export interface ShardBytes {
  /** The shard's size in bytes. */
  readonly size: number;
  /** The bytes at `pos` when they are at hand without a read (a read-ahead window holds them), else undefined. */
  peek(pos: number, len: number): Buffer | undefined;
  /** Up to `len` bytes at `pos`: fewer only where the shard ends. */
  read(pos: number, len: number): Promise<Buffer>;
  /** Bytes [start, end) as a stream. */
  range(start: number, end: number): Readable;
}
