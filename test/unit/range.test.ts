// The Range header as both APIs read it: the same ranges, and the two policies for a header they cannot
// use (S3 sends the whole object, native answers 416).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseRange, RangeNotSatisfiable } from '../../src/gateway/range';

const notSatisfiable = (size: number, message: RegExp) => (e: unknown) => {
  assert.ok(e instanceof RangeNotSatisfiable, `a RangeNotSatisfiable, got ${String(e)}`);
  assert.equal(e.status, 416);
  assert.equal(e.code, 'InvalidRange');
  assert.equal(e.size, size);
  assert.equal(e.extra.ActualObjectSize, String(size));
  assert.match(e.message, message);
  return true;
};

for (const policy of ['s3', 'native'] as const) {
  test(`range (${policy}): first-last, open end, suffix, clamped to the size`, () => {
    assert.deepEqual(parseRange('bytes=0-9', 100, policy), { start: 0, end: 9 });
    assert.deepEqual(parseRange('bytes=10-', 100, policy), { start: 10, end: 99 });
    assert.deepEqual(parseRange('bytes=-30', 100, policy), { start: 70, end: 99 });
    assert.deepEqual(parseRange('bytes=-300', 100, policy), { start: 0, end: 99 }, 'a suffix longer than the object is all of it');
    assert.deepEqual(parseRange('bytes=90-500', 100, policy), { start: 90, end: 99 });
    assert.deepEqual(parseRange(' bytes=5-5 ', 100, policy), { start: 5, end: 5 });
  });

  test(`range (${policy}): no header, or another unit, is the whole object`, () => {
    assert.equal(parseRange(undefined, 100, policy), undefined);
    assert.equal(parseRange('', 100, policy), undefined);
    assert.equal(parseRange('items=0-9', 100, policy), undefined);
  });

  test(`range (${policy}): past the end, an empty suffix, any range of an empty object are 416`, () => {
    const said = policy === 's3' ? /^The requested range is not satisfiable \(object size 100\)$/ : /^range "bytes=100-" is not satisfiable \(object size 100\)$/;
    assert.throws(() => parseRange('bytes=100-', 100, policy), notSatisfiable(100, said));
    assert.throws(() => parseRange('bytes=200-300', 100, policy), notSatisfiable(100, /not satisfiable/));
    assert.throws(() => parseRange('bytes=-0', 100, policy), notSatisfiable(100, /not satisfiable/));
    assert.throws(() => parseRange('bytes=0-', 0, policy), notSatisfiable(0, /not satisfiable \(object size 0\)/));
    assert.throws(() => parseRange('bytes=-5', 0, policy), notSatisfiable(0, /not satisfiable \(object size 0\)/));
  });
}

test('range (s3): a header S3 cannot use is ignored, the whole object sent', () => {
  for (const h of ['bytes=0-1,5-9', 'bytes=0-9,', 'bytes=-', 'bytes=abc', 'bytes=9-2', 'bytes= 0-9', 'Bytes=0-9']) {
    assert.equal(parseRange(h, 100, 's3'), undefined, h);
  }
});

test('range (native): several ranges or a malformed one are 416, as AIStore answers them', () => {
  assert.throws(() => parseRange('bytes=0-1,5-9', 100, 'native'), notSatisfiable(100, /^multi-range read is not supported$/));
  assert.throws(() => parseRange('bytes=0-9,', 100, 'native'), notSatisfiable(100, /^multi-range read is not supported$/));
  for (const h of ['bytes=-', 'bytes=abc', 'bytes=9-2']) {
    assert.throws(() => parseRange(h, 100, 'native'), notSatisfiable(100, new RegExp(`^invalid range "${h}"$`)), h);
  }
  // The native reader is looser than the S3 one about spacing and the unit's case.
  assert.deepEqual(parseRange('bytes= 0-9', 100, 'native'), { start: 0, end: 9 });
  assert.deepEqual(parseRange('Bytes=0-9', 100, 'native'), { start: 0, end: 9 });
});
