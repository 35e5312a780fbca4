// Shards for the shard tests, built with the same packages the gateway writes with (tar-stream, yazl) and
// node:zlib, plus one LZ4 frame made by the lz4 command-line tool, so the LZ4 reader is checked against an
// encoder other than its own.
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import * as tarStream from 'tar-stream';
import * as yazl from 'yazl';

export interface FixtureMember {
  name: string;
  data: Buffer;
}

/** A TAR of these members (regular files), as tar-stream packs it. */
export async function tarOf(members: FixtureMember[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const m of members) {
    await new Promise<void>((resolve, reject) => pack.entry({ name: m.name, size: m.data.length, mode: 0o644, mtime: new Date(1_700_000_000_000) }, m.data, (e) => (e ? reject(e) : resolve())));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export async function tgzOf(members: FixtureMember[]): Promise<Buffer> {
  return zlib.gzipSync(await tarOf(members));
}

/** A ZIP of these members; `compress` deflates them (the gateway itself stores). */
export async function zipOf(members: FixtureMember[], compress = true): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const m of members) zip.addBuffer(m.data, m.name, { compress, mtime: new Date(1_700_000_000_000) });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream as unknown as Readable) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The members of LZ4_CLI_FIXTURE. */
export function lz4FixtureMembers(): FixtureMember[] {
  let big = '';
  for (let i = 0; i < 6000; i++) big += `line ${String(i % 500).padStart(5, '0')} of the linked lz4 fixture\n`;
  return [
    { name: 'one.txt', data: Buffer.from('hello lz4 member one\n'.repeat(50)) },
    { name: 'big.txt', data: Buffer.from(big) },
  ];
}

/** Members in each style a shard test needs: nested names, a binary member, an empty one, a long name. */
export function sampleMembers(): FixtureMember[] {
  const bin = Buffer.alloc(70_000);
  for (let i = 0; i < bin.length; i++) bin[i] = (i * 7919) % 251;
  return [
    { name: 'a/001.jpg', data: Buffer.from('jpeg-001') },
    { name: 'a/001.json', data: Buffer.from('{"n":1}') },
    { name: 'a/002.jpg', data: Buffer.from('jpeg-002-longer') },
    { name: 'a/002.json', data: Buffer.from('{"n":2}') },
    { name: 'bin/blob.bin', data: bin },
    { name: 'empty.txt', data: Buffer.alloc(0) },
    { name: `long/${'x'.repeat(120)}/name.txt`, data: Buffer.from('a name past 100 bytes: PAX') },
  ];
}

/** The members of a TAR, by reading it with tar-stream (a reader other than the gateway's). */
export async function untar(buf: Buffer): Promise<FixtureMember[]> {
  const out: FixtureMember[] = [];
  const ex = tarStream.extract();
  const done = (async () => {
    for await (const entry of ex) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      out.push({ name: entry.header.name, data: Buffer.concat(chunks) });
    }
  })();
  ex.end(buf);
  await done;
  return out;
}


