// Shared by the gateway and the client layer (download verification); no vscode, no I/O.
// Object checksums exactly as AIStore writes them (cmn/cos/cksum.go): lowercase hex of the big-endian
// digest. xxhash and xxhash2 are both XXH64 with seed 0; crc32c is CRC-32 Castagnoli.
import * as crypto from 'node:crypto';
import xxhashWasm from 'xxhash-wasm';
import { Crc32c } from '@aws-crypto/crc32c';

export const CHECKSUM_TYPES = ['none', 'xxhash', 'xxhash2', 'md5', 'crc32c', 'sha256', 'sha512'] as const;
export type ChecksumType = (typeof CHECKSUM_TYPES)[number];

export function isChecksumType(value: unknown): value is ChecksumType {
  return typeof value === 'string' && (CHECKSUM_TYPES as readonly string[]).includes(value);
}

export interface Hasher {
  update(chunk: Uint8Array): void;
  /** Lowercase hex; '' for type none. */
  digest(): string;
}

let xxhashApi: Awaited<ReturnType<typeof xxhashWasm>> | undefined;
let xxhashLoading: Promise<void> | undefined;

/** Loads the WASM xxhash once; call before createHasher for xxhash types (store startup does). */
export function initChecksums(): Promise<void> {
  if (xxhashApi) return Promise.resolve();
  xxhashLoading ??= xxhashWasm().then((api) => {
    xxhashApi = api;
  });
  return xxhashLoading;
}

export function createHasher(type: ChecksumType): Hasher {
  switch (type) {
    case 'none':
      return { update() {}, digest: () => '' };
    case 'md5':
    case 'sha256':
    case 'sha512': {
      const h = crypto.createHash(type);
      return { update: (c) => void h.update(c), digest: () => h.digest('hex') };
    }
    case 'xxhash':
    case 'xxhash2': {
      if (!xxhashApi) throw new Error('checksums not initialised: await initChecksums() first');
      const h = xxhashApi.create64(0n);
      return { update: (c) => void h.update(c), digest: () => h.digest().toString(16).padStart(16, '0') };
    }
    case 'crc32c': {
      const h = new Crc32c();
      return { update: (c) => void h.update(c), digest: () => (h.digest() >>> 0).toString(16).padStart(8, '0') };
    }
  }
}

/** crypto.hash (Node ≥ 20.12): a one-shot digest without the Hash object a stream needs. */
const oneShotHash = (crypto as { hash?: (alg: string, data: Uint8Array | string, enc: 'hex') => string }).hash;

export function checksumOf(type: ChecksumType, data: Uint8Array | string): string {
  if (oneShotHash && (type === 'md5' || type === 'sha256' || type === 'sha512')) return oneShotHash(type, data, 'hex');
  const h = createHasher(type);
  h.update(typeof data === 'string' ? Buffer.from(data) : data);
  return h.digest();
}
