// Shards on a plain S3 endpoint, read by this client with the archive readers the gateway uses
// (common/archive) over ranged GETs of the object (rangedbytes.ts): a .tar by its headers, jumping over
// member data; a .zip by its central directory; one member by a GET of its own bytes. A compressed TAR has
// no index: listing it or opening a member streams the shard through the decompressor (needsFullRead).
// A page's token says where the next one starts (a TAR header's offset, a ZIP directory entry), so paging
// never re-reads what earlier pages read; it carries the ETag, so a shard changed between pages is an error.
import { PassThrough, type Readable } from 'node:stream';
import { ArchiveError, validateArchpath } from '../common/archive/formats';
import { walkShard } from '../common/archive/reader';
import { FileBlocks, walkTar } from '../common/archive/tarwalk';
import { walkZip, type ZipCursor } from '../common/archive/zipread';
import { ClientError, type BucketRef, type ObjectDownload, type ObjectHead } from './cluster';
import { JUMP_WINDOW, RangedBytes, WINDOW, type RangedObject, type RangeGet } from './rangedbytes';
import { shardFormatOf, type ShardAccess, type ShardFormat, type ShardListOptions, type ShardMember, type ShardPage } from './shards';

export type { RangeGet } from './rangedbytes';

const DEFAULT_PAGE = 1000;
const BLOCK = 512;

