// FileBody on its own, over real loopback HTTP: the bytes of a range arrive intact through the pooled
// buffers (no buffer reused while the socket still holds it), as a plain Readable too, and the file is
// closed however the response ends: done, client gone mid-body, file shorter than promised.
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { FileBody, sendBody } from '../../src/gateway/store/filebody';
import { makeTempDir, removeDir } from '../helpers/temp';

describe('FileBody', () => {
  let dir: string;
  let file: string;
  const data = crypto.randomBytes(9 * 1024 * 1024 + 12_345);
  before(() => {
    dir = makeTempDir('filebody');
    file = path.join(dir, 'data');
    fs.writeFileSync(file, data);
  });
  after(() => removeDir(dir));

  /** A server that sends bytes [start, end] of `file` with sendBody, reporting each body and how it ended. */
  async function serve(start: number, end: number, onDone: (body: FileBody, err?: unknown) => void, declared = end - start + 1) {
    const server = http.createServer(async (_req, res) => {
      const fh = await fs.promises.open(file, 'r');
      const body = new FileBody(fh, start, end);
      res.writeHead(200, { 'Content-Length': String(declared) });
      try {
        await sendBody(body, res);
        onDone(body);
      } catch (e) {
        res.destroy();
        onDone(body, e);
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
  }

  function fetchAll(url: string, slow = false): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      http.get(url, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          // A slow reader keeps the socket full, so writes wait and buffers are in flight for long.
          if (slow && chunks.length % 8 === 0) {
            res.pause();
            setTimeout(() => res.resume(), 2);
          }
        });
        res.on('end', () => resolve(Buffer.concat(chunks)));
        res.on('error', reject);
      }).on('error', reject);
    });
  }

  test('sends whole files and ranges byte for byte, to fast and slow readers, many at once', async () => {
    const cases: [number, number][] = [
      [0, data.length - 1],
      [1, 262_143],
      [262_144, 262_144],
      [5, 5 * 1024 * 1024 + 7],
      [data.length - 3, data.length - 1],
    ];
    for (const [start, end] of cases) {
      const ended: unknown[] = [];
      const { server, url } = await serve(start, end, (body, err) => ended.push(err ?? body.destroyed));
      try {
        const got = await Promise.all([fetchAll(url), fetchAll(url, true), fetchAll(url, true), fetchAll(url)]);
        for (const g of got) assert.ok(g.equals(data.subarray(start, end + 1)), `bytes ${start}-${end}`);
        assert.deepEqual(ended, [true, true, true, true]);
      } finally {
        server.close();
      }
    }
  });

  test('read as a plain Readable, the same bytes; the file is closed at the end', async () => {
    const fh = await fs.promises.open(file, 'r');
    const chunks: Buffer[] = [];
    for await (const c of new FileBody(fh, 100, data.length - 1)) chunks.push(c as Buffer);
    assert.ok(Buffer.concat(chunks).equals(data.subarray(100)));
    await new Promise((r) => setImmediate(r));
    assert.equal(fh.fd, -1);
  });

  test('a client that goes away mid-body ends the send with an error and closes the file', async () => {
    let done: (v: { body: FileBody; err?: unknown }) => void;
    const finished = new Promise<{ body: FileBody; err?: unknown }>((r) => (done = r));
    const { server, url } = await serve(0, data.length - 1, (body, err) => done({ body, err }));
    try {
      await new Promise<void>((resolve) => {
        const req = http.get(url, (res) => {
          let n = 0;
          res.on('data', (c: Buffer) => {
            n += c.length;
            if (n > 1024 * 1024) req.destroy();
          });
          res.on('error', () => undefined);
          res.on('close', resolve);
        });
        req.on('error', () => undefined);
      });
      const { body, err } = await finished;
      assert.ok(err instanceof Error);
      assert.ok(body.destroyed);
    } finally {
      server.close();
    }
  });

  test('a data file shorter than the range fails the send (the response is cut), not a hang', async () => {
    let done: (v: { body: FileBody; err?: unknown }) => void;
    const finished = new Promise<{ body: FileBody; err?: unknown }>((r) => (done = r));
    const { server, url } = await serve(0, data.length + 999, (body, err) => done({ body, err }));
    try {
      await assert.rejects(fetchAll(url));
      const { body, err } = await finished;
      assert.match(String(err), /ends at \d+ bytes/);
      assert.ok(body.destroyed);
    } finally {
      server.close();
    }
  });
});
