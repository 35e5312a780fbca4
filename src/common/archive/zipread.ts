// ZIP shards through yauzl, which reads a ZIP as it is meant to be read: the central directory at the end
// names every member with its offset and sizes, and one member's data is read from its own offset. Entries
// are read one at a time (lazyEntries), so a directory of 100,000 names never sits in memory; the reads go
// to the shard's bytes by position (ShardBytes: the gateway's file, or the client's ranged GETs), not
// through a stream per read.
//
// Names are taken as their bytes in UTF-8, as Go's archive/zip takes them; yauzl's own name checks are off
// (decodeStrings: false) because they would fail the whole shard on one "../x" name, which AIStore lists.
// What a member's header declares is checked before anything is sent: a stored member is as large as its
// data, a deflated one cannot be more than ~1032 times its compressed bytes, and its data lies inside the
// file. A ZIP that lies about sizes is refused with a 400 rather than streamed into a broken reply.
import type { Readable } from 'node:stream';
import * as yauzl from 'yauzl';
import { ArchiveError } from './formats';
import type { ShardBytes } from './bytes';

/** DEFLATE's best ratio is ~1032:1; anything beyond, plus slack for tiny members, is a lie. */
const MAX_DEFLATE_RATIO = 1032;
const DEFLATE_SLACK = 1024;

/** Where an entry's record lies in the central directory: its index and byte offset. */
export interface ZipCursor {
  index: number;
  offset: number;
}

export interface ZipMember {
  name: string;
  size: number;
  /** Last modification, ms since epoch. */
  mtime: number;
  dir: boolean;
  /** This entry's central-directory record: a walk resumed `from` it starts with this entry. */
  at: ZipCursor;
}

/** Return true to stop the walk; `open` streams this member's bytes (inflated). */
export type ZipVisitor = (m: ZipMember, open: () => Promise<Readable>) => Promise<boolean | void>;

/** yauzl's view of a shard: positional reads of its bytes. */
class ShardReader extends yauzl.RandomAccessReader {
  constructor(private readonly file: ShardBytes) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return this.file.range(start, end);
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    this.file.read(position, length).then(
      (b) => {
        if (b.length < length) return callback(new Error('unexpected EOF'));
        b.copy(buffer, offset);
        callback(null);
      },
      (e: Error) => callback(e),
    );
  }

  override close(callback: (err: Error | null) => void): void {
    setImmediate(() => callback(null)); // the bytes are their owner's to close
  }
}

const zipError = (e: unknown) => (e instanceof ArchiveError ? e : new ArchiveError(400, '', `zip: ${(e as Error)?.message ?? String(e)}`));

/**
 * Walks a ZIP's central directory in order, until its end or until the visitor stops; `from` (a member's
 * `at`, from an earlier walk of the same bytes) starts at that entry without reading those before it.
 */
export async function walkZip(file: ShardBytes, visit: ZipVisitor, from?: ZipCursor): Promise<void> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromRandomAccessReaderPromise(new ShardReader(file), file.size, {
      lazyEntries: true,
      autoClose: false,
      decodeStrings: false,
      validateEntrySizes: true,
    });
  } catch (e) {
    throw zipError(e);
  }
  // yauzl reads the directory record by record from readEntryCursor (typed wrongly as boolean).
  const cursor = zip as unknown as { readEntryCursor: number; entriesRead: number };
  if (from) {
    if (!Number.isSafeInteger(from.index) || from.index < 0 || from.index > zip.entryCount || !Number.isSafeInteger(from.offset) || from.offset < 0 || from.offset >= file.size) {
      zip.close();
      throw new ArchiveError(400, '', `zip: no central directory entry ${from.index} at offset ${from.offset}`);
    }
    cursor.readEntryCursor = from.offset;
    cursor.entriesRead = from.index;
  }
  const entries = zip.eachEntry() as AsyncIterableIterator<yauzl.Entry>;
  try {
    for (;;) {
      const at = { index: cursor.entriesRead, offset: cursor.readEntryCursor };
      let next: IteratorResult<yauzl.Entry>;
      try {
        next = await entries.next();
      } catch (e) {
        throw zipError(e);
      }
      if (next.done) return;
      const entry = next.value;
      const name = (entry.fileName as unknown as Buffer).toString('utf8');
      const m: ZipMember = { name, size: entry.uncompressedSize, mtime: entry.getLastModDate().getTime(), dir: name.endsWith('/'), at };
      if ((await visit(m, () => openEntry(zip, entry, name, file.size))) === true) return;
    }
  } finally {
    await entries.return?.();
    zip.close();
  }
}

async function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, name: string, fileSize: number): Promise<Readable> {
  const { compressionMethod: method, compressedSize: packed, uncompressedSize: size } = entry;
  const lie = (why: string) => new ArchiveError(400, '', `zip: member ${JSON.stringify(name)} ${why}`);
  if (entry.relativeOffsetOfLocalHeader + packed > fileSize) throw lie(`has ${packed} bytes of data past the end of the file`);
  if (method === 8 && size > packed * MAX_DEFLATE_RATIO + DEFLATE_SLACK) throw lie(`declares ${size} bytes from ${packed} compressed bytes, more than DEFLATE can produce`);
  if (method !== 0 && method !== 8) throw lie(`uses compression method ${method}, which is not supported`);
  if (entry.isEncrypted()) throw lie('is encrypted');
  try {
    return await zip.openReadStreamPromise(entry);
  } catch (e) {
    throw zipError(e);
  }
}
