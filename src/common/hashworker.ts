// The hash worker (hashpool.ts starts it; esbuild.mjs bundles it as hashworker.js): reads ranges of files
// that are written already, from the page cache, through one reused buffer, and hashes them with
// node:crypto. Each stream keeps its hash state, and its file open only while told more of it follows.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { HashReply, HashRequest } from './hashpool';

const READ_BYTES = 1024 * 1024;

interface Stream {
  hashes: crypto.Hash[];
  file: string;
  fd?: number;
  /** The first failure: every later range and the digest report it. */
  error: string;
}

const buf = Buffer.allocUnsafe(READ_BYTES);
const streams = new Map<number, Stream>();
const port = parentPort!;

function closeFile(s: Stream): void {
  if (s.fd !== undefined) {
    try {
      fs.closeSync(s.fd);
    } catch {
      // closed already: nothing to release
    }
  }
  s.fd = undefined;
  s.file = '';
}

function hashRange(s: Stream, file: string, start: number, len: number): void {
  if (s.file !== file) {
    closeFile(s);
    s.fd = fs.openSync(file, 'r');
    s.file = file;
  }
  for (let pos = start, end = start + len; pos < end; ) {
    const n = fs.readSync(s.fd!, buf, 0, Math.min(buf.length, end - pos), pos);
    if (n === 0) throw new Error(`${file} ends at ${pos} bytes, expected ${end}`);
    for (const h of s.hashes) h.update(buf.subarray(0, n));
    pos += n;
  }
}

function reply(r: HashReply): void {
  port.postMessage(r);
}

port.on('message', (m: HashRequest) => {
  const s = streams.get(m.stream);
  switch (m.op) {
    case 'open':
      streams.set(m.stream, { hashes: m.types.map((t) => crypto.createHash(t)), file: '', error: '' });
      return;
    case 'file':
      if (s && !s.error) {
        try {
          hashRange(s, m.file, m.start, m.len);
        } catch (e) {
          s.error = e instanceof Error ? e.message : String(e);
        }
        if (s.error || !m.keepOpen) closeFile(s);
      }
      return reply({ id: m.id, error: s ? s.error : 'no such stream' });
    case 'digest':
      streams.delete(m.stream);
      if (s) closeFile(s);
      return reply({ id: m.id, error: s ? s.error : 'no such stream', hex: s && !s.error ? s.hashes.map((h) => h.digest('hex')) : [] });
    case 'drop':
      streams.delete(m.stream);
      if (s) closeFile(s);
  }
});
