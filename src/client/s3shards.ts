// Shards on a plain S3 endpoint, read by this client: ranged GETs of the archive's index (ZIP's central
// directory, TAR's headers) and of one member's bytes. A compressed TAR has no index (needsFullRead).
import { ClientError, type BucketRef, type ByteRange, type ObjectDownload } from './cluster';
import { shardFormatOf, type ShardAccess, type ShardListOptions, type ShardPage } from './shards';

export type RangeGet = (bucket: BucketRef, key: string, range?: ByteRange) => Promise<ObjectDownload>;

export class RangedShards implements ShardAccess {
  readonly how = 'ranges' as const;

  constructor(
    private readonly get: RangeGet,
    private readonly endpoint: string,
  ) {}

  needsFullRead(key: string): boolean {
    const f = shardFormatOf(key);
    return f === '.tgz' || f === '.tar.gz' || f === '.tar.lz4';
  }

  list(_bucket: BucketRef, _key: string, _options?: ShardListOptions): Promise<ShardPage> {
    return Promise.reject(new ClientError('unsupported', `Reading shards is not available on ${this.endpoint} yet.`, this.endpoint));
  }

  open(_bucket: BucketRef, _key: string, _member: string): Promise<ObjectDownload> {
    return Promise.reject(new ClientError('unsupported', `Reading shards is not available on ${this.endpoint} yet.`, this.endpoint));
  }
}
