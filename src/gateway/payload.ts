// The request body checked against what its signature covers (auth.ts payloadSigning): the hex
// x-amz-content-sha256 of a signed payload. Without credentials, or for an unsigned payload, the request
// itself is returned: no extra stream, no hashing.
import * as crypto from 'node:crypto';
import type * as http from 'node:http';
import { Readable, Transform, TransformCallback } from 'node:stream';
import { ChunkSigning, payloadSigning } from './auth';
import { GatewayError } from './errors';

/** The raw body (before any aws-chunked decoding), failing at its end when its SHA-256 is not the declared one. */
export function verifiedPayload(req: http.IncomingMessage): Readable {
  const expected = payloadSigning(req)?.sha256;
  if (expected === undefined) return req;
  const verifier = new PayloadSha256Verifier(expected);
  // pipe() forwards neither errors nor aborts: without these the store would wait for an end that never comes.
  req.on('error', (e) => verifier.destroy(e));
  req.on('aborted', () => verifier.destroy(new GatewayError(400, 'IncompleteBody', 'The client closed the connection mid-body')));
  return req.pipe(verifier);
}

/** The key and seed a signed streaming upload's chunk signatures are checked with, if it is one. */
export function chunkSigning(req: http.IncomingMessage): ChunkSigning | undefined {
  return payloadSigning(req)?.chunks;
}

export class PayloadSha256Verifier extends Transform {
  private readonly hash = crypto.createHash('sha256');

  constructor(private readonly expected: string) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    const actual = this.hash.digest('hex');
    if (actual === this.expected) return cb();
    cb(
      new GatewayError(400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", {
        ClientComputedContentSHA256: this.expected,
        S3ComputedContentSHA256: actual,
      }),
    );
  }
}
