// Decodes `aws-chunked` request bodies (SigV4 streaming uploads and SDK trailing checksums):
//   <hex size>[;chunk-signature=...]\r\n<data>\r\n ... 0[;...]\r\n[trailer: value\r\n]*\r\n
// Only the payload is passed on; what is stored is the decoded object, never the framing.
import { Transform, TransformCallback } from 'node:stream';
import { GatewayError } from '../errors';

const MAX_LINE = 4096;

export function isAwsChunked(headers: Record<string, string | string[] | undefined>): boolean {
  const sha = String(headers['x-amz-content-sha256'] ?? '');
  const enc = String(headers['content-encoding'] ?? '');
  return sha.startsWith('STREAMING-') || enc.split(',').some((e) => e.trim() === 'aws-chunked');
}

export class AwsChunkedDecoder extends Transform {
  private state: 'size' | 'data' | 'data-crlf' | 'trailer' | 'done' = 'size';
  private line = '';
  private remaining = 0;
  readonly trailers: Record<string, string> = {};

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      let i = 0;
      while (i < chunk.length) {
        if (this.state === 'data') {
          const n = Math.min(this.remaining, chunk.length - i);
          this.push(chunk.subarray(i, i + n));
          i += n;
          this.remaining -= n;
          if (this.remaining === 0) this.state = 'data-crlf';
          continue;
        }
        if (this.state === 'done') {
          i = chunk.length; // ignore anything after the final CRLF
          continue;
        }
        const nl = chunk.indexOf(0x0a, i);
        const end = nl < 0 ? chunk.length : nl + 1;
        this.line += chunk.toString('latin1', i, end);
        i = end;
        if (this.line.length > MAX_LINE) throw this.malformed('chunk header too long');
        if (nl < 0) continue;
        const line = this.line.replace(/\r?\n$/, '');
        this.line = '';
        this.onLine(line);
      }
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }

  private onLine(line: string): void {
    switch (this.state) {
      case 'size': {
        const hex = line.split(';', 1)[0].trim();
        if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) throw this.malformed(`bad chunk size "${hex.slice(0, 20)}"`);
        this.remaining = parseInt(hex, 16);
        this.state = this.remaining === 0 ? 'trailer' : 'data';
        return;
      }
      case 'data-crlf':
        if (line !== '') throw this.malformed('chunk data longer than its declared size');
        this.state = 'size';
        return;
      case 'trailer':
        if (line === '') {
          this.state = 'done';
          return;
        }
        {
          const colon = line.indexOf(':');
          if (colon > 0) this.trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        return;
      default:
        return;
    }
  }

  override _flush(cb: TransformCallback): void {
    // Some clients end right after the 0-size chunk without the final CRLF.
    if (this.state === 'done' || this.state === 'trailer') cb();
    else cb(this.malformed('body ended inside a chunk'));
  }

  private malformed(why: string): GatewayError {
    return new GatewayError(400, 'IncompleteBody', `Malformed aws-chunked body: ${why}`);
  }
}
