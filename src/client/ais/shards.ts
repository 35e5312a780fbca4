// Shards on AIStore, read by the cluster where they lie: a listing with LsArchDir names each member as
// SHARD/MEMBER (flag EntryInArch), and a GET with archpath returns one member's bytes (api/apc/lsmsg.go,
// api/apc/query.go QparamArchpath). Nothing of the shard travels but what is asked for.
import { PassThrough } from 'node:stream';
import { ClientError, type BucketRef, type ObjectDownload, networkError } from '../cluster';
import type { ShardAccess, ShardListOptions, ShardPage } from '../shards';
import { ACT, ENTRY, LS, QPARAM_ARCH, type LsoResult } from '../../common/aisapi';
import { headOf } from './headers';
import { joinToken, splitToken } from './listing';
import { AisRequests, bucketQuery, objectPath, targetOf } from './requests';

export class AisShards implements ShardAccess {
  readonly how = 'server' as const;

  constructor(
    private readonly requests: AisRequests,
    private readonly proxy?: { host: string; port: number },
  ) {}

  needsFullRead(): boolean {
    return false; // the cluster reads it, next to the disk
  }

  async list(bucket: BucketRef, key: string, options: ShardListOptions = {}): Promise<ShardPage> {
    const { uuid, token } = splitToken(options.token);
    // The prefix is the shard's own name: its members ("s.tar/…") follow its entry; names that merely start
    // with it ("s.tar.bak") may be listed too, and end the members.
    const msg = { uuid, props: 'name,size', prefix: key, continuation_token: token, flags: String(LS.archDir), pagesize: options.pageSize ?? 0 };
    const res = await this.requests.json<LsoResult>({
      method: 'GET',
      path: `/v1/buckets/${encodeURIComponent(bucket.name)}`,
      query: bucketQuery(bucket),
      json: { action: ACT.list, value: msg },
      target: targetOf(bucket, key),
    });
    if (!res || typeof res !== 'object' || (res.entries != null && !Array.isArray(res.entries))) {
      throw this.requests.notAis(`the members of ${targetOf(bucket, key)}`, `JSON that is not an object list ("${JSON.stringify(res).slice(0, 60)}")`);
    }
    const inside = `${key}/`;
    const page: ShardPage = { members: [] };
    let shardSeen = !!token;
    let past = false;
    for (const e of res.entries ?? []) {
      if (!e || typeof e.name !== 'string') continue;
      if (e.name === key) {
        shardSeen = true;
        continue;
      }
      if ((e.flags ?? 0) & ENTRY.inArch && e.name.startsWith(inside)) {
        page.members.push({ name: e.name.slice(inside.length), size: Number(e.size ?? 0) });
        continue;
      }
      // A name past "SHARD/" ends the members. One before it ("s.tar.bak") may come before them (a
      // cluster of many targets merges its pages by name) or after them (one target lists a shard's
      // members right after it): either way skipped.
      if (e.name > inside) {
        past = true;
        break;
      }
    }
    if (!shardSeen && page.members.length === 0 && !res.continuation_token) {
      throw new ClientError('not-found', `No shard ${targetOf(bucket, key).replace(/^object /, '')} on ${this.requests.endpoint}.`, this.requests.endpoint, 404);
    }
    if (!past && res.continuation_token) page.nextToken = joinToken(res.uuid, res.continuation_token);
    return page;
  }

  async open(bucket: BucketRef, key: string, member: string): Promise<ObjectDownload> {
    const target = `${targetOf(bucket, key)}, member ${member}`;
    let res;
    try {
      res = await this.requests.send({ method: 'GET', path: objectPath(bucket, key), query: bucketQuery(bucket, { [QPARAM_ARCH.path]: member }), target });
    } catch (e) {
      if (e instanceof ClientError && e.kind === 'not-found') {
        throw new ClientError('not-found', `${targetOf(bucket, key).replace(/^object /, '')} has no member "${member}" (or the shard is gone).`, e.endpoint, 404, e.code, { cause: e });
      }
      throw e;
    }
    const length = res.headers['content-length'];
    const head = headOf(res.headers);
    if (length !== undefined) head.size = Number(length);
    const body = res.pipe(new PassThrough());
    res.on('error', (err) => body.destroy(networkError(err, this.requests.endpoint, this.proxy)));
    body.on('close', () => !res.complete && res.destroy());
    return { body, head, ...(length !== undefined ? { contentLength: Number(length) } : {}) };
  }
}
