#!/usr/bin/env python3
# Prints the HRW vectors test/unit/multinode.test.ts checks: run `python3 scripts/hrw-vectors.py`.
# Expected HRW placements, computed independently of the TS code: XXH64 from the C reference library
# (libxxhash via ctypes), xoshiro256.Hash and HrwHash2T as AIStore's python SDK writes them.
import ctypes
lib = ctypes.CDLL('libxxhash.so.0')
lib.XXH64.restype = ctypes.c_uint64
lib.XXH64.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint64]
SEED = 1103515245
M = (1 << 64) - 1
def xxh(s):
    b = s.encode()
    return lib.XXH64(b, len(b), SEED)
def xo(seed):
    z = (seed + 0x9E3779B97F4A7C15) & M
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9 & M
    z = (z ^ (z >> 27)) * 0x94D049BB133111EB & M
    z = (z ^ (z >> 31)) + 0x9E3779B97F4A7C15 & M
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9 & M
    z = (z ^ (z >> 27)) * 0x94D049BB133111EB & M
    z = (z ^ (z >> 31)) * 5 & M
    r = ((z << 7) | (z >> 57)) & M
    return r * 9 & M
print('xo', xo(123456789), xo(0), xo(M))
print('empty', hex(lib.XXH64(b'', 0, 0)), hex(lib.XXH64(b'', 0, 2654435761)))
ids = ['pCRjFine', 'VnVoanXX', 'MVZBknaW']
for i in ids: print('digest', i, xxh(i))
for name in ['ais/@#/b1/o1','ais/@#/b1/o2','ais/@#/b1/o5','ais/@#/b1/o6','ais/@#/photos/2024/cat.jpg','ais/@#/data/shard-000017.tar','ais/@#/b/ключ/ü.txt']:
    d = xxh(name)
    best = max(ids, key=lambda i: xo(xxh(i) ^ d))
    print(repr(name), best)
print('---')
for k in range(12):
    name = f'ais/@#/vec/obj-{k}'
    d = xxh(name); print(repr(name), max(ids, key=lambda i: xo(xxh(i) ^ d)))
print('digest-proxy RDmEQlcX', xxh('RDmEQlcX'))