/** lz4 -B4 -BD -BX (64 KB linked blocks, block and content checksums) of a ustar TAR of lz4FixtureMembers(). */
export const LZ4_CLI_FIXTURE = 'BCJNGFRArlMLAACPb25lLnR4dAABAEmSMDAwMDY0NAAwAQAMCAD/CzIwMzIAMTUzMDU1MTQ2NjQAMDEyNDA0ACAwlQBJBAIAv3VzdGFyADAwcm9vBgEKDyAADQLcAAbdAARgAA8CAIz/BmhlbGxvIGx6NCBtZW1iZXIgb25lChUA////9Q+5BIwPAgD/NT9iaWcACGtmNjYxNDYwAAgiNzEACB8yAAj/VFFsaW5lILwI4SBvZiB0aGUgbGlua2VkEwiFZml4dHVyZQolAB8xJQARHzIlABEfMyUAER80JQARHzUlABEfNiUAER83JQARHzglABEfOSUAEC8xMCUAEQ9yAREfMXIBER8xcgERHzFyAREfMXIBER8xcgERHzFyAREfMXIBER8xcgERHzJyAREfMnIBER8ycgERHzJyAREfMnIBER8ycgERHzJyAREfMnIBER8ycgERHzJyAREfM3IBER8zcgERHzNyAREfM3IBER8zcgERHzNyAREfM3IBER8zcgERHzNyAREfM3IBER80cgERHzRyAREfNHIBER80cgERHzRyAREfNHIBER80cgERHzRyAREfNHIBER80cgERHzVyAREfNXIBER81cgERHzVyAREfNXIBER81cgERHzVyAREfNXIBER81cgERHzVyAREfNnIBER82cgERHzZyAREfNnIBER82cgERHzZyAREfNnIBER82cgERHzZyAREfNnIBER83cgERHzdyAREfN3IBER83cgERHzdyAREfN3IBER83cgERHzdyAREfN3IBER83cgERHzhyAREfOHIBER84cgERHzhyAREfOHIBER84cgERHzhyAREfOHIBER84cgERHzhyAREfOXIBER85cgERHzlyAREfOXIBER85cgERHzlyAREfOXIBER85cgERHzlyAREfOXIBEB8xdA4RLzEwcgEQLzEwcgEQLzEwcgEQLzEwcgEQLzEwcgEQLzEwcgEQLzEwcgEQLzEwcgEQLzEwcgERD3QOES8xMXIBEQ90DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEvMjHmDxAfMnQOER8ydA4RHzJ0DhEfMnQOES8yMeYPEB8ydA4RHzJ0DhEfMnQOES8yMuYPEB8ydA4RHzJ0DhEfMnQOES8yMlgREB8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOES8yOXYbEB8ydA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOES8zMswfEB8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RLzQxWBEQHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RLzQzsi8QPzQzNd8+Dy80M+YPEB80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOES80NCQxEB80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RLzQ15AIRD3QOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOES80N+QCEQ90DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOES80OXgoEB80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzB0DhEPREj///////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////8mUHJlCmxpUnGkygoBAAAPzNj/////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////6FAwNDczIC9ONAvBCgAA/xZvZiB0aGUgbGlua2VkIGx6NCBmaXh0dXJlCmxpbmUgMDA0NzQgJQAQHzUlABEfNiUAER83JQARHzglABEfOSUAEC84MCUAER8xJQARHzIlABEfMyUAEQ9yAREfOHIBER84cgERHzhyAREfOHIBER84cgERHzlyAREfOXIBER85cgERHzlyAREfOXIBER85cgERHzlyAREfOXIBER85cgERHzlyARAvMDByARAvMDByARAvMDByARAvMDByARAvMDByARAvMDByARAvMDByARAvMDByARAvMDByARAvMDByAREfMXIBER8xcgERHzFyAREfMXIBER8xcgERHzFyAREfMXIBER8xcgERHzFyAREfMXIBER8ycgERHzJyAREfMnIBER8ycgERHzJyAREfMnIBER8ycgERHzJyAREfMnIBER8ycgERHzNyAREfM3IBER8zcgERHzNyAREfM3IBER8zcgERHzNyAREfM3IBER8zcgERHzNyAREfNHIBER80cgERHzRyAREfNHIBER80cgERHzRyAREfNHIBER80cgERHzRyAREfNHIBER81cgERHzVyAREfNXIBER81cgERHzVyAREfNXIBER81cgERHzVyAREfNXIBER81cgERHzZyAREfNnIBER82cgERHzZyAREfNnIBER82cgERHzZyAREfNnIBER82cgERHzZyAREfN3IBER83cgERHzdyAREfN3IBEQ90DhEvMDdyAREfN3IBER83cgERHzdyAREfN3IBEQ90DhEvMDhyAREfOHIBER84cgERHzjkAhEPdA4RHzB0DhEfMHQOER8wdA4RHzB0DhEfMHQOER8wdA4RHzB0DhEfMHQOER8wdA4RHzB0DhEfMHQOER8wdA4RHzB0DhEfMHQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOES8xMFYEEB8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOES8xNx4KEQ90DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8xdA4RHzF0DhEfMXQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOES8yMcoSEB8ydA4RHzJ0DhEfMnQOER8ydA4RLzIxPBQQHzJ0DhEfMnQOER8ydA4RLzIyPBQQHzJ0DhEfMnQOER8ydA4RLzIyrhUQHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RHzJ0DhEfMnQOER8ydA4RLzI5zB8QHzJ0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RLzMyIiQQHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfM3QOER8zdA4RHzN0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEvNDFYERAfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEvNDOWMhBPNDM1IMZCDx8z5g8QHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RLzQ0CDQQHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEvNDXkAhEPdA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RHzR0DhEfNHQOER80dA4RD0RI/////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////ztQaGUgbGl7QHVHqgAAAA/3/wUPzNj/////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////ch8AAQD////////////////////////////////////////////////////////hUAAAAAAAdgtBhQAAAABgFfqy';
