// User metadata that is not ASCII (é, ключ, 日本) through both clients against a real embedded gateway:
// set at put, read back by head, replaced in place, and read across APIs (AIS client writes, S3 SDK reads,
// and the other way round). Header values are bytes; UTF-8 must come back as sent, never Latin-1 mojibake.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { createClusterClient } from '../../src/client';
import { fromEncodedWords, toEncodedWord } from '../../src/common/encodedwords';
import { bodyOf } from '../helpers/data';
import { startTestGateway } from '../helpers/gateway';
import { request } from '../helpers/http';

/** A header value as Node carries the UTF-8 bytes of `s` (Latin-1, one char a byte). */
const bytesOf = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

const META = { note: 'café é', word: 'ключ 日本' };

for (const kind of ['ais', 's3'] as const) {
  test(`${kind} client: UTF-8 user metadata round-trips at put, head and in-place edit, and across APIs`, async () => {
    const gw = await startTestGateway();
    const client = createClusterClient(kind === 'ais' ? { kind, endpoint: gw.url } : { kind, endpoint: gw.s3Endpoint, accessKey: 'k', secretKey: 's' });
    const b = { name: 'utf8', provider: kind === 'ais' ? 'ais' : 's3' };
    try {
      await client.createBucket(b);
      await client.putObject(b, 'k', bodyOf('x'), { contentType: 'text/plain', userMeta: META });
      assert.deepEqual((await client.headObject(b, 'k')).userMeta, META);
      // On the wire (the S3 API, as the aws CLI reads it): the UTF-8 bytes.
      const head = await request('HEAD', `${gw.s3Endpoint}/utf8/k`);
      assert.deepEqual([head.headers['x-amz-meta-note'], head.headers['x-amz-meta-word']], [bytesOf(META.note), bytesOf(META.word)]);
      await client.setObjectMetadata(b, 'k', { contentType: 'text/plain', userMeta: { edited: 'naïve ü' } });
      assert.deepEqual((await client.headObject(b, 'k')).userMeta, { edited: 'naïve ü' });
      // Written as the aws CLI does (raw UTF-8 bytes), read by the client.
      const put = await request('PUT', `${gw.s3Endpoint}/utf8/cli`, { headers: { 'x-amz-meta-who': bytesOf('Zoë ключ') }, body: Buffer.from('y') });
      assert.equal(put.status, 200);
      assert.deepEqual((await client.headObject(b, 'cli')).userMeta, { who: 'Zoë ключ' });
    } finally {
      client.dispose?.();
      await gw.dispose();
    }
  });
}

test('s3 client: non-ASCII metadata goes as RFC 2047 encoded words, so a SigV4-checking server accepts it, and comes back decoded', async () => {
  const keys = { accessKey: 'AKIAUTF8TEST', secretKey: 'utf8-secret-key/0123456789' };
  const gw = await startTestGateway({ credentials: keys });
  const client = createClusterClient({ kind: 's3', endpoint: gw.s3Endpoint, ...keys });
  const b = { name: 'signed-utf8', provider: 's3' };
  try {
    await client.createBucket(b);
    await client.putObject(b, 'k', bodyOf('x'), { contentType: 'text/plain', userMeta: META });
    assert.deepEqual((await client.headObject(b, 'k')).userMeta, META);
    await client.setObjectMetadata(b, 'k', { contentType: 'text/plain', userMeta: { edited: 'naïve ü' } });
    assert.deepEqual((await client.headObject(b, 'k')).userMeta, { edited: 'naïve ü' });
  } finally {
    client.dispose?.();
    await gw.dispose();
  }
});

test('RFC 2047 encoded words: B and Q, adjacent words joined, other charsets and plain text left alone', () => {
  assert.equal(toEncodedWord('plain ascii'), 'plain ascii');
  assert.equal(toEncodedWord('café'), `=?UTF-8?B?${Buffer.from('café').toString('base64')}?=`);
  for (const v of ['café é', 'ключ 日本', 'a\u0000b', '=?not a word?=']) assert.equal(fromEncodedWords(toEncodedWord(v)), v);
  assert.equal(fromEncodedWords('=?utf-8?q?caf=C3=A9_au_lait?='), 'café au lait');
  assert.equal(fromEncodedWords('=?UTF-8?B?0LrQu9GO0Yc=?= =?UTF-8?B?IOaXpeacrA==?='), 'ключ 日本');
  assert.equal(fromEncodedWords('=?ISO-8859-1?Q?Zo=EB?='), 'Zoë');
  assert.equal(fromEncodedWords('=?KOI8-R?B?68zAyg==?='), '=?KOI8-R?B?68zAyg==?=');
  assert.equal(fromEncodedWords('price =?x'), 'price =?x');
});
