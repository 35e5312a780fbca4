// Content-Type in the real VS Code against the runner's gateway: files uploaded with the Upload command
// get the type their names say (what a browser is served on /s3), a save through the `ais:` file system
// keeps the object's type and user metadata, a new object written there gets its guessed type, and Edit
// Metadata's new type shows in the object's properties.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClusterClient } from '../../src/client/cluster';
import { bodyOf } from '../helpers/data';
import { activateWithGateway } from '../helpers/extension-host';
import { request } from '../helpers/http';
import { makeTempDir, removeDir } from '../helpers/temp';

const BUCKET = 'ctype-suite';
const ref = { name: BUCKET, provider: 'ais' };

describe('Content-Type', function () {
  let cluster: string;
  let client: ClusterClient;
  let url: string;
  const tmp = makeTempDir('ctype');
  const uri = (key: string) => vscode.Uri.from({ scheme: 'ais', authority: cluster, path: `/ais/${BUCKET}/${key}` });
  /** What a browser following a link to the object on the S3 side is told. */
  const servedType = async (key: string) => {
    const r = await request('GET', `${url}/s3/${BUCKET}/${key}`);
    assert.equal(r.status, 200, `GET /s3/${BUCKET}/${key}: ${r.body.toString().slice(0, 200)}`);
    return r.headers['content-type'];
  };

  before(async function () {
    ({ cluster, client, url } = await activateWithGateway(this));
    await client.createBucket(ref);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await client?.deleteBucket(ref).catch(() => undefined);
    removeDir(tmp);
  });

  it('uploads a .png, a .pdf, a .json and a file without extension with the types their names say', async () => {
    const files: Record<string, string | Buffer> = {
      'pixel.png': Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
      'paper.pdf': '%PDF-1.4\n%%EOF\n',
      'data.json': '{"answer": 42}\n',
      LICENSE: 'MIT License\n',
    };
    for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(tmp, name), body);
    const dest = { clusterName: cluster, bucket: ref, prefix: 'up/' };
    const result = (await vscode.commands.executeCommand('aisBuckets.upload', dest, Object.keys(files).map((n) => vscode.Uri.file(path.join(tmp, n))))) as { files: number };
    assert.equal(result.files, 4);
    const expected: Record<string, string> = { 'pixel.png': 'image/png', 'paper.pdf': 'application/pdf', 'data.json': 'application/json', LICENSE: 'application/octet-stream' };
    for (const [name, type] of Object.entries(expected)) {
      assert.equal((await client.headObject(ref, `up/${name}`)).contentType, type, `HEAD up/${name}`);
      assert.equal(await servedType(`up/${name}`), type, `served up/${name}`);
    }
  });

  it('a save through the file system keeps the object’s Content-Type and user metadata; a new object gets its guess', async () => {
    // An object whose type is not the guess for its name, with user metadata (each test stands alone: --grep).
    await client.putObject(ref, 'fs/data.json', bodyOf('{"answer": 42}\n'), { contentType: 'application/vnd.example+json', userMeta: { owner: 'team-a', stage: 'raw' } });
    const doc = await vscode.workspace.openTextDocument(uri('fs/data.json'));
    const editor = await vscode.window.showTextDocument(doc);
    assert.equal(doc.getText(), '{"answer": 42}\n');
    await editor.edit((e) => e.insert(new vscode.Position(1, 0), '{"answer": 43}\n'));
    assert.equal(await doc.save(), true, 'saved');
    const head = await client.headObject(ref, 'fs/data.json');
    assert.equal(head.size, 30, 'the edit was saved');
    assert.equal(head.contentType, 'application/vnd.example+json');
    assert.deepEqual(head.userMeta, { owner: 'team-a', stage: 'raw' });
    assert.equal(await servedType('fs/data.json'), 'application/vnd.example+json');

    await vscode.workspace.fs.writeFile(uri('new/report.pdf'), Buffer.from('%PDF-1.4\n'));
    await vscode.workspace.fs.writeFile(uri('new/notes'), Buffer.from('plain\n'));
    assert.equal((await client.headObject(ref, 'new/report.pdf')).contentType, 'application/pdf');
    assert.equal((await client.headObject(ref, 'new/notes')).contentType, 'application/octet-stream');
  });

  it('Edit Metadata’s new Content-Type shows in the object’s properties', async () => {
    await client.putObject(ref, 'props/pixel.png', bodyOf(Buffer.from('89504e470d0a1a0a', 'hex')), { contentType: 'image/png' });
    const node = { type: 'object', clusterName: cluster, bucket: ref, key: 'props/pixel.png', entry: { key: 'props/pixel.png', size: 8 }, parentPrefix: 'props/' };
    let props = (await vscode.commands.executeCommand('aisBuckets.showObjectProperties', node)) as string;
    assert.match(props, /^contentType: image\/png$/m);
    await vscode.commands.executeCommand('aisBuckets.editMetadata', node, { contentType: 'image/x-icon', userMeta: { note: 'renamed type' } });
    props = (await vscode.commands.executeCommand('aisBuckets.showObjectProperties', node)) as string;
    assert.match(props, /^contentType: image\/x-icon$/m);
    assert.match(props, /^ {2}note: "renamed type"$/m);
    assert.equal(await servedType('props/pixel.png'), 'image/x-icon');
  });
});
