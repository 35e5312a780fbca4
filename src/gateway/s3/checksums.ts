// S3's additional checksums (x-amz-checksum-crc32 | crc32c | crc64nvme | sha1 | sha256), which the AWS SDKs
// and botocore ≥ 1.36 send with PutObject and UploadPart, in a header or as an aws-chunked trailer. The
// value is the base64 of the big-endian digest. A body that does not match is refused (BadDigest) before
// anything is stored, as S3 does.
import * as crypto from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';
import { Crc32c } from '@aws-crypto/crc32c';
import { GatewayError } from '../errors';

export const AMZ_CHECKSUM_ALGORITHMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const;
export type AmzChecksumAlgorithm = (typeof AMZ_CHECKSUM_ALGORITHMS)[number];

interface Digest {
  update(chunk: Buffer): void;
  /** The big-endian digest bytes. */
  digest(): Buffer;
}

let crc32Table: Uint32Array | undefined;
function crc32Js(): Digest {
  if (!crc32Table) {
    crc32Table = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crc32Table[i] = c >>> 0;
    }
  }
  const t = crc32Table;
  let crc = 0xffffffff;
  return {
    update(chunk) {
      for (let i = 0; i < chunk.length; i++) crc = t[(crc ^ chunk[i]) & 0xff] ^ (crc >>> 8);
    },
    digest() {
      const out = Buffer.alloc(4);
      out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
      return out;
    },
  };
}

function crc32(): Digest {
  const native = (zlib as unknown as { crc32?: (data: Buffer, value?: number) => number }).crc32;
  if (!native) return crc32Js();
  let value = 0;
  return {
    update: (chunk) => void (value = native(chunk, value)),
    digest() {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(value >>> 0);
      return out;
    },
  };
}

// CRC-64/NVME: reflected, polynomial 0x9a6c9329ac4bc9b5, init and xorout all ones. Two 32-bit halves
// keep it in plain integer arithmetic.
let crc64Tables: [Uint32Array, Uint32Array] | undefined;
function crc64nvme(): Digest {
  if (!crc64Tables) {
    const lo = new Uint32Array(256);
    const hi = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let l = i;
      let h = 0;
      for (let k = 0; k < 8; k++) {
        const bit = l & 1;
        l = ((l >>> 1) | ((h & 1) << 31)) >>> 0;
        h = h >>> 1;
        if (bit) {
          l = (l ^ 0xac4bc9b5) >>> 0;
          h = (h ^ 0x9a6c9329) >>> 0;
        }
      }
      lo[i] = l;
      hi[i] = h;
    }
    crc64Tables = [lo, hi];
  }
  const [tl, th] = crc64Tables;
  let l = 0xffffffff;
  let h = 0xffffffff;
  return {
    update(chunk) {
      for (let i = 0; i < chunk.length; i++) {
        const idx = (l ^ chunk[i]) & 0xff;
        l = (((l >>> 8) | (h << 24)) ^ tl[idx]) >>> 0;
        h = ((h >>> 8) ^ th[idx]) >>> 0;
      }
    },
    digest() {
      const out = Buffer.alloc(8);
      out.writeUInt32BE((h ^ 0xffffffff) >>> 0, 0);
      out.writeUInt32BE((l ^ 0xffffffff) >>> 0, 4);
      return out;
    },
  };
}

export function createAmzDigest(algorithm: AmzChecksumAlgorithm): Digest {
  switch (algorithm) {
    case 'crc32':
      return crc32();
    case 'crc32c': {
      const h = new Crc32c();
      return {
        update: (c) => void h.update(c),
        digest() {
          const out = Buffer.alloc(4);
          out.writeUInt32BE(h.digest() >>> 0);
          return out;
        },
      };
    }
    case 'crc64nvme':
      return crc64nvme();
    case 'sha1':
    case 'sha256': {
      const h = crypto.createHash(algorithm);
      return { update: (c) => void h.update(c), digest: () => h.digest() };
    }
  }
}

/** base64 of the S3 checksum of `data` (for tests and for echoing). */
export function amzChecksumOf(algorithm: AmzChecksumAlgorithm, data: Buffer): string {
  const d = createAmzDigest(algorithm);
  d.update(data);
  return d.digest().toString('base64');
}

const NAMES: Record<AmzChecksumAlgorithm, string> = {
  crc32: 'CRC32',
  crc32c: 'CRC32C',
  crc64nvme: 'CRC64NVME',
  sha1: 'SHA1',
  sha256: 'SHA256',
};

function isAlgorithm(value: string): value is AmzChecksumAlgorithm {
  return (AMZ_CHECKSUM_ALGORITHMS as readonly string[]).includes(value);
}

/**
 * Which additional checksum a request carries: in a header (value known now) or announced in
 * x-amz-trailer (value read from the aws-chunked trailer at the end). Undefined when none.
 */
export function requestedChecksum(
  headers: Record<string, string | string[] | undefined>,
): { algorithm: AmzChecksumAlgorithm; header?: string; trailer?: string } | undefined {
  for (const algorithm of AMZ_CHECKSUM_ALGORITHMS) {
    const v = headers[`x-amz-checksum-${algorithm}`];
    if (v !== undefined) return { algorithm, header: String(v).trim() };
  }
  const trailer = String(headers['x-amz-trailer'] ?? '').trim().toLowerCase();
  const m = /^x-amz-checksum-([a-z0-9]+)$/.exec(trailer);
  if (m && isAlgorithm(m[1])) return { algorithm: m[1], trailer };
  return undefined;
}

/**
 * A pass-through that computes the requested checksum and fails at the end of the body when it does not
 * match (so the store drops the temp file). `trailers` is read at the end: the aws-chunked decoder fills it.
 */
export class AmzChecksumVerifier extends Transform {
  private readonly digest: Digest;
  /** base64 of what the body had, once it ended and matched. */
  value?: string;

  constructor(
    readonly algorithm: AmzChecksumAlgorithm,
    private readonly expected: () => string | undefined,
  ) {
    super();
    this.digest = createAmzDigest(algorithm);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.digest.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    const actual = this.digest.digest().toString('base64');
    const expected = this.expected();
    if (expected === undefined || expected === '') {
      // Announced as a trailer that never came: nothing to check against (S3 would refuse; be lenient).
      this.value = actual;
      return cb();
    }
    if (expected !== actual)
      return cb(
        new GatewayError(400, 'BadDigest', `The ${NAMES[this.algorithm]} you specified did not match the calculated checksum.`),
      );
    this.value = actual;
    cb();
  }
}
