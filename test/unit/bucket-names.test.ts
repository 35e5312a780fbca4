// Bucket names checked as they are typed (Create Bucket's step): AIStore's rules everywhere, S3's stricter
// ones on an S3 endpoint, each refusal naming what is wrong.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { validateBucketName } from '../../src/objects/names';

test('AIStore bucket names: letters, digits, "-", "_", "."; the first bad character named', () => {
  for (const ok of ['my-bucket', 'My_Bucket.v2', 'a', 'x'.repeat(255)]) assert.equal(validateBucketName(ok), undefined, ok);
  assert.equal(validateBucketName(''), 'Enter a bucket name.');
  assert.match(validateBucketName('Bad Name!')!, /^" " is not allowed in a bucket name/);
  assert.match(validateBucketName('a/b')!, /^"\/" is not allowed/);
  assert.match(validateBucketName('..')!, /cannot be bucket names/);
  assert.match(validateBucketName('x'.repeat(256))!, /at most 255/);
});

test('S3 bucket names: 3 to 63 lowercase letters, digits, "-" and ".", a letter or digit at each end, no IP address', () => {
  for (const ok of ['my-bucket', 'logs.2026', 'abc', 'a'.repeat(63)]) assert.equal(validateBucketName(ok, 's3'), undefined, ok);
  assert.match(validateBucketName('ab', 's3')!, /3 to 63 characters/);
  assert.match(validateBucketName('a'.repeat(64), 's3')!, /3 to 63 characters/);
  assert.match(validateBucketName('My-Bucket', 's3')!, /^"M" is not allowed in an S3 bucket name/);
  assert.match(validateBucketName('my_bucket', 's3')!, /^"_" is not allowed in an S3 bucket name/);
  assert.match(validateBucketName('-bucket', 's3')!, /starts and ends with a letter or a digit/);
  assert.match(validateBucketName('bucket.', 's3')!, /starts and ends with a letter or a digit/);
  assert.match(validateBucketName('my..bucket', 's3')!, /two dots in a row/);
  assert.match(validateBucketName('192.168.1.1', 's3')!, /IP address/);
  // What AIStore allows and S3 does not is refused only on S3.
  assert.equal(validateBucketName('My_Bucket'), undefined);
});
