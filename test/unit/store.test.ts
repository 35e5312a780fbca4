// The gateway's store on its own: keys are keys (never paths), writes are atomic, listings are in UTF-8
// byte order and paged, state survives a restart.
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { checksumOf, initChecksums } from '../../src/gateway/checksum';
import { GatewayError } from '../../src/gateway/errors';
import { Store } from '../../src/gateway/store/store';
import type { BucketRef } from '../../src/gateway/store/types';
import { makeTempDir, removeDir } from '../helpers/temp';
import { readAll } from '../helpers/data';

const md5 = (b: Uint8Array | string) => crypto.createHash('md5').update(b).digest('hex');
const from = (b: Buffer | string) => Readable.from([typeof b === 'string' ? Buffer.from(b) : b]);

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof GatewayError) return e.code;
    throw e;
  }
  return 'ok';
}

/** Every file under dir, relative. */
function walk(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

/** S3 lists keys in UTF-8 byte order. */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

describe('store', () => {
  let dir: string;
  let store: Store;
  const b: BucketRef = { provider: 'ais', name: 'bkt' };

  before(async () => {
    dir = makeTempDir('store');
    store = await Store.open(path.join(dir, 'data'), { defaultChecksum: 'xxhash' });
    await store.createBucket(b);
  });
  after(() => removeDir(dir));

  test('odd keys are keys: they round-trip and never escape or touch anything outside the bucket', async () => {
    const canary = path.join(dir, 'canary');
    fs.writeFileSync(canary, 'untouched');
    const keys = [
      '..',
      '.',
      '../canary',
      '../../canary',
      '../../../../../../../../etc/passwd',
      '/etc/passwd',
      '/leading-slash',
      '//double',
      'a/../../canary',
      'trailing/',
      'a//b',
      'props.json',
      '../props.json',
      'objects',
      'uploads/0123456789abcdef0123456789abcdef/upload.json',
      'C:\\Windows\\win.ini',
      '\\..\\canary',
      'con',
      'nul.txt',
      ' space ',
      'tab\there',
      'new\nline',
      '%2e%2e%2fcanary',
      '😀 emoji',
      'x'.repeat(1024),
      'é'.repeat(512),
    ];
    for (const [i, k] of keys.entries()) {
      const meta = await store.putObject(b, k, from(`value ${i}`));
      assert.equal(meta.key, k);
    }
    for (const [i, k] of keys.entries()) {
      const { stream, meta } = await store.getObject(b, k);
      assert.equal((await readAll(stream)).toString(), `value ${i}`, JSON.stringify(k));
      assert.equal(meta.key, k);
    }
    const page = await store.listObjects(b, { maxKeys: 1000 });
    assert.deepEqual(page.objects.map((o) => o.key), [...keys].sort(byteOrder));
    assert.equal(fs.readFileSync(canary, 'utf8'), 'untouched');
    assert.ok(!fs.existsSync('/leading-slash'));
    // Every file the store made is its own: config, bucket props, its index files, and hashed object files.
    const data = path.join(dir, 'data');
    for (const f of walk(data)) {
      assert.match(f, /^(config\.json|tmp\/[0-9a-f]{24}|buckets\/ais\/bkt\/(props\.json|index\.snap|index\.journal\.\d+|objects\/[0-9a-f]{2}\/[0-9a-f]{64}))$/, f);
    }
    const props = JSON.parse(fs.readFileSync(path.join(data, 'buckets/ais/bkt/props.json'), 'utf8'));
    assert.equal(props.checksum.type, 'xxhash', 'the key "props.json" did not overwrite the bucket props');
    for (const k of keys) await store.deleteObject(b, k);
    assert.equal((await store.listObjects(b, { maxKeys: 10 })).objects.length, 0);
  });

  test('invalid keys are refused before anything is written', async () => {
    assert.equal(await code(store.putObject(b, '', from('x'))), 'InvalidArgument');
    assert.equal(await code(store.putObject(b, 'nul\0byte', from('x'))), 'InvalidArgument');
    assert.equal(await code(store.putObject(b, 'x'.repeat(1025), from('x'))), 'KeyTooLongError');
    assert.equal(await code(store.putObject(b, 'é'.repeat(513), from('x'))), 'KeyTooLongError', '1026 UTF-8 bytes');
    assert.equal(await code(store.putObject(b, 'lone \ud800 surrogate', from('x'))), 'InvalidArgument');
    assert.equal(await code(store.getObject(b, '..')), 'NoSuchKey');
    assert.equal(await code(store.putObject({ provider: 'ais', name: '..' }, 'k', from('x'))), 'NoSuchBucket');
    assert.equal(await code(store.createBucket({ provider: 'ais', name: '..' })), 'InvalidBucketName');
    assert.equal(await code(store.createBucket({ provider: 'ais', name: 'a/b' })), 'InvalidBucketName');
    assert.equal(await code(store.createBucket({ provider: 'ais', name: '../x' })), 'InvalidBucketName');
    assert.deepEqual(walk(path.join(dir, 'data', 'tmp')), [], 'no temp files left');
  });

  test('a failed write changes nothing: body error, short body, bad MD5 — the old version stays whole', async () => {
    const old = crypto.randomBytes(300_000);
    await store.putObject(b, 'atomic', from(old));
    const failing = new Readable({
      read() {
        this.push(crypto.randomBytes(64 * 1024));
        if (Math.random() < 0.3) this.destroy(new Error('client went away'));
      },
    });
    await assert.rejects(store.putObject(b, 'atomic', failing), /client went away/);
    assert.equal(await code(store.putObject(b, 'atomic', from('short'), { expectedSize: 10 })), 'IncompleteBody');
    assert.equal(await code(store.putObject(b, 'atomic', from('other'), { expectedMd5: md5('not it') })), 'BadDigest');
    assert.equal(await code(store.putObject(b, 'atomic', from('other'), { expectedChecksum: { type: 'xxhash', value: '0000000000000000' } })), 'BadDigest');
    const { stream, meta } = await store.getObject(b, 'atomic');
    assert.ok((await readAll(stream)).equals(old));
    assert.deepEqual(meta.checksum, { type: 'xxhash', value: checksumOf('xxhash', old) });
    assert.equal(meta.version, '1');
    assert.equal(await code(store.putObject(b, 'never', from('x'), { expectedMd5: md5('y') })), 'BadDigest');
    assert.equal(await code(store.headObject(b, 'never')), 'NoSuchKey');
    assert.deepEqual(walk(path.join(dir, 'data', 'tmp')), [], 'no temp files left');
  });

  test('small bodies of declared size (read into memory): same file and answers as streamed ones, failures write nothing, ranges right', async () => {
    const keyOf = (n: number) => `small/${n}`;
    // Either side of the in-memory limit, and empty: the in-memory path and the streamed path agree.
    for (const n of [0, 1, 4096, 64 * 1024, 64 * 1024 + 1]) {
      const body = crypto.randomBytes(n);
      const declared = await store.putObject(b, keyOf(n), from(body), { expectedSize: n, expectedMd5: md5(body) });
      const streamed = await store.putObject(b, `${keyOf(n)}-streamed`, from(body), { expectedMd5: md5(body) });
      assert.deepEqual({ ...declared, key: '', mtime: 0, atime: 0 }, { ...streamed, key: '', mtime: 0, atime: 0 }, `${n} bytes`);
      const { stream, meta } = await store.getObject(b, keyOf(n));
      assert.ok((await readAll(stream)).equals(body), `${n} bytes read back`);
      assert.equal(meta.checksum.value, checksumOf('xxhash', body));
    }
    const body = crypto.randomBytes(4096);
    await store.putObject(b, 'small/keep', from(body), { expectedSize: body.length });
    for (const [start, end] of [[0, 0], [100, 199], [4095, 4095], [0, 4095]]) {
      const { stream, range } = await store.getObject(b, 'small/keep', () => ({ start, end }));
      assert.deepEqual(range, { start, end });
      assert.ok((await readAll(stream)).equals(body.subarray(start, end + 1)), `bytes ${start}-${end}`);
    }
    // A body that fails, is short, is long or has the wrong MD5: the old version stays, no temp file.
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1000));
        this.destroy(new Error('client went away'));
      },
    });
    await assert.rejects(store.putObject(b, 'small/keep', failing, { expectedSize: 4096 }), /client went away/);
    assert.equal(await code(store.putObject(b, 'small/keep', from(Buffer.alloc(10)), { expectedSize: 4096 })), 'IncompleteBody');
    assert.equal(await code(store.putObject(b, 'small/keep', from(Buffer.alloc(5000)), { expectedSize: 4096 })), 'InvalidArgument');
    assert.equal(await code(store.putObject(b, 'small/keep', from(Buffer.alloc(4096)), { expectedSize: 4096, expectedMd5: md5('x') })), 'BadDigest');
    const { stream, meta } = await store.getObject(b, 'small/keep');
    assert.ok((await readAll(stream)).equals(body));
    assert.equal(meta.version, '1');
    assert.equal(await code(store.putObject(b, 'small/never', from('ab'), { expectedSize: 3 })), 'IncompleteBody');
    assert.equal(await code(store.headObject(b, 'small/never')), 'NoSuchKey');
    assert.deepEqual(walk(path.join(dir, 'data', 'tmp')), [], 'no temp files left');
    // A copy of a small object takes the same path: bytes and checksum carried over.
    await store.copyObject(b, 'small/keep', b, 'small/copied');
    assert.ok((await readAll((await store.getObject(b, 'small/copied')).stream)).equals(body));
  });

  test('MD5 is computed only when used: md5 buckets, Content-MD5, md5 checksums, parts; not for xxhash', async () => {
    await initChecksums();
    const body = crypto.randomBytes(3 * 1024 * 1024 + 7);
    // xxhash bucket: the ETag is the xxhash, no MD5 recorded (as AIStore), small or large body.
    for (const [key, data] of [['nomd5-small', body.subarray(0, 1000)], ['nomd5-big', body]] as const) {
      const meta = await store.putObject(b, key, from(data), { expectedSize: data.length });
      assert.equal(meta.md5, undefined);
      assert.equal(meta.etag, checksumOf('xxhash', data));
      assert.equal((await store.headObject(b, key)).md5, undefined, 'not in the trailer either');
    }
    // Asked for: Content-MD5 or an md5 checksum is verified and recorded; the ETag stays the bucket checksum.
    const withMd5 = await store.putObject(b, 'md5-asked', from(body), { expectedMd5: md5(body) });
    assert.deepEqual([withMd5.md5, withMd5.etag], [md5(body), checksumOf('xxhash', body)]);
    assert.equal(await code(store.putObject(b, 'md5-asked', from(body), { expectedChecksum: { type: 'md5', value: md5('other') } })), 'BadDigest');
    // md5 bucket: always, and it is the ETag and the checksum.
    const mb: BucketRef = { provider: 'ais', name: 'md5b' };
    await store.createBucket(mb, { checksum: { type: 'md5' } });
    const m = await store.putObject(mb, 'k', from(body));
    assert.deepEqual([m.md5, m.etag, m.checksum.value], [md5(body), md5(body), md5(body)]);
    // Copies follow the destination bucket.
    assert.equal((await store.copyObject(mb, 'k', b, 'copied')).md5, undefined);
    assert.equal((await store.copyObject(b, 'nomd5-big', mb, 'copied')).md5, md5(body));
    // Parts always carry their MD5 (clients compare part ETags); the completed object follows the bucket.
    const up = await store.createUpload(b, 'mp');
    const p1 = crypto.randomBytes(5 * 1024 * 1024);
    const p2 = body.subarray(0, 10);
    const part1 = await store.uploadPart(b, up.uploadId, 1, from(p1));
    const part2 = await store.uploadPart(b, up.uploadId, 2, from(p2));
    assert.deepEqual([part1.etag, part2.etag], [md5(p1), md5(p2)]);
    const done = await store.completeUpload(b, up.uploadId, [
      { partNumber: 1, etag: part1.etag },
      { partNumber: 2, etag: part2.etag },
    ]);
    assert.equal(done.md5, undefined);
    assert.equal(done.checksum.value, checksumOf('xxhash', Buffer.concat([p1, p2])));
  });

  test('hashes are right on either side of the hand-over to the hash worker, for bodies of unknown and of declared size', async () => {
    await initChecksums();
    const kinds: BucketRef[] = [];
    for (const type of ['md5', 'sha256', 'xxhash'] as const) {
      const ref: BucketRef = { provider: 'ais', name: `handover-${type}` };
      await store.createBucket(ref, { checksum: { type } });
      kinds.push(ref);
    }
    const M = 1024 * 1024;
    const data = crypto.randomBytes(3 * M + 5);
    // Irregular chunks, so the 1 MiB threshold falls inside one, arriving slowly enough that what came
    // before it is on disk when the worker takes over.
    const chunked = (buf: Buffer) => Readable.from((async function* () {
      for (let at = 0, n = 1; at < buf.length; at += n, n = (n * 7 + 65_537) % 700_000 || 1) {
        await new Promise((r) => setTimeout(r, 2));
        yield buf.subarray(at, at + n);
      }
    })());
    for (const size of [0, M - 1, M, M + 1, 3 * M + 5]) {
      const body = data.subarray(0, size);
      for (const ref of kinds) {
        const type = ref.name.split('-')[1] as 'md5' | 'sha256' | 'xxhash';
        const want = type === 'md5' ? md5(body) : type === 'sha256' ? crypto.createHash('sha256').update(body).digest('hex') : checksumOf('xxhash', body);
        for (const declared of [false, true]) {
          const key = `h/${size}/${declared}`;
          const meta = await store.putObject(ref, key, chunked(body), { expectedMd5: md5(body), ...(declared && { expectedSize: size }) });
          assert.equal(meta.checksum.value, want, `${type}, ${size} bytes, size ${declared ? 'declared' : 'unknown'}`);
          assert.equal(meta.md5, md5(body));
          assert.ok((await readAll((await store.getObject(ref, key)).stream)).equals(body));
        }
      }
    }
    // A body far larger than the worker may lag behind (two hashes in one worker, slower than the
    // page cache takes bytes): the body waits for the worker now and then; the digests are still right.
    const sb: BucketRef = { provider: 'ais', name: 'handover-sha512' };
    await store.createBucket(sb, { checksum: { type: 'sha512' } });
    const block = crypto.randomBytes(M);
    const blocks = 160;
    const whole = { md5: crypto.createHash('md5'), sha512: crypto.createHash('sha512') };
    for (let i = 0; i < blocks; i++) for (const h of Object.values(whole)) h.update(block);
    const big = await store.putObject(sb, 'big', Readable.from((function* () {
      for (let i = 0; i < blocks; i++) yield block;
    })()), { expectedMd5: whole.md5.digest('hex') });
    assert.equal(big.checksum.value, whole.sha512.digest('hex'));
    assert.equal(big.size, blocks * M);
    // A wrong Content-MD5 on a body that went to the worker is refused and stores nothing.
    assert.equal(await code(store.putObject(kinds[0], 'h/bad', chunked(data), { expectedMd5: md5('other') })), 'BadDigest');
    assert.equal(await code(store.headObject(kinds[0], 'h/bad')), 'NoSuchKey');
  });

  test('a reader keeps the version it opened while the key is overwritten or deleted; large old versions are freed after', async () => {
    // 4 MB: replaced and deleted in place; 12 MB: moved aside into tmp/ and freed after the reply.
    for (const [name, size] of [['readers', 4], ['readers-large', 12]] as const) {
      const v1 = crypto.randomBytes(size * 1024 * 1024);
      const v2 = crypto.randomBytes(size * 1024 * 1024 - 1);
      await store.putObject(b, name, from(v1));
      const opened = await store.getObject(b, name);
      const opened2 = await store.getObject(b, name);
      await store.putObject(b, name, from(v2));
      assert.ok((await readAll(opened.stream)).equals(v1), 'old reader sees the old bytes, whole');
      const now = await store.getObject(b, name);
      assert.ok((await readAll(now.stream)).equals(v2));
      assert.equal(now.meta.version, '2');
      await store.deleteObject(b, name);
      assert.ok((await readAll(opened2.stream)).equals(v1), 'a deleted object stays readable to whoever opened it');
      assert.equal(await code(store.getObject(b, name)), 'NoSuchKey');
      assert.equal(await code(store.deleteObject(b, name)), 'NoSuchKey');
    }
    // Nothing retired is left behind in tmp/ once the unlinks ran.
    const tmp = path.join(dir, 'data', 'tmp');
    for (let i = 0; i < 50 && fs.readdirSync(tmp).length; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(fs.readdirSync(tmp), []);
  });

  test('concurrent writers of one key: the winner is whole, versions count every write', async () => {
    const bodies = Array.from({ length: 8 }, () => crypto.randomBytes(256 * 1024));
    await Promise.all(bodies.map((body) => store.putObject(b, 'race', from(body))));
    const { stream, meta } = await store.getObject(b, 'race');
    const got = await readAll(stream);
    assert.ok(bodies.some((x) => x.equals(got)), 'one of the bodies, not a mix');
    assert.equal(meta.checksum.value, checksumOf('xxhash', got));
    assert.equal(meta.version, '8');
  });

  test('listing: UTF-8 byte order (astral letters after U+FFFF), prefix, delimiter, paging by startAfter', async () => {
    const lb: BucketRef = { provider: 'ais', name: 'listing' };
    await store.createBucket(lb);
    const keys: string[] = [];
    for (let i = 0; i < 1200; i++) keys.push(`p/${(i * 7919) % 1200}`.padEnd(8, '_') + (i % 3 === 0 ? '/leaf' : ''));
    keys.push('\uffff', '\u{1F600}', '\ue000', 'z', 'Z', 'é', 'e\u0301');
    for (const k of keys) await store.putObject(lb, k, from(k));
    keys.sort(byteOrder);
    const got: string[] = [];
    let startAfter: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await store.listObjects(lb, { maxKeys: 500, startAfter });
      pages++;
      got.push(...page.objects.map((o) => o.key));
      if (!page.isTruncated) break;
      startAfter = page.last;
    }
    assert.deepEqual(got, keys);
    assert.equal(pages, Math.ceil(keys.length / 500));
    // With a delimiter, pages of keys and common prefixes, no duplicates, nothing missed.
    const seen: string[] = [];
    startAfter = undefined;
    for (;;) {
      const page = await store.listObjects(lb, { prefix: 'p/', delimiter: '/', maxKeys: 150, startAfter });
      seen.push(...page.objects.map((o) => o.key), ...page.commonPrefixes);
      assert.ok(page.objects.length + page.commonPrefixes.length <= 150);
      if (!page.isTruncated) break;
      startAfter = page.last;
    }
    const want = [...new Set(keys.filter((k) => k.startsWith('p/')).map((k) => (k.indexOf('/', 2) >= 0 ? k.slice(0, k.indexOf('/', 2) + 1) : k)))];
    assert.deepEqual([...seen].sort(byteOrder), want.sort(byteOrder));
    assert.equal(new Set(seen).size, seen.length);
    const none = await store.listObjects(lb, { prefix: 'nothing/', maxKeys: 10 });
    assert.deepEqual([none.objects.length, none.commonPrefixes.length, none.isTruncated], [0, 0, false]);
  });

  test('a restart finds buckets, objects (index rebuilt), staged uploads and config; tmp is emptied', async () => {
    const data = path.join(dir, 'data');
    const rb: BucketRef = { provider: 'ais', name: 'restart' };
    await store.createBucket(rb, { checksum: { type: 'sha256' } });
    const body = crypto.randomBytes(10_000);
    await store.putObject(rb, 'kept/one', from(body), { contentType: 'text/x', userMeta: { a: 'b' } });
    const up = await store.createUpload(rb, 'pending', { userMeta: { s3cmd: 'attrs' } });
    await store.uploadPart(rb, up.uploadId, 1, from(crypto.randomBytes(1000)));
    fs.writeFileSync(path.join(data, 'tmp', 'leftover-from-a-crash'), 'x');
    const reopened = await Store.open(data, { defaultChecksum: 'md5' });
    assert.equal(reopened.config().checksum.type, 'xxhash', 'the stored config wins over the start option');
    assert.equal(reopened.getBucket(rb).props.checksum.type, 'sha256');
    const page = await reopened.listObjects(rb, { maxKeys: 10 });
    assert.deepEqual(page.objects.map((o) => o.key), ['kept/one']);
    const { stream, meta } = await reopened.getObject(rb, 'kept/one');
    assert.ok((await readAll(stream)).equals(body));
    assert.deepEqual([meta.contentType, meta.userMeta, meta.checksum.type, meta.checksum.value], ['text/x', { a: 'b' }, 'sha256', crypto.createHash('sha256').update(body).digest('hex')]);
    const uploads = await reopened.listUploads(rb);
    assert.deepEqual(uploads.uploads.map((u) => [u.key, u.uploadId, u.userMeta]), [['pending', up.uploadId, { s3cmd: 'attrs' }]]);
    assert.equal((await reopened.listParts(rb, up.uploadId)).parts.length, 1);
    assert.deepEqual(walk(path.join(data, 'tmp')), []);
    await reopened.abortUpload(rb, up.uploadId);
  });

  test('multipart: parts are checked, the object is the parts in order, uploads are per bucket', async () => {
    const mb: BucketRef = { provider: 'ais', name: 'mpart' };
    await store.createBucket(mb, { checksum: { type: 'md5' } });
    const up = await store.createUpload(mb, 'obj', { contentType: 'a/b', userMeta: { x: 'y' } });
    const p1 = crypto.randomBytes(5 * 1024 * 1024);
    const p2 = crypto.randomBytes(100);
    const i2 = await store.uploadPart(mb, up.uploadId, 2, from(p2));
    const i1 = await store.uploadPart(mb, up.uploadId, 1, from(p1));
    // A part uploaded again replaces the earlier one.
    const p1b = crypto.randomBytes(5 * 1024 * 1024);
    const i1b = await store.uploadPart(mb, up.uploadId, 1, from(p1b));
    assert.equal(await code(store.completeUpload(mb, up.uploadId, [{ partNumber: 1, etag: i1.etag }, { partNumber: 2, etag: i2.etag }])), 'InvalidPart');
    assert.equal(await code(store.uploadPart({ provider: 'ais', name: 'bkt' }, up.uploadId, 3, from('x'))), 'NoSuchUpload', 'upload ids are per bucket');
    assert.equal(await code(store.uploadPart(mb, '../../../etc', 1, from('x'))), 'NoSuchUpload');
    assert.equal(await code(store.uploadPart(mb, up.uploadId, 0, from('x'))), 'InvalidArgument');
    assert.equal(await code(store.uploadPart(mb, up.uploadId, 10001, from('x'))), 'InvalidArgument');
    const meta = await store.completeUpload(mb, up.uploadId, [{ partNumber: 1, etag: `"${i1b.etag}"` }, { partNumber: 2, etag: i2.etag }]);
    const all = Buffer.concat([p1b, p2]);
    assert.equal(meta.md5, md5(all));
    assert.equal(meta.etag, md5(Buffer.concat([Buffer.from(i1b.etag, 'hex'), Buffer.from(i2.etag, 'hex')])) + '-2');
    assert.deepEqual([meta.contentType, meta.userMeta, meta.parts], ['a/b', { x: 'y' }, 2]);
    const { stream } = await store.getObject(mb, 'obj');
    assert.equal(md5(await readAll(stream)), md5(all));
    // A retried complete (the first answer lost) answers the same object; another part list is refused.
    const retried = await store.completeUpload(mb, up.uploadId, [{ partNumber: 1, etag: i1b.etag }, { partNumber: 2, etag: `"${i2.etag.toUpperCase()}"` }]);
    assert.deepEqual([retried.etag, retried.version, retried.key], [meta.etag, meta.version, 'obj']);
    assert.equal(await code(store.completeUpload(mb, up.uploadId, [{ partNumber: 1, etag: i1b.etag }])), 'InvalidPart');
    assert.deepEqual(fs.existsSync(path.join(dir, 'data/buckets/ais/mpart/uploads')) ? fs.readdirSync(path.join(dir, 'data/buckets/ais/mpart/uploads')) : [], []);
  });

  test('multipart: parts of one size are written in place and complete only hashes them (no copy); other layouts are copied', async () => {
    const data = path.join(dir, 'data');
    const ib: BucketRef = { provider: 'ais', name: 'inplace' };
    await store.createBucket(ib, { checksum: { type: 'md5' } });
    const S = 5 * 1024 * 1024;
    const [p1, p2, p3, p2b] = Array.from({ length: 4 }, () => crypto.randomBytes(S));
    const p4 = crypto.randomBytes(1234);
    const up = await store.createUpload(ib, 'obj');
    const put = (n: number, body: Buffer | Readable, size: number) => store.uploadPart(ib, up.uploadId, n, body instanceof Readable ? body : from(body), { expectedSize: size });
    const [i3, i1] = await Promise.all([put(3, p3, S), put(1, p1, S)]);
    const i2 = await put(2, p2, S);
    const i4 = await put(4, p4, p4.length);
    // Part 2 again (its slot is taken: own file); failed writes to free slots damage nothing stored.
    const i2b = await put(2, p2b, S);
    assert.equal(await code(put(5, from(crypto.randomBytes(1000)), S)), 'IncompleteBody');
    assert.equal(await code(put(6, from(crypto.randomBytes(20)), 10)), 'InvalidArgument', 'a body longer than declared never reaches the next slot');
    assert.deepEqual([i1, i2, i3, i4, i2b].map((i) => i.etag), [p1, p2, p3, p4, p2b].map(md5));
    const updir = path.join(data, 'buckets/ais/inplace/uploads', up.uploadId);
    const dataFile = path.join(updir, 'data');
    assert.ok(fs.statSync(path.join(updir, '1')).size < 1000, 'an in-place part file holds its trailer only');
    assert.ok(fs.statSync(path.join(updir, '2')).size > S, 'a part in its own file');
    // A restart in the middle: the layout comes back from the part files.
    const reopened = await Store.open(data);
    const ino = fs.statSync(dataFile).ino;
    const meta = await reopened.completeUpload(ib, up.uploadId, [i1, i2b, i3, i4].map((i) => ({ partNumber: i.partNumber, etag: i.etag })));
    const all = Buffer.concat([p1, p2b, p3, p4]);
    assert.deepEqual([meta.size, meta.md5, meta.checksum.value, meta.partSizes], [all.length, md5(all), md5(all), [S, S, S, p4.length]]);
    assert.equal(meta.etag, md5(Buffer.concat([p1, p2b, p3, p4].map((p) => Buffer.from(md5(p), 'hex')))) + '-4');
    assert.ok(md5(await readAll((await reopened.getObject(ib, 'obj')).stream)) === md5(all));
    const h = crypto.createHash('sha256').update('obj').digest('hex');
    assert.equal(fs.statSync(path.join(data, 'buckets/ais/inplace/objects', h.slice(0, 2), h)).ino, ino, 'the data file became the object');
    assert.ok(!fs.existsSync(updir));
    assert.deepEqual(walk(path.join(data, 'tmp')), []);

    // Completing with fewer parts than are in the data file: copied, parts in order, nothing lost.
    const up2 = await reopened.createUpload(ib, 'subset');
    const parts = await Promise.all([p1, p2, p3].map((p, i) => reopened.uploadPart(ib, up2.uploadId, i + 1, from(p), { expectedSize: S })));
    const sub = await reopened.completeUpload(ib, up2.uploadId, parts.slice(0, 2).map((i) => ({ partNumber: i.partNumber, etag: i.etag })));
    assert.equal(sub.md5, md5(Buffer.concat([p1, p2])));
    assert.equal(md5(await readAll((await reopened.getObject(ib, 'subset')).stream)), md5(Buffer.concat([p1, p2])));
    // Parts of unequal sizes: copied as well.
    const up3 = await reopened.createUpload(ib, 'uneven');
    const big = crypto.randomBytes(S + 1);
    const u1 = await reopened.uploadPart(ib, up3.uploadId, 1, from(p1), { expectedSize: S });
    const u2 = await reopened.uploadPart(ib, up3.uploadId, 2, from(big), { expectedSize: big.length });
    const u3 = await reopened.uploadPart(ib, up3.uploadId, 3, from(p4), { expectedSize: p4.length });
    const uneven = await reopened.completeUpload(ib, up3.uploadId, [u1, u2, u3].map((i) => ({ partNumber: i.partNumber, etag: i.etag })));
    assert.equal(uneven.md5, md5(Buffer.concat([p1, big, p4])));
    assert.equal(md5(await readAll((await reopened.getObject(ib, 'uneven')).stream)), md5(Buffer.concat([p1, big, p4])));
    assert.deepEqual(fs.readdirSync(path.join(data, 'buckets/ais/inplace/uploads')), []);
  });

  test('multipart in place with fsync on: parts and the assembled object are synced, bytes right', async () => {
    const synced = await Store.open(path.join(dir, 'synced'), { fsync: true, defaultChecksum: 'xxhash' });
    const fb: BucketRef = { provider: 'ais', name: 'synced' };
    await synced.createBucket(fb);
    const S = 5 * 1024 * 1024;
    const parts = [crypto.randomBytes(S), crypto.randomBytes(S), crypto.randomBytes(100)];
    const up = await synced.createUpload(fb, 'k');
    const infos = await Promise.all(parts.map((p, i) => synced.uploadPart(fb, up.uploadId, i + 1, from(p), { expectedSize: p.length })));
    const meta = await synced.completeUpload(fb, up.uploadId, infos.map((i) => ({ partNumber: i.partNumber, etag: i.etag })));
    const all = Buffer.concat(parts);
    assert.deepEqual([meta.size, meta.checksum.value], [all.length, checksumOf('xxhash', all)]);
    assert.equal(md5(await readAll((await synced.getObject(fb, 'k')).stream)), md5(all));
  });

  test('multipart: the whole-object hash kept up while parts arrive is right with parts out of order, re-uploaded, a subset, a checksum change or a restart', async () => {
    const data = path.join(dir, 'running');
    const rs = await Store.open(data, { defaultChecksum: 'xxhash' });
    const S = 5 * 1024 * 1024;
    const rand = (n: number) => crypto.randomBytes(n);
    // Time for the background hash to catch up with the stored parts (complete waits for it anyway).
    const settle = () => new Promise((r) => setTimeout(r, 400));
    const scenarios: { name: string; checksum: 'md5' | 'xxhash'; run: (st: Store, bk: BucketRef, uploadId: string) => Promise<{ bodies: Buffer[]; request: { partNumber: number; etag: string }[]; st: Store }> }[] = [];
    const put = (st: Store, bk: BucketRef, id: string, n: number, body: Buffer) => st.uploadPart(bk, id, n, from(body), { expectedSize: body.length });
    const req = (infos: { partNumber: number; etag: string }[]) => infos.map((i) => ({ partNumber: i.partNumber, etag: i.etag }));
    for (const checksum of ['md5', 'xxhash'] as const) {
      scenarios.push({ name: 'out of order', checksum, run: async (st, bk, id) => {
        const bodies = [rand(S), rand(S), rand(S), rand(999)];
        const i3 = await put(st, bk, id, 3, bodies[2]);
        await settle();
        const [i1, i4] = await Promise.all([put(st, bk, id, 1, bodies[0]), put(st, bk, id, 4, bodies[3])]);
        await settle();
        const i2 = await put(st, bk, id, 2, bodies[1]);
        return { bodies, request: req([i1, i2, i3, i4]), st };
      } });
      scenarios.push({ name: 're-uploaded after it was hashed', checksum, run: async (st, bk, id) => {
        const bodies = [rand(S), rand(S), rand(S)];
        await put(st, bk, id, 1, rand(S));
        const i2 = await put(st, bk, id, 2, bodies[1]);
        await settle();
        const i1 = await put(st, bk, id, 1, bodies[0]);
        const i3 = await put(st, bk, id, 3, bodies[2]);
        return { bodies, request: req([i1, i2, i3]), st };
      } });
      scenarios.push({ name: 'a subset', checksum, run: async (st, bk, id) => {
        const bodies = [rand(S), rand(S)];
        const infos = await Promise.all([...bodies, rand(S)].map((p, i) => put(st, bk, id, i + 1, p)));
        await settle();
        return { bodies, request: req(infos.slice(0, 2)), st };
      } });
      scenarios.push({ name: 'the bucket checksum changed mid-way', checksum, run: async (st, bk, id) => {
        const bodies = [rand(S), rand(S), rand(7)];
        const i1 = await put(st, bk, id, 1, bodies[0]);
        await settle();
        await st.setBucketProps(bk, { checksum: { type: checksum === 'md5' ? 'xxhash' : 'md5' } });
        const rest = await Promise.all([put(st, bk, id, 2, bodies[1]), put(st, bk, id, 3, bodies[2])]);
        return { bodies, request: req([i1, ...rest]), st };
      } });
      scenarios.push({ name: 'a restart mid-way', checksum, run: async (st, bk, id) => {
        const bodies = [rand(S), rand(S), rand(S)];
        const i1 = await put(st, bk, id, 1, bodies[0]);
        await settle();
        const again = await Store.open(data);
        const rest = await Promise.all([put(again, bk, id, 2, bodies[1]), put(again, bk, id, 3, bodies[2])]);
        return { bodies, request: req([i1, ...rest]), st: again };
      } });
    }
    for (const [n, sc] of scenarios.entries()) {
      const bk: BucketRef = { provider: 'ais', name: `run${n}` };
      await rs.createBucket(bk, { checksum: { type: sc.checksum } });
      const up = await rs.createUpload(bk, 'obj');
      const { bodies, request, st } = await sc.run(rs, bk, up.uploadId);
      const meta = await st.completeUpload(bk, up.uploadId, request);
      const all = Buffer.concat(bodies);
      const type = st.getBucket(bk).props.checksum.type;
      const what = `${sc.checksum} bucket, ${sc.name}`;
      assert.equal(meta.size, all.length, what);
      assert.deepEqual(meta.checksum, { type, value: checksumOf(type, all) }, what);
      if (type === 'md5') assert.equal(meta.md5, md5(all), what);
      assert.equal(md5(await readAll((await st.getObject(bk, 'obj')).stream)), md5(all), what);
    }
  });

  test('multipart complete stopped right after its rename (a crash there): a restart removes the upload, the object is whole, a retried complete answers it', async () => {
    const data = path.join(dir, 'crashy');
    const crash = new Error('simulated crash after the rename');
    const dying = await Store.open(data, { defaultChecksum: 'md5', afterCompleteRename: () => { throw crash; } });
    const cb: BucketRef = { provider: 'ais', name: 'cb' };
    await dying.createBucket(cb);
    const S = 5 * 1024 * 1024;
    const uploadsDir = path.join(data, 'buckets/ais/cb/uploads');
    // In place (equal parts), copied (uneven sizes), copied (a subset of the parts in the data file).
    const cases = [
      { key: 'in place', sizes: [S, S, 100], use: 3 },
      { key: 'uneven', sizes: [S, S + 1, 100], use: 3 },
      { key: 'subset', sizes: [S, S, S], use: 2 },
    ];
    const done: { key: string; uploadId: string; body: Buffer; etag: string; request: { partNumber: number; etag: string }[] }[] = [];
    for (const c of cases) {
      const bodies = c.sizes.map((n) => crypto.randomBytes(n));
      const up = await dying.createUpload(cb, c.key);
      const infos = await Promise.all(bodies.map((p, i) => dying.uploadPart(cb, up.uploadId, i + 1, from(p), { expectedSize: p.length })));
      const request = infos.slice(0, c.use).map((i) => ({ partNumber: i.partNumber, etag: i.etag }));
      await assert.rejects(dying.completeUpload(cb, up.uploadId, request), crash);
      assert.ok(fs.existsSync(path.join(uploadsDir, up.uploadId, 'complete.json')), `${c.key}: the crash left the upload and its marker`);
      const used = bodies.slice(0, c.use);
      const etag = md5(Buffer.concat(used.map((p) => Buffer.from(md5(p), 'hex')))) + '-' + c.use;
      done.push({ key: c.key, uploadId: up.uploadId, body: Buffer.concat(used), etag, request });
    }
    // Without a restart, a retried complete finishes the cleanup too (and does not complete twice).
    const last = done[done.length - 1];
    assert.equal((await dying.completeUpload(cb, last.uploadId, last.request)).etag, last.etag);
    assert.ok(!fs.existsSync(path.join(uploadsDir, last.uploadId)));

    const restarted = await Store.open(data);
    assert.deepEqual((await restarted.listUploads(cb)).uploads, [], 'completed uploads are no longer listed');
    assert.deepEqual(fs.readdirSync(uploadsDir), []);
    assert.deepEqual(walk(path.join(data, 'tmp')), []);
    for (const d of done) {
      const head = await restarted.headObject(cb, d.key);
      assert.deepEqual([head.size, head.md5, head.etag, head.version], [d.body.length, md5(d.body), d.etag, '1'], d.key);
      assert.equal(md5(await readAll((await restarted.getObject(cb, d.key)).stream)), md5(d.body), `${d.key}: the object is intact`);
      const retried = await restarted.completeUpload(cb, d.uploadId, d.request);
      assert.deepEqual([retried.etag, retried.size], [d.etag, d.body.length], `${d.key}: a retried complete answers the object`);
      assert.equal(await code(restarted.abortUpload(cb, d.uploadId)), 'NoSuchUpload');
    }
    assert.equal((await restarted.headObject(cb, 'in place')).version, '1', 'a retried complete wrote no new version');
    // Once the object is overwritten or deleted, the upload is forgotten.
    await restarted.putObject(cb, 'in place', from('other'));
    await restarted.deleteObject(cb, 'uneven');
    for (const d of done.slice(0, 2)) assert.equal(await code(restarted.completeUpload(cb, d.uploadId, d.request)), 'NoSuchUpload', d.key);
  });

  test('multipart complete stopped before its rename: a restart keeps the upload with its parts, and complete then works', async () => {
    const data = path.join(dir, 'crashy-early');
    const early = await Store.open(data, { defaultChecksum: 'xxhash' });
    const eb: BucketRef = { provider: 'ais', name: 'eb' };
    await early.createBucket(eb);
    const S = 5 * 1024 * 1024;
    const bodies = [crypto.randomBytes(S), crypto.randomBytes(77)];
    const up = await early.createUpload(eb, 'k');
    const infos = await Promise.all(bodies.map((p, i) => early.uploadPart(eb, up.uploadId, i + 1, from(p), { expectedSize: p.length })));
    // What a crash between writing the marker and the rename leaves: the marker names a file still there.
    const updir = path.join(data, 'buckets/ais/eb/uploads', up.uploadId);
    fs.writeFileSync(path.join(updir, 'complete.json'), JSON.stringify({ source: path.relative(data, path.join(updir, 'data')), key: 'k', etag: 'x-2' }));
    const restarted = await Store.open(data);
    assert.deepEqual((await restarted.listUploads(eb)).uploads.map((u) => u.uploadId), [up.uploadId]);
    assert.equal((await restarted.listParts(eb, up.uploadId)).parts.length, 2);
    assert.ok(!fs.existsSync(path.join(updir, 'complete.json')), 'the stale marker is gone');
    const meta = await restarted.completeUpload(eb, up.uploadId, infos.map((i) => ({ partNumber: i.partNumber, etag: i.etag })));
    const all = Buffer.concat(bodies);
    assert.deepEqual([meta.size, meta.checksum.value], [all.length, checksumOf('xxhash', all)]);
    assert.equal(md5(await readAll((await restarted.getObject(eb, 'k')).stream)), md5(all));
  });

  test('deleting a bucket: BucketNotEmpty unless forced; gone from disk', async () => {
    const db: BucketRef = { provider: 'ais', name: 'doomed' };
    await store.createBucket(db);
    await store.putObject(db, 'x', from('x'));
    assert.equal(await code(store.deleteBucket(db)), 'BucketNotEmpty');
    await store.deleteBucket(db, { force: true });
    assert.ok(!store.hasBucket(db));
    assert.ok(!fs.existsSync(path.join(dir, 'data/buckets/ais/doomed')));
    assert.equal(await code(store.putObject(db, 'x', from('x'))), 'NoSuchBucket');
    // A name can be used again, empty.
    await store.createBucket(db);
    assert.equal((await store.listObjects(db, { maxKeys: 10 })).objects.length, 0);
  });
});
