// The `ais:` file system in the real VS Code: objects open as documents from the tree, edits save back
// with their metadata, VS Code's own file service (what the Explorer, diff and drag-and-drop use) works
// on buckets, and the properties document. Against the runner's gateway, in a bucket of its own.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClusterClient } from '../../src/client/cluster';
import { checksumOf, initChecksums } from '../../src/common/checksum';
import type { AisBucketsApi } from '../../src/extension';
import type { BucketNode, ObjectNode } from '../../src/views/model';
import { bodyOf, readObjectText } from '../helpers/data';
import { activateWithGateway } from '../helpers/extension-host';
import { makeTempDir, removeDir } from '../helpers/temp';

const BUCKET = 'fs-suite';
const ref = { name: BUCKET, provider: 'ais' };
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVR4nGP8z8DwnwEIGBgYGBgYAAAdFwIBDqZs4wAAAABJRU5ErkJggg==',
  'base64',
);

describe('ais: file system', function () {
  let api: AisBucketsApi;
  let cluster: string;
  let client: ClusterClient;
  let url: string;
  const tmp = makeTempDir('fs');
  const object = (key: string): ObjectNode => ({ type: 'object', clusterName: cluster, bucket: { name: BUCKET, provider: 'ais' }, key, entry: { key, size: 0 }, parentPrefix: '' });
  const uri = (key = '') => vscode.Uri.from({ scheme: 'ais', authority: cluster, path: `/ais/${BUCKET}${key ? '/' + key : ''}` });

  before(async function () {
    ({ api, cluster, client, url } = await activateWithGateway(this));
    await initChecksums();
    await client.createBucket(ref);
    await client.putObject(ref, 'notes/todo.txt', bodyOf('first line\n'), { contentType: 'text/x-todo', userMeta: { owner: 'alice', project: 'issue-8' } });
    await client.putObject(ref, 'pixel.png', bodyOf(PNG), { contentType: 'image/png', userMeta: {} });
    await client.putObject(ref, 'blob', bodyOf(Buffer.from([0, 1, 2, 3, 0, 255])));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await client?.deleteBucket(ref).catch(() => undefined);
    removeDir(tmp);
  });

  it('opens objects of a cluster whose name has spaces, capitals, a colon and non-ASCII, also from a URI VS Code printed and parsed again', async () => {
    const name = 'My Cluster 127.0.0.1:1 Ü';
    assert.equal(await vscode.commands.executeCommand('aisBuckets.addCluster', { name, endpoint: url, kind: 'ais', skipProbe: true }), name);
    try {
      const node = { ...object('notes/todo.txt'), clusterName: name };
      const item = api.tree.getTreeItem(node);
      const printed = item.resourceUri!.toString();
      assert.equal(Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.parse(printed))).toString(), 'first line\n', `read through ${printed}`);
      await vscode.commands.executeCommand(item.command!.command, ...(item.command!.arguments ?? []));
      const doc = vscode.window.activeTextEditor?.document;
      assert.equal(doc?.uri.toString(), printed);
      assert.equal(doc?.getText(), 'first line\n');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand('aisBuckets.removeCluster', name);
    }
  });

  it('opens an object from the tree as a document; saving keeps content type and metadata, the checksum follows', async () => {
    const item = api.tree.getTreeItem(object('notes/todo.txt'));
    assert.equal(item.command?.command, 'aisBuckets.openObject', 'a click on an object opens it');
    assert.equal(item.resourceUri?.toString(), uri('notes/todo.txt').toString());
    const opened = (await vscode.commands.executeCommand(item.command!.command, ...(item.command!.arguments ?? []))) as { uri: string; kind: string };
    assert.deepEqual(opened, { uri: uri('notes/todo.txt').toString(), kind: 'text' });
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'an editor is open');
    assert.equal(editor.document.uri.toString(), opened.uri);
    assert.equal(editor.document.getText(), 'first line\n');

    const before = await client.headObject(ref, 'notes/todo.txt');
    assert.ok(await editor.edit((b) => b.insert(new vscode.Position(1, 0), 'second line\n')));
    assert.equal(await editor.document.save(), true, 'saved');
    assert.equal(editor.document.isDirty, false);
    assert.equal(await readObjectText(client, ref, 'notes/todo.txt'), 'first line\nsecond line\n');
    const after = await client.headObject(ref, 'notes/todo.txt');
    assert.equal(after.contentType, 'text/x-todo');
    assert.deepEqual(after.userMeta, { owner: 'alice', project: 'issue-8' });
    const type = (await client.getBucketProps(ref)).checksum?.type ?? 'xxhash';
    assert.equal(after.checksum?.type, type);
    assert.notEqual(after.checksum?.value, before.checksum?.value);
    assert.equal(after.checksum?.value, checksumOf(type as 'xxhash', 'first line\nsecond line\n'));
  });

  it('refuses to save over an object that changed on the server since it was opened', async () => {
    await client.putObject(ref, 'race.txt', bodyOf('original\n'), { contentType: 'text/plain', userMeta: {} });
    const doc = await vscode.workspace.openTextDocument(uri('race.txt'));
    const editor = await vscode.window.showTextDocument(doc);
    await new Promise((r) => setTimeout(r, 1100)); // the server's Last-Modified has 1 s resolution
    await client.putObject(ref, 'race.txt', bodyOf('someone else wrote this\n'), { contentType: 'text/plain', userMeta: {} });
    assert.ok(await editor.edit((b) => b.insert(new vscode.Position(0, 0), 'mine: ')));
    assert.equal(await doc.save(), false, 'the save is refused');
    assert.equal(doc.isDirty, true, 'the edit is kept in the editor');
    assert.equal(await readObjectText(client, ref, 'race.txt'), 'someone else wrote this\n', "the other writer's version is kept");
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it("VS Code's file service (Explorer, drag and drop, diff) works on a bucket", async () => {
    const wfs = vscode.workspace.fs;
    assert.equal((await wfs.stat(uri())).type, vscode.FileType.Directory);
    assert.equal((await wfs.stat(uri('notes'))).type, vscode.FileType.Directory);
    const todo = await wfs.stat(uri('notes/todo.txt'));
    assert.equal(todo.type, vscode.FileType.File);
    assert.equal(todo.size, 'first line\nsecond line\n'.length);
    const root = new Map(await wfs.readDirectory(uri()));
    assert.equal(root.get('notes'), vscode.FileType.Directory);
    assert.equal(root.get('pixel.png'), vscode.FileType.File);
    const buckets = new Map(await wfs.readDirectory(vscode.Uri.from({ scheme: 'ais', authority: cluster, path: '/ais' })));
    assert.equal(buckets.get(BUCKET), vscode.FileType.Directory, 'a provider lists its buckets');
    await assert.rejects(Promise.resolve(wfs.stat(uri('missing.txt'))), (e: unknown) => e instanceof vscode.FileSystemError && e.code === 'FileNotFound');

    // A local file dragged in (a copy across file systems), a folder made, renamed and deleted.
    const local = path.join(tmp, 'local.csv');
    fs.writeFileSync(local, 'a,b\n1,2\n');
    await wfs.copy(vscode.Uri.file(local), uri('in/local.csv'));
    assert.equal(await readObjectText(client, ref, 'in/local.csv'), 'a,b\n1,2\n');
    assert.equal((await client.headObject(ref, 'in/local.csv')).contentType, 'text/csv');
    await wfs.createDirectory(uri('made'));
    assert.equal((await wfs.stat(uri('made'))).type, vscode.FileType.Directory);
    await wfs.copy(uri('notes/todo.txt'), uri('made/todo-copy.txt'));
    assert.deepEqual((await client.headObject(ref, 'made/todo-copy.txt')).userMeta, { owner: 'alice', project: 'issue-8' }, 'a server-side copy keeps metadata');
    await wfs.rename(uri('made'), uri('renamed'));
    assert.deepEqual((await wfs.readDirectory(uri('renamed'))).sort(), [['todo-copy.txt', vscode.FileType.File]]);
    await assert.rejects(Promise.resolve(wfs.stat(uri('made'))));
    await wfs.delete(uri('renamed'), { recursive: true });
    await wfs.delete(uri('in/local.csv'));
    // VS Code made the parent folder before copying into it (an "in/" marker): like a disk, it stays.
    assert.equal((await wfs.stat(uri('in'))).type, vscode.FileType.Directory);
    await wfs.delete(uri('in'), { recursive: false });
    const keys = (await client.listObjects(ref, { folders: false })).objects.map((o) => o.key).sort();
    assert.deepEqual(keys, ['blob', 'notes/todo.txt', 'pixel.png', 'race.txt']);
    // And the file service reads objects back to a local file (drag out to the Explorer).
    await wfs.copy(uri('pixel.png'), vscode.Uri.file(path.join(tmp, 'pixel.png')));
    assert.deepEqual(fs.readFileSync(path.join(tmp, 'pixel.png')), PNG);
  });

  it('opens images in the image preview and binary objects not as text', async () => {
    const image = (await vscode.commands.executeCommand('aisBuckets.openObject', object('pixel.png'))) as { kind: string };
    assert.equal(image.kind, 'image');
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.ok(tab?.input instanceof vscode.TabInputCustom, `a custom editor tab, got ${tab?.label}`);
    assert.equal((tab.input as vscode.TabInputCustom).viewType, 'imagePreview.previewEditor');
    const blob = (await vscode.commands.executeCommand('aisBuckets.openObject', object('blob'))) as { kind: string };
    assert.equal(blob.kind, 'binary');
  });

  it('shows object properties: size, checksum, version, atime, ETag, content type, user metadata', async () => {
    const doc = (await vscode.commands.executeCommand('aisBuckets.showObjectProperties', object('notes/todo.txt'))) as string;
    const head = await client.headObject(ref, 'notes/todo.txt');
    assert.match(doc, new RegExp(`^size: ${head.size}\\b`, 'm'));
    assert.match(doc, new RegExp(`^checksum:\\n {2}type: ${head.checksum!.type}\\n {2}value: ${head.checksum!.value}$`, 'm'));
    assert.match(doc, /^version: "?\d+"?$/m);
    assert.match(doc, /^atime: \d{4}-\d\d-\d\dT[\d:.]+Z$/m);
    assert.match(doc, /^etag: \S+$/m);
    assert.match(doc, /^contentType: text\/x-todo$/m);
    assert.match(doc, /^userMetadata:\n {2}owner: alice\n {2}project: issue-8$/m);
    const active = vscode.window.activeTextEditor?.document;
    assert.equal(active?.languageId, 'yaml');
    assert.equal(active?.getText(), doc);
  });

  it('drag out: a dragged object carries its ais: URI, which the editor area opens', async () => {
    const data = new vscode.DataTransfer();
    const folder: BucketNode = { type: 'bucket', clusterName: cluster, bucket: { name: BUCKET, provider: 'ais' } };
    await api.dragAndDrop.handleDrag?.([object('notes/todo.txt'), object('pixel.png'), folder], data);
    assert.equal(await data.get('text/uri-list')?.asString(), `${uri('notes/todo.txt').toString()}\r\n${uri('pixel.png').toString()}`);
  });
});
