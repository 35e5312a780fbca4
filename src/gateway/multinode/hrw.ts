// Where AIStore places an object: highest random weight over the targets (core/meta/hrw.go HrwName2T,
// HrwHash2T). The object's uname "provider/@#/bucket/object" (cmn/bck.go MakeUname; "@#" is the global
// namespace, NsGlobalUname) is hashed with xxhash64 seeded by cos.MLCG32 (onexxh.Checksum64S); each
// target's weight is xoshiro256.Hash(target.IDDigest ^ digest) (cmn/xoshiro256/xoshiro.go), where
// IDDigest is xxhash64 of the node id with the same seed (core/meta/smap.go setDigest). The largest wins.
import xxhashWasm from 'xxhash-wasm';

/** cos.MLCG32, the seed of every xxhash64 above. */
export const MLCG32 = 1103515245n;
const MASK = (1n << 64n) - 1n;

let api: Awaited<ReturnType<typeof xxhashWasm>> | undefined;

/** Loads the xxhash implementation once; the sync functions below need it. */
export async function initHrw(): Promise<void> {
  api ??= await xxhashWasm();
}

function xxh64(s: string): bigint {
  if (!api) throw new Error('initHrw() must complete before HRW is computed');
  return api.h64(s, MLCG32);
}

/** onexxh.Checksum64S(id, MLCG32): a node's IDDigest. */
export function idDigest(id: string): bigint {
  return xxh64(id);
}

/** cmn.Bck.MakeUname for a bucket in the global namespace. */
export function objectUname(provider: string, bucket: string, key: string): string {
  return `${provider}/@#/${bucket}/${key}`;
}

/** xoshiro256.Hash: splitmix64 twice over, then xoshiro256**'s scrambler (rotl 7, *9), mod 2^64. */
export function xoshiro256Hash(seed: bigint): bigint {
  let z = (seed + 0x9e3779b97f4a7c15n) & MASK;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
  z = ((z ^ (z >> 31n)) + 0x9e3779b97f4a7c15n) & MASK;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
  z = ((z ^ (z >> 31n)) * 5n) & MASK;
  const rotated = ((z << 7n) | (z >> 57n)) & MASK;
  return (rotated * 9n) & MASK;
}

export interface HrwNode {
  id: string;
  /** IDDigest (idDigest(id)). */
  digest: bigint;
}

/** Smap.HrwName2T: the target an object's uname maps to; undefined with no targets. */
export function hrwTarget<T extends HrwNode>(targets: readonly T[], uname: string): T | undefined {
  const digest = xxh64(uname);
  let best: T | undefined;
  let max = -1n;
  for (const t of targets) {
    const cs = xoshiro256Hash(t.digest ^ digest);
    // Go iterates a map (random order) with `>=`: a tie is astronomically unlikely; break it by id here.
    if (cs > max || (cs === max && best && t.id > best.id)) {
      max = cs;
      best = t;
    }
  }
  return best;
}
