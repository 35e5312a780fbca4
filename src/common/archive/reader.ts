// One walk over any shard format: members in archive order, each with a way to stream its bytes. A .tar
// is walked in place by its headers, a .zip by its central directory; .tgz/.tar.gz and .tar.lz4 have no
// random access, so the same TAR walk runs over the decompressed stream (memory stays at a chunk or two,
// whatever the shard's size). Decompression errors become AIStore-style 400s naming the format.
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import * as zlib from 'node:zlib';
import type { ArchExt } from '../aisapi';
import { ArchiveError } from './formats';
import { lz4Decoder } from './lz4';
import type { ShardBytes } from './bytes';
import { FileBlocks, StreamBlocks, TarHeader, walkTar } from './tarwalk';
import { walkZip } from './zipread';

export interface Member {
  name: string;
  /** Bytes of the member's data, as its header declares. */
  size: number;
  /** Last modification, ms since epoch. */
  mtime: number;
  dir: boolean;
  /** The TAR header, for TAR formats (a multi-member GET repacks members with it). */
  tar?: TarHeader;
}

/** Return true to stop. A member of a compressed TAR must be read before the visit returns. */
export type MemberVisitor = (m: Member, open: () => Promise<Readable>) => Promise<boolean | void>;

/** Walks every member of `file`, a shard of format `mime`, in the order the shard holds them. */
export async function walkShard(file: ShardBytes, mime: ArchExt, visit: MemberVisitor): Promise<void> {
  const tarVisit = (h: TarHeader, open: () => Readable) =>
    visit({ name: h.name, size: h.size, mtime: h.mtime * 1000, dir: h.dir, tar: h }, async () => open());
  switch (mime) {
    case '.tar':
      return walkTar(new FileBlocks(file), tarVisit);
    case '.zip':
      return walkZip(file, (m, open) => visit(m, open));
    case '.tgz':
    case '.tar.gz':
      return walkCompressed(file, zlib.createGunzip(), 'gzip', tarVisit);
    case '.tar.lz4':
      return walkCompressed(file, lz4Decoder(), 'lz4', tarVisit);
  }
}

async function walkCompressed(
  file: ShardBytes,
  decoder: NodeJS.ReadWriteStream,
  format: string,
  visit: (h: TarHeader, open: () => Readable) => Promise<boolean | void>,
): Promise<void> {
  const raw = file.range(0, file.size);
  // pipeline() hands a read error on to the decoder, whose reader (the walk) then sees it.
  const out = pipeline(raw, decoder, () => undefined) as unknown as Readable;
  const blocks = new StreamBlocks(out);
  try {
    await walkTar(blocks, visit);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // zlib's errors carry Z_* codes; the lz4 decoder's are ArchiveErrors already.
    if (typeof err?.code === 'string' && err.code.startsWith('Z_')) throw new ArchiveError(400, '', `${format}: ${err.message}`);
    throw e;
  } finally {
    await blocks.close();
    raw.destroy();
    out.destroy();
  }
}
