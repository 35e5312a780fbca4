// The benchmark's ceiling: the least a Node S3 gateway must do. It streams request bodies into files
// (temp + rename) and files into responses, and speaks just enough S3 for the same client code to run:
// PUT/GET(Range)/HEAD/DELETE of objects, CreateMultipartUpload, UploadPart, CompleteMultipartUpload
// (parts concatenated by streaming). No hashing, no index, no listing, no XML parsing.
// Usage: node scripts/bench-ceiling.mjs DATA_DIR   (prints "listening on http://127.0.0.1:PORT")
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';

const dir = path.resolve(process.argv[2] ?? 'ceiling-data');
fs.mkdirSync(path.join(dir, 'tmp'), { recursive: true });
const fileOf = (bucket, key) => path.join(dir, 'o', crypto.createHash('sha1').update(`${bucket}/${key}`).digest('hex'));
fs.mkdirSync(path.join(dir, 'o'), { recursive: true });
const tmp = () => path.join(dir, 'tmp', crypto.randomBytes(8).toString('hex'));

async function handle(req, res) {
  const url = new URL(req.url, 'http://x');
  const [, bucket = '', ...rest] = url.pathname.split('/');
  const key = decodeURIComponent(rest.join('/'));
  const q = url.searchParams;
  if (req.method === 'PUT' && !key) {
    res.writeHead(200, { 'Content-Length': 0 }).end();
  } else if (req.method === 'PUT') {
    const t = tmp();
    await pipeline(req, fs.createWriteStream(t));
    const name = q.has('uploadId') ? path.join(dir, 'tmp', `${q.get('uploadId')}.${q.get('partNumber')}`) : fileOf(bucket, key);
    await fs.promises.rename(t, name);
    // Not an MD5: the ceiling hashes nothing, so it must not claim a digest clients would check.
    res.writeHead(200, { ETag: `"ceiling-${crypto.randomBytes(4).toString('hex')}"`, 'Content-Length': 0 }).end();
  } else if (req.method === 'POST' && q.has('uploads')) {
    req.resume();
    const id = crypto.randomBytes(8).toString('hex');
    const body = `<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`;
    res.writeHead(200, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) }).end(body);
  } else if (req.method === 'POST' && q.has('uploadId')) {
    let xml = '';
    for await (const c of req) xml += c;
    const numbers = [...xml.matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => m[1]);
    const t = tmp();
    const out = fs.createWriteStream(t);
    for (const n of numbers) {
      const part = path.join(dir, 'tmp', `${q.get('uploadId')}.${n}`);
      await pipeline(fs.createReadStream(part), out, { end: false });
      await fs.promises.rm(part);
    }
    await new Promise((resolve, reject) => out.end((e) => (e ? reject(e) : resolve())));
    await fs.promises.rename(t, fileOf(bucket, key));
    const body = `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><ETag>"ceiling-${numbers.length}"</ETag></CompleteMultipartUploadResult>`;
    res.writeHead(200, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) }).end(body);
  } else if (req.method === 'GET' || req.method === 'HEAD') {
    let fh;
    try {
      fh = await fs.promises.open(fileOf(bucket, key), 'r');
    } catch {
      res.writeHead(404, { 'Content-Length': 0 }).end();
      return;
    }
    const size = (await fh.stat()).size;
    let start = 0;
    let end = size - 1;
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (m) {
      start = Number(m[1]);
      end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
    }
    const headers = { 'Content-Length': end - start + 1, ETag: '"ceiling"', 'Accept-Ranges': 'bytes', 'Last-Modified': new Date().toUTCString() };
    if (m) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    res.writeHead(m ? 206 : 200, headers);
    if (req.method === 'HEAD' || size === 0) {
      await fh.close();
      res.end();
      return;
    }
    await pipeline(fh.createReadStream({ start, end }), res);
  } else if (req.method === 'DELETE') {
    await fs.promises.rm(fileOf(bucket, key), { force: true });
    res.writeHead(204).end();
  } else {
    req.resume();
    res.writeHead(501, { 'Content-Length': 0 }).end();
  }
}

const server = http.createServer((req, res) =>
  handle(req, res).catch((e) => {
    if (!res.headersSent) res.writeHead(500, { 'Content-Length': 0 }).end();
    else res.destroy(e);
  }),
);
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
