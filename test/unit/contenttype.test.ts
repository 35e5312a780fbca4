// Content-Type: the guess from a file name, the gateway keeping it over the native API and /s3 (PUT,
// multipart, copy, rename, custom props), and every upload path of both clients storing it, read back
// by the clients and by the real AWS SDK.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { createClusterClient, ClusterClient } from '../../src/client';
import { guessContentType, isContentType, knownContentType } from '../../src/client/transfer/contenttype';
import { FileUploadJournal } from '../../src/client/transfer/journal';
import { TransferCancelled } from '../../src/client/transfer/limits';
import { collectFolder, resumeUpload, uploadFile, uploadFiles } from '../../src/client/transfer/upload';
import { bodyOf } from '../helpers/data';
import { TestGateway } from '../helpers/gateway';
import { request } from '../helpers/http';
import { nativeCalls, startNativeGateway } from '../helpers/native';
import { readSdkBody } from '../helpers/s3';
import { makeTempDir, removeDir } from '../helpers/temp';

const MiB = 1024 * 1024;

test('the guess: the extension as mime-types knows it, else application/octet-stream', () => {
  assert.equal(guessContentType('photo.png'), 'image/png');
  assert.equal(guessContentType('dir/Report.PDF'), 'application/pdf');
  assert.equal(guessContentType('a/b/data.json'), 'application/json');
  assert.equal(guessContentType('notes.md'), 'text/markdown');
  assert.equal(guessContentType('page.html'), 'text/html');
  assert.equal(guessContentType('table.parquet'), 'application/vnd.apache.parquet');
  assert.equal(guessContentType('/home/me/pics/cat.JPEG'), 'image/jpeg');
  for (const name of ['README', 'Makefile', '.bashrc', 'dir.d/file', 'data.weird-ext', 'trailing.'])
    assert.equal(guessContentType(name), 'application/octet-stream', name);
  assert.equal(knownContentType('README'), undefined);
  assert.equal(knownContentType('x.gif'), 'image/gif');
});

test('a Content-Type is type/subtype with optional parameters, ASCII only', () => {
  for (const ok of ['image/png', 'application/vnd.apache.parquet', 'text/plain; charset=utf-8', 'application/x-ndjson', 'multipart/form-data; boundary="a b"', ' text/csv '])
    assert.ok(isContentType(ok), ok);
  for (const bad of ['', 'png', 'image/', '/png', 'image/png/x', 'image png', 'text/plain; charset', 'text/pläin', 'a/b\r\nX-Evil: 1'])
    assert.ok(!isContentType(bad), bad);
});

