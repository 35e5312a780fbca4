// What actions say and how they count, in the real VS Code against the runner's gateway: the deletion plan
// (a folder's keys listed, markers left out of the count) and its confirmation naming the count and the
// bucket, the completion sentences, Reveal in Tree's target, that commands run with arguments ask nothing
// (an upload to a bucket that is not md5 finishes without the md5 question), and the palette's manifest:
// one category, Stop Local Gateway only while it runs. The dialogs and notifications themselves are the
// UI tests' (test/e2e/ui/actions.ui.mjs).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BucketRef, ClusterClient } from '../../src/client/cluster';
import { deletionQuestion, planDeletion } from '../../src/commands/deletion';
import { copyMessage, deletionMessage, downloadMessage, uploadMessage } from '../../src/commands/outcome';
import type { AisBucketsApi } from '../../src/extension';
import type { FolderNode, ObjectNode } from '../../src/views/model';
import { bodyOf } from '../helpers/data';
import { activateWithGateway, extension } from '../helpers/extension-host';
import { makeTempDir, removeDir } from '../helpers/temp';

const tmp = makeTempDir('actions');

describe('actions: what they ask and tell', function () {
  this.timeout(120_000);
  let api: AisBucketsApi;
  let cluster: string;
  let client: ClusterClient;
  const bucket: BucketRef = { name: 'actions-suite', provider: 'ais' };

  before(async function () {
    ({ api, cluster, client } = await activateWithGateway(this));
    await client.createBucket(bucket);
    const keys = [...Array.from({ length: 1200 }, (_, i) => `bulk/${String(i).padStart(4, '0')}.dat`), 'bulk/sub/', 'bulk/sub/deep.txt', 'bulk/', 'top.txt'];
    for (let at = 0; at < keys.length; at += 50) await Promise.all(keys.slice(at, at + 50).map((k) => client.putObject(bucket, k, bodyOf(k.endsWith('/') ? '' : 'x'))));
  });

  after(async () => {
    removeDir(tmp);
    if (client) await client.deleteBucket(bucket).catch(() => undefined);
  });

  it('plans a folder deletion: every key under it, markers last and left out of the count; the question names count and bucket', async () => {
    const folder: FolderNode = { type: 'folder', clusterName: cluster, bucket, prefix: 'bulk/' };
    const seen: number[] = [];
    const plan = await planDeletion(api.registry, [folder], undefined, (n) => seen.push(n));
    assert.equal(plan.keys, 1203, 'objects, the subfolder marker and the folder marker');
    assert.equal(plan.objects, 1201);
    assert.ok(seen.length >= 2 && seen[seen.length - 1] === 1203, `the count grows as pages are listed: ${seen}`);
    const keys = plan.groups[0].keys;
    assert.deepEqual(keys.slice(-2).sort(), ['bulk/', 'bulk/sub/'], 'markers go last: a stopped deletion leaves folders that still show');
    assert.deepEqual(deletionQuestion(plan), { message: 'Delete the folder "bulk/" and the 1,201 objects in it from ais://actions-suite?', detail: 'This cannot be undone.' });

    const one: ObjectNode = { type: 'object', clusterName: cluster, bucket, key: 'top.txt', entry: { key: 'top.txt', size: 1 }, parentPrefix: '' };
    assert.equal(deletionQuestion(await planDeletion(api.registry, [one])).message, 'Delete "top.txt" from ais://actions-suite?');
    const both = deletionQuestion(await planDeletion(api.registry, [one, { type: 'folder', clusterName: cluster, bucket, prefix: 'bulk/sub/' }]));
    assert.deepEqual(both, { message: 'Delete 2 objects from ais://actions-suite?', detail: 'Selected: top.txt, bulk/sub/. This cannot be undone.' });
  });

  it('deletes the folder with the command run with arguments (no dialog), every key gone, the rest kept', async () => {
    const folder: FolderNode = { type: 'folder', clusterName: cluster, bucket, prefix: 'bulk/' };
    assert.equal(await vscode.commands.executeCommand('aisBuckets.deleteObjects', folder, undefined, { confirm: false }), 1203);
    const left = (await client.listObjects(bucket, { folders: false })).objects.map((o) => o.key);
    assert.deepEqual(left, ['top.txt']);
  });

  it('says what finished in plain sentences with counts and sizes', () => {
    assert.equal(uploadMessage({ clusterName: cluster, bucket: { name: 'photos', provider: 'ais' }, prefix: '2024/', files: 12, bytes: 34 * 1024 * 1024, skipped: 0, revealKey: '2024/' }), 'Uploaded 12 files, 34.0 MiB, to ais://photos/2024/.');
    assert.equal(uploadMessage({ clusterName: cluster, bucket: { name: 'photos', provider: 'ais' }, prefix: '', files: 1, bytes: 100, skipped: 2, revealKey: 'cat.jpg' }), 'Uploaded cat.jpg (100 B) to ais://photos. 2 files that already existed were skipped.');
    assert.equal(downloadMessage({ files: 3, bytes: 5 * 1024 * 1024, targetDir: '/data/out', reveal: '/data/out/docs', single: false }), 'Downloaded 3 objects, 5.00 MiB, to /data/out.');
    assert.equal(downloadMessage({ files: 1, bytes: 47, targetDir: '/data/out', reveal: '/data/out/guide.md', single: true }), 'Downloaded guide.md (47 B) to /data/out.');
    const photos = [{ name: 'photos', provider: 'ais' }];
    assert.equal(deletionMessage({ deleted: 1200, total: 1200, buckets: photos, cancelled: false }), 'Deleted 1,200 objects from ais://photos.');
    assert.equal(deletionMessage({ deleted: 1200, total: 1200, buckets: photos, folder: '2024/', cancelled: false }), 'Deleted the folder 2024/ and its 1,200 objects from ais://photos.');
    assert.equal(deletionMessage({ deleted: 1000, total: 1200, buckets: photos, cancelled: true }), 'Deletion stopped: 1,000 of 1,200 objects were deleted from ais://photos; the others are still there.');
    assert.equal(deletionMessage({ deleted: 2, total: 2, buckets: [...photos, { name: 'demo', provider: 'ais' }], cancelled: false }), 'Deleted 2 objects from ais://photos and ais://demo.');
    assert.equal(copyMessage({ clusterName: cluster, bucket: { name: 'demo', provider: 'ais' }, prefix: 'x/', copied: 3 }), 'Copied 3 objects to ais://demo/x/.');
  });

  it('uploads with arguments without asking (no md5 question for a bucket that is not md5), downloads likewise', async () => {
    assert.notEqual((await client.getBucketProps(bucket)).checksum?.type, 'md5');
    const file = path.join(tmp, 'quiet.txt');
    fs.writeFileSync(file, 'quiet\n');
    // A question would be a modal that nobody answers here: the command would not return.
    const result = (await vscode.commands.executeCommand('aisBuckets.upload', { clusterName: cluster, bucket, prefix: 'q/' }, [vscode.Uri.file(file)])) as { files: number };
    assert.equal(result.files, 1);
    assert.notEqual((await client.getBucketProps(bucket)).checksum?.type, 'md5', 'the checksum is left as it was');
    const out = path.join(tmp, 'out');
    fs.mkdirSync(out);
    const obj: ObjectNode = { type: 'object', clusterName: cluster, bucket, key: 'q/quiet.txt', entry: { key: 'q/quiet.txt', size: 6 }, parentPrefix: 'q/' };
    const got = (await vscode.commands.executeCommand('aisBuckets.download', obj, undefined, vscode.Uri.file(out))) as { files: number; reveal: string; single: boolean };
    assert.deepEqual({ files: got.files, reveal: got.reveal, single: got.single }, { files: 1, reveal: path.join(out, 'quiet.txt'), single: true });
  });

  it('Reveal in Tree finds an uploaded folder, an object, and the bucket itself', async () => {
    const at = (key: string) => vscode.commands.executeCommand<{ type: string; prefix?: string; key?: string } | undefined>('aisBuckets.revealInTree', cluster, bucket, key);
    assert.deepEqual(await at('q/').then((n) => [n?.type, n?.prefix]), ['folder', 'q/']);
    assert.deepEqual(await at('q/quiet.txt').then((n) => [n?.type, n?.key]), ['object', 'q/quiet.txt']);
    assert.equal((await at(''))?.type, 'bucket');
  });

  it('the palette: one category for every command; Stop Local Gateway only while it runs, Start only while it does not', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(extension().extensionPath, 'package.json'), 'utf8')) as {
      contributes: { commands: { command: string; category?: string }[]; menus: { commandPalette: { command: string; when: string }[] } };
    };
    assert.deepEqual(manifest.contributes.commands.filter((c) => c.category !== '%category%').map((c) => c.command), []);
    const when = (command: string) => manifest.contributes.menus.commandPalette.find((m) => m.command === command)?.when;
    assert.equal(when('aisBuckets.stopLocalGateway'), 'aisBuckets.localGatewayRunning');
    assert.equal(when('aisBuckets.restartLocalGateway'), 'aisBuckets.localGatewayRunning');
    assert.equal(when('aisBuckets.startLocalGateway'), '!aisBuckets.localGatewayRunning');
    assert.equal(when('aisBuckets.localGatewayMenu'), undefined);
    // What asks for its target from the palette is shown there.
    for (const c of ['aisBuckets.deleteObjects', 'aisBuckets.download', 'aisBuckets.copyObjectUri', 'aisBuckets.copyPresignedUrl', 'aisBuckets.rename', 'aisBuckets.editMetadata', 'aisBuckets.upload']) assert.equal(when(c), undefined, c);
  });
});
