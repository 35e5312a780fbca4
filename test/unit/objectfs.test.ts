// The `ais:` file system core (src/fs/core.ts) against a real gateway, through both client kinds: the
// AIStore client (native API + its S3 side) and the plain S3 client on the same gateway's /s3.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { startTestGateway } from '../helpers/gateway';
import { createClusterClient } from '../../src/client';
import type { BucketRef } from '../../src/client/cluster';
import { checksumOf, initChecksums } from '../../src/common/checksum';
import { Conflict, memoryBaseStore, ObjectFs, ObjectFsError } from '../../src/fs/core';
import { bodyOf, readObjectText } from '../helpers/data';
import { looksBinary, objectKind } from '../../src/objects/content';
import { formatObjectProperties } from '../../src/objects/format';
import { clusterAuthority, clusterOfAuthority, formatFsPath, fsUriString, locationUri, parseFsPath, FsLocation } from '../../src/objects/location';

const text = (s: string) => new TextEncoder().encode(s);
const loc = (bucket: BucketRef, key: string): FsLocation => ({ cluster: 'c', provider: bucket.provider, bucket, key });

async function rejectsKind(p: Promise<unknown>, kind: string, message?: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ObjectFsError, `an ObjectFsError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

test('uri: ais://CLUSTER/PROVIDER/BUCKET/key round-trips, namespaces and odd keys included', () => {
  const b = { name: 'data', provider: 'ais' };
  assert.deepEqual(parseFsPath('dev', '/ais/data/a/b c.txt'), { cluster: 'dev', provider: 'ais', bucket: b, key: 'a/b c.txt' });
  assert.deepEqual(parseFsPath('dev', '/ais/data/dir/'), { cluster: 'dev', provider: 'ais', bucket: b, key: 'dir' });
  assert.deepEqual(parseFsPath('dev', '/ais/data'), { cluster: 'dev', provider: 'ais', bucket: b, key: '' });
  assert.deepEqual(parseFsPath('dev', '/aws'), { cluster: 'dev', provider: 'aws', key: '' });
  assert.deepEqual(parseFsPath('dev', '/'), { cluster: 'dev', key: '' });
  const ns = { name: 'x', provider: 'ais', namespace: { uuid: 'U1', name: 'remote' } };
  assert.deepEqual(formatFsPath({ cluster: 'dev', bucket: ns, key: 'k' }), { authority: 'dev', path: '/ais@U1#remote/x/k' });
  assert.deepEqual(parseFsPath('dev', '/ais@U1#remote/x/k').bucket, ns);
  assert.equal(fsUriString({ cluster: 'my cluster', bucket: b, key: 'a/ü#1.txt' }), 'ais://~6d7920636c7573746572/ais/data/a/%C3%BC%231.txt');
  assert.equal(locationUri({ cluster: 'my cluster', provider: 'ais', bucket: b, key: 'a/ü#1.txt' }), 'ais://my%20cluster/ais/data/a/%C3%BC%231.txt');
});

test('uri: any cluster name survives as an authority, VS Code lowercasing the host included', () => {
  const b = { name: 'data', provider: 'ais' };
  for (const cluster of ['dev', 'e2e', 'local.gw-1', 'AIS 127.0.0.1:46367', 'Prod', 'user@host', 'ünïcødé クラスタ', '~tilde', 'a:1', '-x', 'trailing ']) {
    const { authority, path } = formatFsPath({ cluster, bucket: b, key: 'k' });
    assert.match(authority, /^[a-z0-9~][a-z0-9._~-]*$/, `${cluster}: an authority with nothing VS Code changes or splits`);
    assert.equal(clusterOfAuthority(authority), cluster);
    assert.equal(parseFsPath(authority.toLowerCase(), path).cluster, cluster, `${cluster}: read back from the URI as VS Code prints it`);
    if (authority.startsWith('~')) assert.equal(parseFsPath(authority.toUpperCase(), path).cluster, cluster, `${cluster}: hex of either case`);
  }
  assert.equal(clusterAuthority('dev'), 'dev', 'a plain lowercase name stays readable');
});

test('kind: text, image or binary from extension, content type and the first bytes', () => {
  assert.equal(objectKind('a.png', undefined), 'image');
  assert.equal(objectKind('photo', 'image/jpeg'), 'image');
  assert.equal(objectKind('logo.svg', 'image/svg+xml'), 'text');
  assert.equal(objectKind('notes', 'text/plain', text('hello\n')), 'text');
  assert.equal(objectKind('blob', 'application/octet-stream', new Uint8Array([1, 0, 2, 3])), 'binary');
  assert.equal(objectKind('data.bin', 'application/octet-stream', text('plain words\n')), 'text');
  assert.equal(objectKind('x.parquet', undefined), 'binary');
  // A name whose extension means bytes (mime-types maps .bin to application/octet-stream) is binary before a
  // sample is read, whatever type it was stored with: the tree asks before a click opens it.
  assert.equal(objectKind('blob.bin', 'application/octet-stream'), 'binary');
  assert.equal(objectKind('blob.bin', undefined), 'binary');
  assert.equal(objectKind('notes', 'application/octet-stream'), 'text');
  assert.equal(looksBinary(text('tabs\tand\r\nnewlines')), false);
  assert.equal(looksBinary(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0])), true);
});

for (const kind of ['ais', 's3'] as const) {
  test(`${kind} client: edit-and-save keeps content type and user metadata, the checksum follows the bucket`, async () => {
    await initChecksums();
    const gw = await startTestGateway();
    const admin = createClusterClient({ kind: 'ais', endpoint: gw.url });
    const client = kind === 'ais' ? admin : createClusterClient({ kind: 's3', endpoint: `${gw.url}/s3`, accessKey: 'test', secretKey: 'test', region: 'us-east-1' });
    const bucket = { name: 'docs', provider: kind === 'ais' ? 'ais' : 's3' };
    const ais = { name: 'docs', provider: 'ais' };
    try {
      await admin.createBucket(ais);
      await client.putObject(bucket, 'notes/todo.txt', bodyOf('first line\n'), { contentType: 'text/x-todo', userMeta: { owner: 'alice', project: 'x' } });
      const conflicts: Conflict[] = [];
      let decide: 'overwrite' | 'cancel' = 'cancel';
      const fs = new ObjectFs(async () => client, { onConflict: async (c) => (conflicts.push(c), decide) });
      const file = loc(bucket, 'notes/todo.txt');

      assert.equal(new TextDecoder().decode(await fs.readFile(file)), 'first line\n');
      const before = await admin.headObject(ais, 'notes/todo.txt');
      await fs.writeFile(file, text('first line\nsecond line\n'), { create: false, overwrite: true });
      const after = await admin.headObject(ais, 'notes/todo.txt');
      assert.equal(await readObjectText(client, bucket, 'notes/todo.txt'), 'first line\nsecond line\n');
      assert.equal(after.contentType, 'text/x-todo');
      assert.deepEqual(after.userMeta, { owner: 'alice', project: 'x' });
      assert.notEqual(after.checksum?.value, before.checksum?.value);
      assert.equal(after.checksum?.type, 'xxhash');
      assert.equal(after.checksum?.value, checksumOf('xxhash', 'first line\nsecond line\n'));
      assert.ok(after.atime instanceof Date, 'the AIS client reports atime');
      assert.equal(conflicts.length, 0, 'saving what we read is no conflict');

      // The bucket's algorithm decides: switch to md5, save again.
      await admin.setBucketProps(ais, { checksum: { type: 'md5' } });
      await fs.writeFile(file, text('md5 now\n'), { create: false, overwrite: true });
      const md5 = await admin.headObject(ais, 'notes/todo.txt');
      assert.deepEqual(md5.checksum, { type: 'md5', value: checksumOf('md5', 'md5 now\n') });
      assert.deepEqual(md5.userMeta, { owner: 'alice', project: 'x' });

      // Someone else writes the object: our next save is a conflict; cancel keeps theirs.
      await client.putObject(bucket, 'notes/todo.txt', bodyOf('theirs\n'), { contentType: 'text/x-todo', userMeta: { owner: 'bob' } });
      await rejectsKind(fs.writeFile(file, text('mine\n'), { create: false, overwrite: true }), 'conflict', /changed on the server since you opened it/);
      assert.equal(conflicts.length, 1);
      assert.equal(conflicts[0].uri, fsUriString({ cluster: 'c', bucket, key: 'notes/todo.txt' }));
      assert.equal(await readObjectText(client, bucket, 'notes/todo.txt'), 'theirs\n');
      // Same size, different bytes is a conflict too (VS Code's own mtime+size check misses that).
      await client.putObject(bucket, 'notes/todo.txt', bodyOf('THEIRS\n'), { contentType: 'text/x-todo', userMeta: { owner: 'bob' } });
      decide = 'overwrite';
      await fs.writeFile(file, text('mine\n'), { create: false, overwrite: true });
      assert.equal(conflicts.length, 2);
      assert.equal(await readObjectText(client, bucket, 'notes/todo.txt'), 'mine\n');
      assert.deepEqual((await admin.headObject(ais, 'notes/todo.txt')).userMeta, { owner: 'bob' }, 'overwrite keeps the metadata the object has now');
      // After our own write, the next save is no conflict.
      await fs.writeFile(file, text('mine again\n'), { create: false, overwrite: true });
      assert.equal(conflicts.length, 2);

      // A window reloads with an unsaved editor: the version it was opened from is still known.
      const store = memoryBaseStore();
      await new ObjectFs(async () => client, { bases: store }).readFile(file);
      await client.putObject(bucket, 'notes/todo.txt', bodyOf('changed elsewhere\n'), { contentType: 'text/x-todo', userMeta: { owner: 'bob' } });
      const reloaded = new ObjectFs(async () => client, { bases: store });
      await rejectsKind(reloaded.writeFile(file, text('restored edit\n'), { create: false, overwrite: true }), 'conflict');
      assert.equal(await readObjectText(client, bucket, 'notes/todo.txt'), 'changed elsewhere\n');

      // A new file gets a content type from its name.
      await fs.writeFile(loc(bucket, 'new.json'), text('{}'), { create: true, overwrite: false });
      assert.equal((await admin.headObject(ais, 'new.json')).contentType, 'application/json');
      await rejectsKind(fs.writeFile(loc(bucket, 'new.json'), text('{}'), { create: true, overwrite: false }), 'exists');
      await rejectsKind(fs.writeFile(loc(bucket, 'absent.txt'), text(''), { create: false, overwrite: true }), 'not-found');

      const props = formatObjectProperties('ais://c/ais/docs/notes/todo.txt', 'c', await admin.headObject(ais, 'notes/todo.txt'));
      assert.match(props, /^checksum:\n {2}type: md5\n {2}value: [0-9a-f]{32}$/m);
      assert.match(props, /^contentType: text\/x-todo$/m);
      assert.match(props, /^userMetadata:\n {2}owner: bob$/m);
      assert.match(props, /^atime: \d{4}-\d\d-\d\dT/m);
      fs.onDidChange(() => undefined).dispose();
    } finally {
      client.dispose();
      if (client !== admin) admin.dispose();
      await gw.dispose();
    }
  });
}

test('folders: stat, list, create, copy, rename and delete prefixes; large reads ask first', async () => {
  const gw = await startTestGateway();
  const client = createClusterClient({ kind: 'ais', endpoint: gw.url });
  const bucket = { name: 'tree', provider: 'ais' };
  try {
    await client.createBucket(bucket);
    for (const k of ['top.txt', 'a/one.txt', 'a/b/two.txt', 'a//odd', 'big.bin']) await client.putObject(bucket, k, bodyOf(k === 'big.bin' ? 'x'.repeat(5000) : k));
    const asked: number[] = [];
    let answer = false;
    const events: string[] = [];
    const fs = new ObjectFs(async (name) => {
      if (name !== 'c') throw new Error(`There is no cluster named "${name}".`);
      return client;
    }, { maxBytes: () => 4096, confirmLarge: async (_uri, size) => (asked.push(size), answer) });
    fs.onDidChange((e) => events.push(...e.map((x) => `${x.type}:${x.key}`)));

    assert.deepEqual(await fs.stat({ cluster: 'c', key: '' }), { type: 'directory', size: 0, mtime: 0 });
    assert.deepEqual((await fs.readDirectory({ cluster: 'c', key: '' })).find(([n]) => n === 'ais'), ['ais', 'directory']);
    assert.ok((await fs.readDirectory({ cluster: 'c', provider: 'ais', key: '' })).some(([n]) => n === 'tree'));
    assert.equal((await fs.stat(loc(bucket, ''))).type, 'directory');
    await rejectsKind(fs.stat(loc({ name: 'nope', provider: 'ais' }, '')), 'not-found');
    await rejectsKind(fs.stat({ cluster: 'gone', key: '' }), 'unavailable', /no cluster named "gone".*remove this folder/);
    const top = await fs.stat(loc(bucket, 'top.txt'));
    assert.equal(top.type, 'file');
    assert.equal(top.size, 7);
    assert.ok(top.mtime > 0);
    assert.equal((await fs.stat(loc(bucket, 'a'))).type, 'directory');
    await rejectsKind(fs.stat(loc(bucket, 'nothing')), 'not-found');
    assert.deepEqual((await fs.readDirectory(loc(bucket, ''))).sort(), [['a', 'directory'], ['big.bin', 'file'], ['top.txt', 'file']]);
    assert.deepEqual((await fs.readDirectory(loc(bucket, 'a'))).sort(), [['b', 'directory'], ['one.txt', 'file']], "'a//odd' has an empty segment: left out");
    await rejectsKind(fs.readDirectory(loc(bucket, 'top.txt')), 'not-directory');
    await rejectsKind(fs.readFile(loc(bucket, 'a')), 'is-directory');

    await rejectsKind(fs.readFile(loc(bucket, 'big.bin')), 'cancelled', /larger than the limit/);
    answer = true;
    assert.equal((await fs.readFile(loc(bucket, 'big.bin'))).length, 5000);
    assert.equal((await fs.readFile(loc(bucket, 'big.bin'))).length, 5000);
    assert.deepEqual(asked, [5000, 5000], 'asked until agreed, then not again for the same object');
    assert.equal((await fs.readFile(loc(bucket, 'top.txt'))).length, 7, 'small objects never ask');

    await fs.createDirectory(loc(bucket, 'empty'));
    assert.equal((await fs.stat(loc(bucket, 'empty'))).type, 'directory', 'a marker object makes a folder');
    assert.deepEqual(await fs.readDirectory(loc(bucket, 'empty')), []);
    await fs.copy(loc(bucket, 'a'), loc(bucket, 'copy'), { overwrite: false });
    assert.deepEqual((await fs.readDirectory(loc(bucket, 'copy/b'))), [['two.txt', 'file']]);
    await rejectsKind(fs.copy(loc(bucket, 'a'), loc(bucket, 'copy'), { overwrite: false }), 'exists');
    await rejectsKind(fs.rename(loc(bucket, 'a'), loc(bucket, 'a/b/c'), { overwrite: false }), 'no-permissions', /into itself/);
    await fs.rename(loc(bucket, 'copy'), loc(bucket, 'moved'), { overwrite: false });
    await rejectsKind(fs.stat(loc(bucket, 'copy')), 'not-found');
    assert.equal(await readObjectText(client, bucket, 'moved/b/two.txt'), 'a/b/two.txt');
    await fs.rename(loc(bucket, 'top.txt'), loc(bucket, 'moved/top.txt'), { overwrite: false });
    assert.equal(await readObjectText(client, bucket, 'moved/top.txt'), 'top.txt');
    await rejectsKind(fs.delete(loc(bucket, 'moved'), { recursive: false }), 'no-permissions', /not empty/);
    await fs.delete(loc(bucket, 'moved'), { recursive: true });
    await fs.delete(loc(bucket, 'empty'), { recursive: false });
    await rejectsKind(fs.delete(loc(bucket, ''), { recursive: true }), 'no-permissions', /Delete Bucket/);
    const left = (await client.listObjects(bucket, { folders: false })).objects.map((o) => o.key).sort();
    assert.deepEqual(left, ['a//odd', 'a/b/two.txt', 'a/one.txt', 'big.bin']);
    assert.deepEqual(events, ['created:empty', 'created:copy', 'deleted:copy', 'created:moved', 'deleted:top.txt', 'created:moved/top.txt', 'deleted:moved', 'deleted:empty']);
  } finally {
    client.dispose();
    await gw.dispose();
  }
});