/** Where the next page starts, and of which version of the shard. */
interface PageToken {
  /** .tar: the offset of the next member's first header; .zip: its directory entry; compressed: members to skip. */
  at: number;
  /** .zip: the index of the entry at `at`. */
  index?: number;
  size: number;
  etag?: string;
}

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

  async list(bucket: BucketRef, key: string, options: ShardListOptions = {}): Promise<ShardPage> {
    const format = this.formatOf(bucket, key);
    const pageSize = options.pageSize ?? DEFAULT_PAGE;
    if (!Number.isSafeInteger(pageSize) || pageSize < 1) throw new ClientError('bad-request', `A page of shard members must hold at least one (not ${pageSize}).`, this.endpoint);
    if (this.needsFullRead(key) && !options.fullRead) {
      throw new ClientError('bad-request', `Listing ${label(bucket, key)} means reading all of it (a compressed TAR has no index): list it with a full read.`, this.endpoint);
    }
    const token = options.token !== undefined ? this.parseToken(options.token) : undefined;
    const obj = this.object(bucket, key, options.signal);
    // The first GET starts where this page does: a TAR's next header, a ZIP's end (its directory), else the top.
    let bytes: RangedBytes;
    // A TAR page of small members (a header and a block each) fits in its first GET, a large page in a window.
    if (format === '.tar') bytes = await RangedBytes.open(obj, token?.at ?? 0, Math.min(WINDOW, Math.max(JUMP_WINDOW, (pageSize + 1) * 2 * BLOCK)));
    else if (format === '.zip' && token) bytes = await RangedBytes.open(obj, Math.max(0, token.size - WINDOW), WINDOW);
    else bytes = await RangedBytes.open(obj, 0, JUMP_WINDOW);
    if (token && (token.size !== bytes.size || token.etag !== bytes.etag)) {
      throw new ClientError('conflict', `${label(bucket, key)} changed since its listing began: list it again.`, this.endpoint);
    }
    const members: ShardMember[] = [];
    let next: PageToken | undefined;
    const page = (at: number, index?: number) => ({ at, ...(index !== undefined ? { index } : {}), size: bytes.size, ...(bytes.etag !== undefined ? { etag: bytes.etag } : {}) });
    await this.reading(bucket, key, async () => {
      if (format === '.tar') {
        const from = token?.at ?? 0;
        if (from % BLOCK) throw new ArchiveError(400, '', `no TAR header at offset ${from}`);
        const blocks = new FileBlocks(bytes, from);
        // Where the current member's headers began (PAX and long-name headers come before its own).
        let begins = from;
        await walkTar(blocks, (h) => {
          const at = begins;
          begins = blocks.offset + padded(h.size);
          if (h.dir) return;
          if (members.length === pageSize) {
            next = page(at);
            return true;
          }
          members.push({ name: cleanName(h.name), size: h.size });
        });
      } else if (format === '.zip') {
        const from: ZipCursor | undefined = token ? { index: token.index ?? -1, offset: token.at } : undefined;
        await walkZip(
          bytes,
          async (m) => {
            if (m.dir) return;
            if (members.length === pageSize) {
              next = page(m.at.offset, m.at.index);
              return true;
            }
            members.push({ name: cleanName(m.name), size: m.size });
          },
          from,
        );
      } else {
        // No index: skip the members earlier pages listed, by reading on.
        const skip = token?.at ?? 0;
        let seen = 0;
        await walkShard(bytes, format, async (m) => {
          if (m.dir || seen++ < skip) return;
          if (members.length === pageSize) {
            next = page(skip + pageSize);
            return true;
          }
          members.push({ name: cleanName(m.name), size: m.size });
        });
      }
    });
    return { members, ...(next ? { nextToken: Buffer.from(JSON.stringify(next)).toString('base64url') } : {}) };
  }

  async open(bucket: BucketRef, key: string, member: string, options: { signal?: AbortSignal } = {}): Promise<ObjectDownload> {
    const format = this.formatOf(bucket, key);
    let want = member.startsWith('/') ? member.slice(1) : member;
    await this.reading(bucket, key, async () => validateArchpath(want));
    want = cleanName(want);
    const bytes = await RangedBytes.open(this.object(bucket, key, options.signal), 0, format === '.tar' ? WINDOW : JUMP_WINDOW);
    const notFound = () => new ClientError('not-found', `${label(bucket, key)} has no member "${want}".`, this.endpoint, 404);
    if (format === '.tar') {
      // The header walk finds it; then one GET of exactly its bytes (none when the window holds them).
      let found: { at: number; size: number; mtime: number } | undefined;
      const blocks = new FileBlocks(bytes);
      await this.reading(bucket, key, () =>
        walkTar(blocks, (h) => {
          if (h.dir || cleanName(h.name) !== want) return;
          found = { at: blocks.offset, size: h.size, mtime: h.mtime * 1000 };
          return true;
        }),
      );
      if (!found) throw notFound();
      return this.download(bucket, key, bytes.range(found.at, found.at + found.size), found.size, found.mtime);
    }
    if (format === '.zip') {
      let got: { stream: Readable; size: number; mtime: number } | undefined;
      await this.reading(bucket, key, () =>
        walkZip(bytes, async (m, open) => {
          if (m.dir || cleanName(m.name) !== want) return;
          got = { stream: await open(), size: m.size, mtime: m.mtime };
          return true;
        }),
      );
      if (!got) throw notFound();
      return this.download(bucket, key, got.stream, got.size, got.mtime);
    }
    return this.openCompressed(bucket, key, format, bytes, want, notFound);
  }

  /** A compressed TAR: read on to the member, then hand its bytes over as the caller reads them. */
  private openCompressed(bucket: BucketRef, key: string, format: ShardFormat, bytes: RangedBytes, want: string, notFound: () => ClientError): Promise<ObjectDownload> {
    return new Promise((resolve, reject) => {
      let out: PassThrough | undefined;
      const walk = walkShard(bytes, format, async (m, open) => {
        if (m.dir || cleanName(m.name) !== want) return;
        const body = (out = new PassThrough());
        resolve(this.download(bucket, key, body, m.size, m.mtime, true));
        // The walk waits here (its stream has no other reader) while the caller reads: memory stays a chunk.
        for await (const c of (await open()) as AsyncIterable<Buffer>) {
          if (body.destroyed) return true;
          if (!body.write(c)) await drained(body);
        }
        body.end();
        return true;
      });
      walk.then(
        () => !out && reject(notFound()),
        (e: unknown) => {
          const err = this.readError(bucket, key, e);
          if (out) out.destroy(err);
          else reject(err);
        },
      );
    });
  }

  /** `stream` is the member's bytes: a PassThrough of ours as it is, any other behind one. */
  private download(bucket: BucketRef, key: string, stream: Readable, size: number, mtime: number, ours = false): ObjectDownload {
    let body: Readable = stream;
    if (!ours) {
      // Errors while the member streams (a ZIP that lies, a GET that fails) reach the reader as ClientErrors too.
      const pass = stream.pipe(new PassThrough());
      stream.on('error', (e) => pass.destroy(this.readError(bucket, key, e)));
      pass.on('close', () => stream.destroy());
      body = pass;
    }
    const head: ObjectHead = { size, userMeta: {}, ...(mtime > 0 ? { mtime: new Date(mtime) } : {}) };
    return { body, head, contentLength: size };
  }

  /** Runs a read of the archive: its format errors become the user's 'bad-request', naming the shard. */
  private async reading<T>(bucket: BucketRef, key: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw this.readError(bucket, key, e);
    }
  }

  private readError(bucket: BucketRef, key: string, e: unknown): Error {
    if (e instanceof ClientError) return e;
    if (e instanceof ArchiveError) return new ClientError('bad-request', `${label(bucket, key)} cannot be read: ${e.message}.`, this.endpoint, e.status, e.tcode || undefined, { cause: e });
    const err = e as NodeJS.ErrnoException;
    if (err?.code === 'ABORT_ERR' || err?.name === 'AbortError') return new ClientError('aborted', `Reading ${label(bucket, key)} was cancelled.`, this.endpoint, undefined, 'ABORT_ERR', { cause: e });
    return new ClientError('bad-request', `${label(bucket, key)} cannot be read: ${err?.message ?? String(e)}.`, this.endpoint, undefined, undefined, { cause: e });
  }

  private formatOf(bucket: BucketRef, key: string): ShardFormat {
    const f = shardFormatOf(key);
    if (!f) throw new ClientError('bad-request', `${label(bucket, key)} is not a shard: its name ends in none of .tar, .tgz, .tar.gz, .zip, .tar.lz4.`, this.endpoint);
    return f;
  }

  private object(bucket: BucketRef, key: string, signal?: AbortSignal): RangedObject {
    return { get: this.get, bucket, key, endpoint: this.endpoint, ...(signal ? { signal } : {}) };
  }

  private parseToken(token: string): PageToken {
    let t: PageToken | undefined;
    try {
      t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as PageToken;
    } catch {
      t = undefined;
    }
    const int = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
    if (!t || typeof t !== 'object' || !int(t.at) || !int(t.size) || (t.index !== undefined && !int(t.index)) || (t.etag !== undefined && typeof t.etag !== 'string')) {
      throw new ClientError('bad-request', 'This page token is not one a shard listing gave: list the shard from its start.', this.endpoint);
    }
    return t;
  }
}

const label = (bucket: BucketRef, key: string) => `s3://${bucket.name}/${key}`;

const padded = (n: number) => Math.ceil(n / BLOCK) * BLOCK;

/** A member's path as listed: no leading "/", no empty or "." elements (".." stays, and open() refuses it). */
function cleanName(name: string): string {
  if (!/(^|\/)\.?(\/|$)/.test(name)) return name;
  return name
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');
}

function drained(s: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      s.off('drain', done);
      s.off('close', done);
      resolve();
    };
    s.on('drain', done);
    s.on('close', done);
  });
}
