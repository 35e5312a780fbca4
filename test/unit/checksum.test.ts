import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checksumOf, initChecksums, CHECKSUM_TYPES } from '../../src/gateway/checksum';

// Known values from ../shared/checksum-vectors.md (AIStore's own encodings).
const mib = Buffer.alloc(1024 * 1024);
for (let i = 0; i < mib.length; i++) mib[i] = i % 251;
const vectors: [string, Buffer, Record<string, string>][] = [
  ['empty', Buffer.alloc(0), { xxhash: 'ef46db3751d8e999', crc32c: '00000000', md5: 'd41d8cd98f00b204e9800998ecf8427e', sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' }],
  ['abc', Buffer.from('abc'), { xxhash: '44bc2cf5ad770999', crc32c: '364b3fb7', md5: '900150983cd24fb0d6963f7d28e17f72', sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' }],
  ['123456789', Buffer.from('123456789'), { xxhash: '8cb841db40e6ae83', crc32c: 'e3069283', md5: '25f9e794323b453885f5181f1b624d0b', sha256: '15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225' }],
  ['1 MiB i%251', mib, { xxhash: '89ac0399c4464a31', crc32c: 'dc3e0071', md5: '8f293a2f6c19b345152f7a49bb4c643c', sha256: '631b84027d6b9e52b539c4e8373622d23032dfadc64d60af87339c9037e4f769' }],
];

test('checksums match AIStore test vectors', async () => {
  await initChecksums();
  for (const [name, data, want] of vectors) {
    for (const [type, value] of Object.entries(want)) {
      assert.equal(checksumOf(type as never, data), value, `${type} of ${name}`);
      if (type === 'xxhash') assert.equal(checksumOf('xxhash2', data), value, `xxhash2 of ${name}`);
    }
  }
});

test('streamed hashing in chunks equals one-shot', async () => {
  await initChecksums();
  const { createHasher } = await import('../../src/gateway/checksum');
  for (const type of CHECKSUM_TYPES) {
    const h = createHasher(type);
    for (let off = 0; off < mib.length; off += 65537) h.update(mib.subarray(off, off + 65537));
    assert.equal(h.digest(), checksumOf(type, mib), type);
  }
  assert.equal(checksumOf('sha512', 'abc').length, 128);
});