describe('the gateway keeps an object’s Content-Type', () => {
  let gw: TestGateway;
  let v1 = '';
  const native = nativeCalls(() => v1);
  const nativeHead = async (bucket: string, key: string) => {
    const r = await request('HEAD', `${v1}/objects/${bucket}/${key}?provider=ais`);
    assert.equal(r.status, 200);
    // Node joins the repeated header with ", " (no value here has a comma)
    return r.headers['ais-custom-md'] ? String(r.headers['ais-custom-md']).split(', ') : [];
  };
  const sdkType = async (bucket: string, key: string) => (await gw.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ContentType;

  before(async () => {
    ({ gw, v1 } = await startNativeGateway());
    assert.equal((await native.createBucket('ct')).status, 200);
  });
  after(() => gw.dispose());

  test('native PUT: Ais-Custom-Md Content-Type is the type (HEAD, GET, /s3 HEAD and GET); the PUT’s own Content-Type is not', async () => {
    const put = await native.put('ct', 'p.png', 'png bytes', { 'Ais-Custom-Md': ['Content-Type=image/png', 'owner=me'] as unknown as string, 'Content-Type': 'application/json' });
    assert.equal(put.status, 200);
    assert.deepEqual((await nativeHead('ct', 'p.png')).sort(), ['Content-Type=image/png', 'owner=me']);
    const get = await request('GET', `${v1}/objects/ct/p.png?provider=ais`);
    assert.equal(get.headers['content-type'], 'application/octet-stream', 'a native GET is octet-stream, as in AIStore');
    assert.match(String(get.headers['ais-custom-md']), /Content-Type=image\/png/);
    const head = await gw.s3.send(new HeadObjectCommand({ Bucket: 'ct', Key: 'p.png' }));
    assert.equal(head.ContentType, 'image/png');
    assert.deepEqual(head.Metadata, { owner: 'me' });
    const got = await gw.s3.send(new GetObjectCommand({ Bucket: 'ct', Key: 'p.png' }));
    assert.equal(got.ContentType, 'image/png');
    assert.equal((await readSdkBody(got)).toString(), 'png bytes');

    // AIStore's clients send application/json with every request: it says nothing about the object.
    await native.put('ct', 'plain', 'x', { 'Content-Type': 'application/json' });
    assert.deepEqual(await nativeHead('ct', 'plain'), []);
    assert.equal(await sdkType('ct', 'plain'), 'application/octet-stream');
    // A PUT replaces the type with the object.
    await native.put('ct', 'p.png', 'again');
    assert.equal(await sdkType('ct', 'p.png'), 'application/octet-stream');
    // A custom line that is not key=value is refused, as AIStore does.
    assert.equal((await native.put('ct', 'bad', 'x', { 'Ais-Custom-Md': 'novalue' })).status, 400);
  });

  test('/s3 PUT, multipart and copy keep it; native rename and custom props too', async () => {
    await gw.s3.send(new PutObjectCommand({ Bucket: 'ct', Key: 'doc.pdf', Body: 'pdf', ContentType: 'application/pdf', Metadata: { a: '1' } }));
    assert.deepEqual((await nativeHead('ct', 'doc.pdf')).sort(), ['Content-Type=application/pdf', 'a=1']);

    const mp = await gw.s3.send(new CreateMultipartUploadCommand({ Bucket: 'ct', Key: 'big.json', ContentType: 'application/json' }));
    const part = await gw.s3.send(new UploadPartCommand({ Bucket: 'ct', Key: 'big.json', UploadId: mp.UploadId, PartNumber: 1, Body: Buffer.alloc(1024, 1) }));
    await gw.s3.send(new CompleteMultipartUploadCommand({ Bucket: 'ct', Key: 'big.json', UploadId: mp.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    assert.equal(await sdkType('ct', 'big.json'), 'application/json');
    assert.ok((await nativeHead('ct', 'big.json')).includes('Content-Type=application/json'));

    // CopyObject copies the type (COPY), or takes the new one (REPLACE)
    await gw.s3.send(new CopyObjectCommand({ Bucket: 'ct', Key: 'copy.pdf', CopySource: 'ct/doc.pdf' }));
    assert.equal(await sdkType('ct', 'copy.pdf'), 'application/pdf');
    await gw.s3.send(new CopyObjectCommand({ Bucket: 'ct', Key: 'copy.pdf', CopySource: 'ct/copy.pdf', MetadataDirective: 'REPLACE', ContentType: 'text/plain', Metadata: { b: '2' } }));
    assert.equal(await sdkType('ct', 'copy.pdf'), 'text/plain');

    // native rename keeps it
    const mv = await request('POST', `${v1}/objects/ct/doc.pdf?provider=ais`, { json: { action: 'rename-obj', name: 'moved.pdf' } });
    assert.equal(mv.status, 200);
    assert.equal(await sdkType('ct', 'moved.pdf'), 'application/pdf');

    // custom props: merged or replaced, the type kept unless the value names one
    const patch = (key: string, value: Record<string, string>, replace: boolean) =>
      request('PATCH', `${v1}/objects/ct/${key}?provider=ais${replace ? '&set-new-custom=true' : ''}`, { json: { action: '', value } });
    assert.equal((await patch('moved.pdf', { owner: 'x' }, true)).status, 200);
    let head = await gw.s3.send(new HeadObjectCommand({ Bucket: 'ct', Key: 'moved.pdf' }));
    assert.deepEqual([head.ContentType, head.Metadata], ['application/pdf', { owner: 'x' }]);
    assert.equal((await patch('moved.pdf', { 'Content-Type': 'image/webp', stage: 'raw' }, false)).status, 200);
    head = await gw.s3.send(new HeadObjectCommand({ Bucket: 'ct', Key: 'moved.pdf' }));
    assert.deepEqual([head.ContentType, head.Metadata], ['image/webp', { owner: 'x', stage: 'raw' }]);
  });
});

/** Files named as the extension-host test names them: an image, a PDF, JSON and one without extension. */
function writeSamples(dir: string): string[] {
  const files = { 'pic.png': Buffer.from('89504e470d0a1a0a', 'hex'), 'paper.pdf': '%PDF-1.4\n', 'data.json': '{"a":1}\n', LICENSE: 'MIT\n' };
  for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), body);
  return Object.keys(files).map((n) => path.join(dir, n));
}

const EXPECTED: Record<string, string> = { 'pic.png': 'image/png', 'paper.pdf': 'application/pdf', 'data.json': 'application/json', LICENSE: 'application/octet-stream' };

for (const kind of ['ais', 's3'] as const) {
  describe(`${kind} client: uploads store the guessed Content-Type`, () => {
    let gw: TestGateway;
    let client: ClusterClient;
    let tmp = '';
    const b = { name: 'up', provider: kind === 'ais' ? 'ais' : 's3' };
    const sdkType = async (key: string) => (await gw.s3.send(new HeadObjectCommand({ Bucket: 'up', Key: key }))).ContentType;

    before(async () => {
      ({ gw } = await startNativeGateway());
      client = createClusterClient(kind === 'ais' ? { kind, endpoint: gw.url } : { kind, endpoint: gw.s3Endpoint, accessKey: 'k', secretKey: 's' });
      await client.createBucket(b);
      tmp = makeTempDir('ctype');
    });
    after(async () => {
      client.dispose();
      await gw.dispose();
      removeDir(tmp);
    });

    test('single PUTs of files and of a folder', async () => {
      const dir = path.join(tmp, 'folder');
      fs.mkdirSync(dir);
      writeSamples(dir);
      const result = await uploadFiles(client, b, await collectFolder(dir, 'folder/'));
      assert.equal(result.files, 4);
      for (const [name, type] of Object.entries(EXPECTED)) {
        assert.equal((await client.headObject(b, `folder/${name}`)).contentType, type, `${kind} HEAD folder/${name}`);
        assert.equal(await sdkType(`folder/${name}`), type, `SDK HEAD folder/${name}`);
      }
      // The key's extension decides; a key without one takes the file's.
      const [png] = writeSamples(tmp);
      await uploadFile(client, b, png, 'renamed');
      assert.equal(await sdkType('renamed'), 'image/png');
      // A type the caller gives wins.
      await uploadFile(client, b, png, 'given.png', { putOptions: { contentType: 'image/x-custom' } });
      assert.equal((await client.headObject(b, 'given.png')).contentType, 'image/x-custom');
    });

    test('multipart, and a cancelled multipart upload resumed', async () => {
      const file = path.join(tmp, 'big.pdf');
      fs.writeFileSync(file, crypto.randomBytes(11 * MiB));
      await uploadFile(client, b, file, 'big.pdf', { partSize: 5 * MiB });
      assert.equal((await client.headObject(b, 'big.pdf')).contentType, 'application/pdf');
      assert.equal(await sdkType('big.pdf'), 'application/pdf');

      const journal = new FileUploadJournal(path.join(tmp, 'journal.json'));
      const abort = new AbortController();
      const orig = client.uploadPart.bind(client);
      client.uploadPart = async (...args) => {
        const etag = await orig(...args);
        abort.abort();
        return etag;
      };
      await assert.rejects(uploadFile(client, b, file, 'resumed.pdf', { partSize: 5 * MiB, partConcurrency: 1, signal: abort.signal, journal }), TransferCancelled);
      client.uploadPart = orig;
      const [entry] = await journal.list();
      assert.equal(entry.putOptions?.contentType, 'application/pdf', 'the journal keeps the type for the resume');
      await resumeUpload(client, entry, { journal });
      assert.equal(await sdkType('resumed.pdf'), 'application/pdf');
      assert.equal((await client.headObject(b, 'resumed.pdf')).contentType, 'application/pdf');
    });

    test('Edit Metadata: a new type with the user metadata, the type kept when only metadata changes', async () => {
      await client.putObject(b, 'edit.json', bodyOf('{}'), { contentType: 'application/json' });
      await client.setObjectMetadata(b, 'edit.json', { contentType: 'application/json', userMeta: { owner: 'a' } });
      let head = await client.headObject(b, 'edit.json');
      assert.deepEqual([head.contentType, head.userMeta], ['application/json', { owner: 'a' }]);
      await client.setObjectMetadata(b, 'edit.json', { contentType: 'text/plain; charset=utf-8', userMeta: { owner: 'a', stage: 'raw' } });
      head = await client.headObject(b, 'edit.json');
      assert.deepEqual([head.contentType, head.userMeta], ['text/plain; charset=utf-8', { owner: 'a', stage: 'raw' }]);
      const sdk = await gw.s3.send(new HeadObjectCommand({ Bucket: 'up', Key: 'edit.json' }));
      assert.deepEqual([sdk.ContentType, sdk.Metadata], ['text/plain; charset=utf-8', { owner: 'a', stage: 'raw' }]);
    });
  });
}
