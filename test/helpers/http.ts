// A plain HTTP client for tests of the native API: AIStore's clients send JSON bodies with GET and
// DELETE, which fetch() refuses, so this uses node:http directly.
import * as http from 'node:http';
import type { Readable } from 'node:stream';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** body parsed as JSON (undefined when empty or not JSON) */
  json: unknown;
}

export function request(
  method: string,
  url: string,
  opts: { headers?: http.OutgoingHttpHeaders; body?: Buffer | string | Readable; json?: unknown } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { ...opts.headers };
    let body = opts.body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] ??= 'application/json';
    }
    if (typeof body === 'string' || Buffer.isBuffer(body)) headers['content-length'] = Buffer.byteLength(body);
    const req = http.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        let json: unknown;
        try {
          json = buf.length ? JSON.parse(buf.toString('utf8')) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, json });
      });
    });
    req.on('error', reject);
    if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req);
  });
}
