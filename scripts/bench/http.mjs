// The bench's own HTTP client: raw node:http (cheap on CPU, so the client's cost stays out of the server's
// numbers), a fixed random body pattern, and a pool that keeps N requests in flight.
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { MB } from './config.mjs';

// Replaced before every cell (freshAgent): a server closes a keep-alive socket after its idle timeout (5 s in
// Node's http server, which s3rver uses), and a request sent on such a socket as it closes fails with EPIPE
// or 'socket hang up', an error of the bench's, not of the server.
let agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
export function freshAgent() {
  agent.destroy();
  agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
}
/** Closes the kept-alive sockets at the end of the run, so the process can exit. */
export function destroyAgent() {
  agent.destroy();
}
export function request(method, url, { body, headers = {}, sink = false } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers }, (res) => {
      if (sink && res.statusCode < 300) {
        let n = 0;
        res.on('data', (c) => (n += c.length));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, bytes: n }));
        res.on('error', reject);
        return;
      }
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode >= 300) reject(new Error(`${method} ${url}: ${res.statusCode} ${text.slice(0, 300)}`));
        else resolve({ status: res.statusCode, headers: res.headers, text });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body === undefined) req.end();
    else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else body(req);
  });
}

/** Writes `size` bytes of a fixed random pattern to a request, respecting backpressure. */
export const PATTERN = crypto.randomBytes(MB);
export function patternBody(size) {
  return (req) => {
    let left = size;
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, PATTERN.length);
        left -= n;
        const ok = req.write(n === PATTERN.length ? PATTERN : PATTERN.subarray(0, n));
        if (left === 0) return req.end();
        if (!ok) return req.once('drain', pump);
      }
      req.end();
    };
    pump();
  };
}

export async function pool(count, inFlight, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(inFlight, count) }, async () => {
      while (next < count) await fn(next++);
    }),
  );
}

export const enc = (key) => key.split('/').map(encodeURIComponent).join('/');
