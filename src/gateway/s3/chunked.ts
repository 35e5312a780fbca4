// Decodes `aws-chunked` request bodies (SigV4 streaming uploads and SDK trailing checksums):
//   <hex size>[;chunk-signature=...]\r\n<data>\r\n ... 0[;...]\r\n[trailer: value\r\n]*\r\n
// Only the payload is passed on; what is stored is the decoded object, never the framing.
//
// With a ChunkSigning (a STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER] request on a gateway with
// credentials) every chunk's signature must chain from the request's own signature, as the SigV4
// streaming spec defines it, and a signed trailer (x-amz-trailer-signature) must match its trailers.
// A chunk's bytes go downstream as they arrive and its signature is checked at its end: a mismatch fails
// the stream, so the store drops what it was writing.
import * as crypto from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';
import { ChunkSigning, EMPTY_SHA256 } from '../auth';
import { GatewayError } from '../errors';

const MAX_LINE = 4096;
const TRAILER_SIGNATURE = 'x-amz-trailer-signature';

export function isAwsChunked(headers: Record<string, string | string[] | undefined>): boolean {
  // Content-Encoding: aws-chunked alone says nothing (S3 stores such a body as sent): the payload hash does.
  return String(headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');
}

export class AwsChunkedDecoder extends Transform {
  private state: 'size' | 'data' | 'data-crlf' | 'trailer' | 'done' = 'size';
  private line = '';
  private remaining = 0;
  readonly trailers: Record<string, string> = {};
  // Signed streaming only: the chain so far, the current chunk's declared signature and running hash.
  private previous: string;
  private declared = '';
  private chunkHash?: crypto.Hash;
  private chunks = 0;
  private trailerText = '';
  private trailerSignature?: string;

  constructor(private readonly signing?: ChunkSigning) {
    super();
    this.previous = signing?.seed ?? '';
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      let i = 0;
      while (i < chunk.length) {
        if (this.state === 'data') {
          const n = Math.min(this.remaining, chunk.length - i);
          const piece = chunk.subarray(i, i + n);
          this.chunkHash?.update(piece);
          this.push(piece);
          i += n;
          this.remaining -= n;
          if (this.remaining === 0) {
            if (this.chunkHash) this.verifyChunk(this.chunkHash.digest('hex'));
            this.state = 'data-crlf';
          }
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
        const [size, ...extensions] = line.split(';');
        const hex = size.trim();
        if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) throw this.malformed(`bad chunk size "${hex.slice(0, 20)}"`);
        this.remaining = parseInt(hex, 16);
        this.chunks++;
        if (this.signing) {
          const sig = extensions.map((e) => e.trim()).find((e) => e.startsWith('chunk-signature='))?.slice('chunk-signature='.length);
          if (!sig) throw this.badSignature(`chunk ${this.chunks} has no chunk-signature`);
          this.declared = sig;
          if (this.remaining === 0) this.verifyChunk(EMPTY_SHA256);
          else this.chunkHash = crypto.createHash('sha256');
        }
        this.state = this.remaining === 0 ? 'trailer' : 'data';
        return;
      }
      case 'data-crlf':
        if (line !== '') throw this.malformed('chunk data longer than its declared size');
        this.state = 'size';
        return;
      case 'trailer':
        if (line === '') {
          this.verifyTrailer();
          this.state = 'done';
          return;
        }
        {
          const colon = line.indexOf(':');
          if (colon <= 0) return;
          const name = line.slice(0, colon).trim().toLowerCase();
          const value = line.slice(colon + 1).trim();
          if (name === TRAILER_SIGNATURE) this.trailerSignature = value;
          else {
            this.trailers[name] = value;
            this.trailerText += `${name}:${value}\n`;
          }
        }
        return;
      default:
        return;
    }
  }

  /** Chunk string to sign: algorithm, date, scope, previous signature, empty-headers hash, data hash. */
  private verifyChunk(dataHash: string): void {
    const s = this.signing!;
    this.chunkHash = undefined;
    const expected = hmacHex(s.key, `AWS4-HMAC-SHA256-PAYLOAD\n${s.amzDate}\n${s.scope}\n${this.previous}\n${EMPTY_SHA256}\n${dataHash}`);
    if (!sameHex(expected, this.declared)) throw this.badSignature(`the signature of chunk ${this.chunks} does not match its data`);
    this.previous = expected;
  }

  /** The trailer's signature chains from the final (empty) chunk's and covers the trailers as name:value lines. */
  private verifyTrailer(): void {
    const s = this.signing;
    if (!s || (this.trailerSignature === undefined && this.trailerText === '')) return;
    // The spec signs the trailers of a signed stream: unsigned ones there could be anybody's.
    if (this.trailerSignature === undefined) throw this.badSignature('the trailers of a signed stream carry no x-amz-trailer-signature');
    const trailersHash = crypto.createHash('sha256').update(this.trailerText, 'latin1').digest('hex');
    const expected = hmacHex(s.key, `AWS4-HMAC-SHA256-TRAILER\n${s.amzDate}\n${s.scope}\n${this.previous}\n${trailersHash}`);
    if (!sameHex(expected, this.trailerSignature)) throw this.badSignature('the trailer signature does not match the trailers');
  }

  override _flush(cb: TransformCallback): void {
    // Some clients end right after the 0-size chunk (or the trailers) without the final CRLF.
    if (this.state === 'done') return cb();
    if (this.state !== 'trailer') return cb(this.malformed('body ended inside a chunk'));
    try {
      if (this.line !== '') this.onLine(this.line);
      this.verifyTrailer();
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }

  private malformed(why: string): GatewayError {
    return new GatewayError(400, 'IncompleteBody', `Malformed aws-chunked body: ${why}`);
  }

  private badSignature(why: string): GatewayError {
    return new GatewayError(403, 'SignatureDoesNotMatch', `The request signature we calculated does not match the signature you provided: ${why}.`);
  }
}

function hmacHex(key: Uint8Array, text: string): string {
  return crypto.createHmac('sha256', key).update(text, 'utf8').digest('hex');
}

function sameHex(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'latin1');
  const b = Buffer.from(given.toLowerCase(), 'latin1');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
