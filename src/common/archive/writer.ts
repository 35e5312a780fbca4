// Writing shards into a stream (the gateway's temp file, or an upload), member after member, as cmn/archive/write.go writes them: TAR members are
// regular files, mode 0644, named as given, their time the object's access time (tar-stream writes the
// headers, PAX where a name or size needs it); .tgz is that TAR through gzip at its fastest level (Go's
// BestSpeed), .tar.lz4 through LZ4 frames; ZIP members are stored uncompressed (Go's zip.FileHeader
// default, Method 0) with the name as their comment (yazl writes the ZIP, ZIP64 where sizes need it).
// Appending (cmn/archive/copy.go, fast.go): a .tar keeps its bytes up to the end of its last member and
// goes on from there; other formats copy their members into the new shard first. The caller writes into a
// temp file or a multipart upload and puts it in place when whole, so nobody ever sees half a shard.
import { PassThrough, Readable, Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import * as tarStream from 'tar-stream';
import * as yazl from 'yazl';
import type { ArchExt } from '../aisapi';
import type { ShardBytes } from './bytes';
import { lz4Encoder } from './lz4';
import { Member, walkShard } from './reader';
import { FileBlocks, TarHeader, walkTar } from './tarwalk';

/** cos.PermRWRR: what AIStore gives every member it archives. */
const MEMBER_MODE = 0o644;

/** A header to write: its name, and whatever else differs from tar-stream's defaults. */
export type EntryHeader = Partial<tarStream.Header> & { name: string };

const TAR_TYPES: Record<string, tarStream.Header['type']> = {
  '0': 'file', '1': 'link', '2': 'symlink', '3': 'character-device', '4': 'block-device', '5': 'directory', '6': 'fifo', '7': 'contiguous-file',
};

/** A member's header for a TAR being written: its own TAR header when it has one, else a plain file's. */
export function tarHeaderOf(m: Member): EntryHeader {
  const h: TarHeader | undefined = m.tar;
  if (!h) return { name: m.name, size: m.size, mode: MEMBER_MODE, mtime: new Date(m.mtime), type: 'file' };
  return {
    name: h.name,
    size: h.size,
    mode: h.mode & 0o7777,
    uid: h.uid,
    gid: h.gid,
    uname: h.uname,
    gname: h.gname,
    mtime: new Date(h.mtime * 1000),
    type: TAR_TYPES[h.type] ?? 'file',
    ...(h.linkname ? { linkname: h.linkname } : {}),
  };
}

/** Writes one entry into a TAR being packed; resolves once its bytes are in. */
export function packEntry(pack: tarStream.Pack, header: EntryHeader, body: Readable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const entry = pack.entry(header, (err) => (err ? reject(err) : resolve()));
    body.once('error', (e) => {
      entry.destroy(e);
      reject(e);
    });
    body.pipe(entry);
  });
}

export interface ShardWriter {
  /** Adds a member; resolves when its bytes are written. */
  add(name: string, size: number, mtime: Date, body: Readable): Promise<void>;
  /** Completes the shard: the file is whole when this resolves. */
  finish(): Promise<void>;
  /** Stops writing at once (the caller removes the file). */
  abort(): void;
}

/**
 * A writer of a `mime` shard into `out`. With `appendTo` (the current shard), its members come first: a
 * .tar by its bytes up to `tarEnd` (from tarAppendOffset), other formats member by member.
 */
export async function createShardWriter(mime: ArchExt, out: Writable, appendTo?: { shard: ShardBytes; tarEnd?: number }): Promise<ShardWriter> {
  if (mime === '.zip') return zipWriter(out, appendTo?.shard);
  const pack = tarStream.pack();
  let head: Readable | undefined;
  if (appendTo && mime === '.tar') head = appendTo.shard.range(0, appendTo.tarEnd ?? 0);
  const source = head ? Readable.from(concat(head, pack as unknown as AsyncIterable<Buffer>)) : (pack as unknown as Readable);
  const codec = mime === '.tar' ? new PassThrough() : mime === '.tar.lz4' ? lz4Encoder() : zlib.createGzip({ level: zlib.constants.Z_BEST_SPEED });
  const done = pipeline(source, codec, out);
  done.catch(() => undefined); // awaited in finish(); an abort must not surface as unhandled
  const writer: ShardWriter = {
    add: (name, size, mtime, body) => packEntry(pack, { name, size, mode: MEMBER_MODE, mtime, type: 'file' }, body),
    async finish() {
      pack.finalize();
      await done;
    },
    abort() {
      pack.destroy();
      out.destroy();
    },
  };
  if (appendTo && mime !== '.tar') {
    await walkShard(appendTo.shard, mime, async (m, open) => {
      if (!m.dir || m.tar) await packEntry(pack, tarHeaderOf(m), await open());
    });
  }
  return writer;
}

async function* concat(...streams: AsyncIterable<Buffer>[]): AsyncGenerator<Buffer> {
  for (const s of streams) yield* s;
}

async function zipWriter(out: Writable, appendTo?: ShardBytes): Promise<ShardWriter> {
  const zip = new yazl.ZipFile();
  const done = pipeline(zip.outputStream as unknown as Readable, out);
  done.catch(() => undefined);
  const add = (name: string, size: number, mtime: Date, body: Readable, compress = false) =>
    new Promise<void>((resolve, reject) => {
      const fail = (e: Error) => reject(e);
      zip.outputStream.once('error', fail);
      body.once('error', fail);
      // yazl reads the members in turn; this one is in once its stream has been read to the end.
      finished(body).then(
        () => {
          zip.outputStream.off('error', fail);
          resolve();
        },
        fail,
      );
      zip.addReadStream(body, name, { size, mtime, compress, mode: 0o100000 | MEMBER_MODE, fileComment: name });
    });
  if (appendTo) {
    await walkShard(appendTo, '.zip', async (m, open) => {
      if (!m.dir) await add(m.name, m.size, new Date(m.mtime), await open());
    });
  }
  return {
    add: (name, size, mtime, body) => add(name, size, mtime, body),
    async finish() {
      zip.end();
      await done;
    },
    abort() {
      (zip.outputStream as unknown as Readable).destroy();
      out.destroy();
    },
  };
}

/**
 * Where a .tar's members end (its end-of-archive zero blocks start): new members are written there
 * (archive.OpenTarForAppend). 0 for an empty TAR, which is then written anew.
 */
export async function tarAppendOffset(shard: ShardBytes): Promise<number> {
  const blocks = new FileBlocks(shard);
  let end = 0;
  await walkTar(blocks, async (h) => {
    end = blocks.offset + h.size + ((512 - (h.size % 512)) % 512);
  });
  return end;
}
