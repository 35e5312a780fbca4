// Connecting to a secured S3 endpoint in the real VS Code: a gateway program that wants requests signed
// with keys, added, browsed, uploaded to and downloaded from; wrong keys refused by name with nothing
// saved; keys edited (a failed edit changes nothing), a rename to any name keeps its objects opening;
// removal takes the keys out of SecretStorage.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { AisBucketsApi } from '../../src/extension';
import { clusterAuthority } from '../../src/objects/location';
import { bucketNode, commandError, objectNode, savedCluster, savedClusters, secretsKeptFor, treeOf } from '../helpers/clusters';
import { activate, testGateway } from '../helpers/extension-host';
import { SecuredGateway, startKeyedGateway } from '../helpers/secured';
import { makeTempDir, removeDir } from '../helpers/temp';

const KEYS = { accessKey: 'AKIASUITEKEYED000001', secretKey: 'suiteKeyedSecret/0000000000000000000000001' };

describe('connection: S3 with keys', function () {
  this.timeout(120_000);
  let api: AisBucketsApi;
  let gw: SecuredGateway;
  let s3: string;
  const tmp = makeTempDir('conn');

  before(async function () {
    if (!testGateway()) return this.skip();
    api = await activate<AisBucketsApi>();
    gw = await startKeyedGateway(tmp, KEYS);
    s3 = `${gw.url}/s3`;
    const seed = new S3Client({ endpoint: s3, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: KEYS.accessKey, secretAccessKey: KEYS.secretKey } });
    for (const b of ['lab-data', 'lab-models']) await seed.send(new CreateBucketCommand({ Bucket: b }));
    await seed.send(new PutObjectCommand({ Bucket: 'lab-data', Key: 'notes/readme.md', Body: '# Lab notes\n' }));
    seed.destroy();
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await gw?.stop();
    removeDir(tmp);
  });

  it('adds the endpoint with its keys: the tree shows its buckets, a file goes up and comes back byte for byte', async () => {
    assert.equal(await vscode.commands.executeCommand('aisBuckets.addCluster', { name: 'keyed', kind: 's3', endpoint: s3, ...KEYS }), 'keyed');
    try {
      assert.equal(savedCluster('keyed')?.endpoint, s3);
      assert.deepEqual(savedCluster('keyed')?.auth, { method: 'keys' });
      const tree = await treeOf(api, 'keyed');
      assert.deepEqual(tree.errors.map((e) => e.detail), []);
      assert.deepEqual(tree.buckets, ['lab-data', 'lab-models']);

      const src = path.join(tmp, 'up');
      fs.mkdirSync(src);
      const data = crypto.randomBytes(300_000);
      fs.writeFileSync(path.join(src, 'sample ü.bin'), data);
      const dest = bucketNode('keyed', 'lab-models', 's3');
      const up = (await vscode.commands.executeCommand('aisBuckets.upload', dest, [vscode.Uri.file(path.join(src, 'sample ü.bin'))])) as { files: number };
      assert.equal(up.files, 1);
      const out = path.join(tmp, 'down');
      fs.mkdirSync(out);
      await vscode.commands.executeCommand('aisBuckets.download', objectNode('keyed', 'lab-models', 's3', 'sample ü.bin', data.length), undefined, vscode.Uri.file(out));
      assert.deepEqual(fs.readFileSync(path.join(out, 'sample ü.bin')), data);
      // And the gateway holds it (its own listing, signed with the keys by the extension's client).
      const client = await api.registry.client('keyed');
      assert.equal((await client.headObject({ name: 'lab-models', provider: 's3' }, 'sample ü.bin')).size, data.length);
    } finally {
      await vscode.commands.executeCommand('aisBuckets.removeCluster', 'keyed');
    }
  });

  it('refuses a wrong secret and an unknown key, each named, with no secret in the message, and saves nothing', async () => {
    const before = JSON.stringify(savedClusters());
    const wrongSecret = 'notTheSecret/00000000000000000000000000000';
    const bad = await commandError('aisBuckets.addCluster', { name: 'refused', kind: 's3', endpoint: s3, accessKey: KEYS.accessKey, secretKey: wrongSecret });
    assert.match(bad.message, /the secret key does not match the access key AKIA…0001/);
    for (const secret of [wrongSecret, KEYS.secretKey]) assert.ok(!bad.message.includes(secret), `no secret in: ${bad.message}`);

    const unknown = await commandError('aisBuckets.addCluster', { name: 'refused', kind: 's3', endpoint: s3, accessKey: 'AKIAUNKNOWNSUITE9876', secretKey: KEYS.secretKey });
    assert.match(unknown.message, /The access key AKIA…9876 is not known to /);
    assert.ok(!unknown.message.includes(KEYS.secretKey), `no secret in: ${unknown.message}`);

    assert.equal(JSON.stringify(savedClusters()), before, 'the settings are as they were');
    assert.equal(await api.registry.entry('refused'), undefined);
    assert.deepEqual(await secretsKeptFor(api, 'refused'), {}, 'and SecretStorage holds nothing under the name');
  });

  it('edits the keys: a failed edit leaves settings and secrets as they were, a good one is what the client uses', async () => {
    // Saved with keys the gateway no longer knows (rotated), without the check.
    const stale = { accessKey: 'AKIAROTATEDAWAY00000', secretKey: 'rotatedSecret/000000000000000000000000000' };
    await vscode.commands.executeCommand('aisBuckets.addCluster', { name: 'rotating', kind: 's3', endpoint: s3, ...stale, skipProbe: true });
    try {
      const client = await api.registry.client('rotating');
      await assert.rejects(client.listBuckets(), (e: Error & { authProblem?: string }) => e.authProblem === 'unknown-key');
      const settingsBefore = JSON.stringify(savedCluster('rotating'));
      const specBefore = JSON.stringify((await api.registry.entry('rotating'))?.spec);

      const failed = await commandError('aisBuckets.editConnection', 'rotating', { accessKey: KEYS.accessKey, secretKey: 'stillWrong/0000000000000000000000000000000' });
      assert.match(failed.message, /the secret key does not match/);
      assert.equal(JSON.stringify(savedCluster('rotating')), settingsBefore, 'settings unchanged');
      assert.equal(JSON.stringify((await api.registry.entry('rotating'))?.spec), specBefore, 'secrets unchanged');

      assert.equal(await vscode.commands.executeCommand('aisBuckets.editConnection', 'rotating', { accessKey: KEYS.accessKey, secretKey: KEYS.secretKey }), true);
      const spec = (await api.registry.entry('rotating'))?.spec;
      assert.equal(spec?.accessKey, KEYS.accessKey);
      assert.equal(spec?.secretKey, KEYS.secretKey);
      assert.deepEqual((await (await api.registry.client('rotating')).listBuckets()).map((b) => b.name).sort(), ['lab-data', 'lab-models']);
      assert.deepEqual((await treeOf(api, 'rotating')).buckets, ['lab-data', 'lab-models']);
    } finally {
      await vscode.commands.executeCommand('aisBuckets.removeCluster', 'rotating');
    }
  });

  it('renames a cluster to "Team Lab Ü 1": its objects open through their ais: URI, editors of the old name close', async () => {
    const renamed = 'Team Lab Ü 1';
    await vscode.commands.executeCommand('aisBuckets.addCluster', { name: 'team-lab', kind: 's3', endpoint: s3, ...KEYS });
    try {
      const oldNode = objectNode('team-lab', 'lab-data', 's3', 'notes/readme.md');
      const opened = (await vscode.commands.executeCommand('aisBuckets.openObject', oldNode)) as { uri: string };
      assert.equal(vscode.window.activeTextEditor?.document.getText(), '# Lab notes\n');
      assert.equal(vscode.Uri.parse(opened.uri).authority, clusterAuthority('team-lab'));

      assert.equal(await vscode.commands.executeCommand('aisBuckets.editConnection', 'team-lab', { name: renamed }), true);
      assert.equal(savedCluster('team-lab'), undefined);
      assert.equal(savedCluster(renamed)?.endpoint, s3);
      assert.equal((await api.registry.entry(renamed))?.spec.secretKey, KEYS.secretKey, 'the keys went along');
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => (t.input instanceof vscode.TabInputText ? t.input.uri.toString() : ''));
      assert.ok(!tabs.includes(opened.uri), `the old name's editor is closed: ${tabs.join(', ')}`);

      const item = api.tree.getTreeItem(objectNode(renamed, 'lab-data', 's3', 'notes/readme.md'));
      const printed = item.resourceUri!.toString();
      assert.notEqual(printed, opened.uri);
      // Through the URI as VS Code prints and parses it again (its host part is lowercased by URI rules).
      assert.equal(Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.parse(printed))).toString(), '# Lab notes\n');
      await vscode.commands.executeCommand(item.command!.command, ...(item.command!.arguments ?? []));
      assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), printed);
      assert.equal(vscode.window.activeTextEditor?.document.getText(), '# Lab notes\n');
      assert.deepEqual((await treeOf(api, renamed)).buckets, ['lab-data', 'lab-models']);
      assert.deepEqual(await secretsKeptFor(api, 'team-lab'), {}, 'nothing left under the old name');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand('aisBuckets.removeCluster', 'team-lab');
      await vscode.commands.executeCommand('aisBuckets.removeCluster', renamed);
    }
  });

  it('removes a cluster with its secrets: the registry entry and the SecretStorage key are gone', async () => {
    await vscode.commands.executeCommand('aisBuckets.addCluster', { name: 'doomed', kind: 's3', endpoint: s3, ...KEYS });
    assert.equal((await api.registry.entry('doomed'))?.spec.secretKey, KEYS.secretKey);
    assert.equal(await vscode.commands.executeCommand('aisBuckets.removeCluster', 'doomed'), true);
    assert.equal(await api.registry.entry('doomed'), undefined);
    assert.equal(savedCluster('doomed'), undefined);
    assert.deepEqual(await secretsKeptFor(api, 'doomed'), {}, 'a cluster saved by hand under the name finds no keys');
    assert.ok(!(await api.tree.getChildren()).some((r) => r.type === 'cluster' && r.clusterName === 'doomed'));
  });

  it('will not presign a link on a cluster without keys, and says why', async () => {
    await vscode.commands.executeCommand('aisBuckets.addCluster', { name: 'keyless', kind: 's3', endpoint: s3, skipProbe: true });
    try {
      const e = await commandError('aisBuckets.copyPresignedUrl', objectNode('keyless', 'lab-data', 's3', 'notes/readme.md'), 60);
      assert.match(e.message, /"keyless" is reached without keys, so there is nothing to sign a link with/);
    } finally {
      await vscode.commands.executeCommand('aisBuckets.removeCluster', 'keyless');
    }
  });
});
