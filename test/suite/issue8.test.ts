// Links, names, metadata, rename/move, search and resumable uploads, run as commands in the real VS Code
// against the runner's gateway.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as vscode from 'vscode';
import type { AisBucketsApi } from '../../src/extension';
import type { ClusterClient, ListObjectsOptions } from '../../src/client/cluster';
import { FileUploadJournal, TransferCancelled, uploadFile } from '../../src/client/transfer';
import { nodeId, type BucketNode, type FolderNode, type ObjectNode, type TreeNode } from '../../src/views/model';
import { activate, testGateway } from './env';

function request(method: string, url: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const body = (s: string | Buffer) => {
  const b = Buffer.isBuffer(s) ? s : Buffer.from(s);
  return { open: () => Readable.from([b]), size: b.length };
};

describe('issue 8: links, go to key, search, metadata, rename, resume', function () {
  this.timeout(300_000);
  let api: AisBucketsApi;
  let cluster: string;
  let url: string;
  let client: ClusterClient;
  const bucket = (name: string): BucketNode => ({ type: 'bucket', clusterName: cluster, bucket: { name, provider: 'ais' } });
  const object = (b: string, key: string, size = 0): ObjectNode => ({
    type: 'object',
    clusterName: cluster,
    bucket: { name: b, provider: 'ais' },
    key,
    entry: { key, size },
    parentPrefix: key.slice(0, key.lastIndexOf('/') + 1),
  });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aisb-i8-'));

  before(async function () {
    const gw = testGateway();
    if (!gw) return this.skip();
    cluster = gw.cluster;
    url = gw.url;
    api = await activate<AisBucketsApi>();
    client = await api.registry.client(cluster);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('copies a presigned URL that plain HTTP can fetch, and the gateway refuses it once expired', async () => {
    await client.createBucket({ name: 'share', provider: 'ais' });
    await client.putObject({ name: 'share', provider: 'ais' }, 'docs/hello world.txt', body('presigned bytes'));
    const link = (await vscode.commands.executeCommand('aisBuckets.copyPresignedUrl', object('share', 'docs/hello world.txt'), 60)) as string;
    assert.equal(await vscode.env.clipboard.readText(), link);
    assert.match(link, /\/s3\/share\/docs\/hello%20world\.txt\?.*X-Amz-Expires=60/);
    const got = await request('GET', link);
    assert.equal(got.status, 200);
    assert.equal(got.body.toString(), 'presigned bytes');
    const short = (await vscode.commands.executeCommand('aisBuckets.copyPresignedUrl', object('share', 'docs/hello world.txt'), 1)) as string;
    await new Promise((r) => setTimeout(r, 2100));
    const refused = await request('GET', short);
    assert.equal(refused.status, 403);
    assert.match(refused.body.toString(), /Request has expired/);
  });

  it('goes to a key in a bucket of 20,000 objects with a few listings, and the tree reveals it', async () => {
    const ref = { name: 'twenty', provider: 'ais' };
    await client.createBucket(ref);
    const keys = Array.from({ length: 20000 }, (_, i) => `items/${String(i).padStart(5, '0')}.dat`);
    for (let i = 0; i < keys.length; i += 200) await Promise.all(keys.slice(i, i + 200).map((k) => client.putObject(ref, k, body(k))));
    const calls: ListObjectsOptions[] = [];
    const list = client.listObjects;
    client.listObjects = (b, o) => {
      if (b.name === 'twenty') calls.push(o ?? {});
      return list.call(client, b, o);
    };
    try {
      await vscode.commands.executeCommand('aisBuckets.clusters.focus');
      const node = (await vscode.commands.executeCommand('aisBuckets.goToKey', bucket('twenty'), 'items/12345.dat')) as TreeNode;
      assert.equal(node.type, 'object');
      assert.equal((node as ObjectNode).key, 'items/12345.dat');
      assert.ok(calls.length <= 3, `${calls.length} list requests`);
      assert.ok(calls.some((c) => c.startAfter !== undefined), 'a start-after listing');
      // reveal resolved; the renderer reports the selection back only when the view is drawn
      for (let i = 0; i < 20 && api.treeView.selection.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      const sel = api.treeView.selection as TreeNode[];
      if (sel.length) assert.equal(nodeId(sel[0]), nodeId(node));
      // the path TreeView.reveal walks: object → folder → bucket → provider → cluster
      let up: TreeNode | undefined = node;
      const chain: string[] = [];
      while (up) {
        chain.push(up.type);
        up = api.tree.getParent(up) ?? undefined;
      }
      assert.deepEqual(chain, ['object', 'folder', 'bucket', 'provider', 'cluster']);
      // the folder's rows: "Show from the start", then the key
      const folder = api.tree.getParent(node) as FolderNode;
      assert.equal(folder.prefix, 'items/');
      const rows = await api.tree.getChildren(folder);
      assert.equal(api.tree.getTreeItem(rows[0]).label, 'Show from the start…');
      assert.equal(nodeId(rows[1]), nodeId(node));
    } finally {
      client.listObjects = list;
    }
  });

  it('finds names by substring across the 20,000-object bucket', async () => {
    const found = (await vscode.commands.executeCommand('aisBuckets.searchBucket', bucket('twenty'), '1234')) as string[];
    const expected = Array.from({ length: 20000 }, (_, i) => `items/${String(i).padStart(5, '0')}.dat`).filter((k) => k.includes('1234'));
    assert.deepEqual(found, expected);
    assert.ok(found.includes('items/11234.dat') && found.includes('items/01234.dat'));
  });

  it('edits content type and user metadata in place; the gateway reads them back', async () => {
    await client.putObject({ name: 'share', provider: 'ais' }, 'meta.json', body('{"a":1}'), { contentType: 'text/plain', userMeta: { old: 'x' } });
    const before = await request('HEAD', `${url}/s3/share/meta.json`);
    await vscode.commands.executeCommand('aisBuckets.editMetadata', object('share', 'meta.json'), { contentType: 'application/json', userMeta: { owner: 'team-a', stage: 'raw' } });
    const after = await request('HEAD', `${url}/s3/share/meta.json`);
    assert.equal(after.headers['content-type'], 'application/json');
    assert.equal(after.headers['x-amz-meta-owner'], 'team-a');
    assert.equal(after.headers['x-amz-meta-stage'], 'raw');
    assert.equal(after.headers['x-amz-meta-old'], undefined);
    assert.equal(after.headers['etag'], before.headers['etag'], 'same bytes');
    // user metadata only: AIStore's own API (PATCH set-custom)
    await vscode.commands.executeCommand('aisBuckets.editMetadata', object('share', 'meta.json'), { contentType: 'application/json', userMeta: { owner: 'team-b' } });
    const again = await request('HEAD', `${url}/s3/share/meta.json`);
    assert.equal(again.headers['x-amz-meta-owner'], 'team-b');
    assert.equal(again.headers['x-amz-meta-stage'], undefined);
    assert.equal(again.headers['content-type'], 'application/json');
  });

  it('renames a folder (AIStore native rename) and an object; the gateway lists the new names', async () => {
    const ref = { name: 'share', provider: 'ais' };
    for (const k of ['old/a.txt', 'old/sub/b.txt', 'old/sub/c.txt']) await client.putObject(ref, k, body(k));
    const folder: FolderNode = { type: 'folder', clusterName: cluster, bucket: { name: 'share', provider: 'ais' }, prefix: 'old/' };
    assert.equal(await vscode.commands.executeCommand('aisBuckets.rename', folder, 'new/place'), 3);
    const listed = await request('GET', `${url}/s3/share?list-type=2&prefix=`);
    const names = [...listed.body.toString().matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]);
    assert.ok(['new/place/a.txt', 'new/place/sub/b.txt', 'new/place/sub/c.txt'].every((k) => names.includes(k)), names.join(' '));
    assert.ok(!names.some((k) => k.startsWith('old/')));
    assert.equal((await request('GET', `${url}/s3/share/new/place/sub/b.txt`)).body.toString(), 'old/sub/b.txt');
    assert.equal(await vscode.commands.executeCommand('aisBuckets.rename', object('share', 'new/place/a.txt'), 'renamed.txt'), 1);
    assert.equal((await request('HEAD', `${url}/s3/share/renamed.txt`)).status, 200);
    assert.equal((await request('HEAD', `${url}/s3/share/new/place/a.txt`)).status, 404);
  });

  it('resumes a journalled upload cut off half-way: only the missing parts, right checksum', async () => {
    assert.ok(api.uploadJournal, 'the extension keeps an upload journal');
    const ref = { name: 'share', provider: 'ais' };
    const file = path.join(tmp, 'half.bin');
    const data = crypto.randomBytes(26 * 1024 * 1024);
    fs.writeFileSync(file, data);
    // Another process (a killed extension host) wrote the journal: a fresh journal object on the same file.
    const writer = new FileUploadJournal(api.uploadJournal.file);
    const abort = new AbortController();
    let sent = 0;
    const orig = client.uploadPart;
    client.uploadPart = async (...a) => {
      const etag = await orig.apply(client, a);
      if (++sent === 3) abort.abort();
      return etag;
    };
    try {
      await assert.rejects(uploadFile(client, ref, file, 'half.bin', { partSize: 5 * 1024 * 1024, partConcurrency: 1, signal: abort.signal, journal: writer }), TransferCancelled);
      const entry = (await api.uploadJournal.list()).find((e) => e.key === 'half.bin');
      assert.ok(entry);
      assert.equal(entry.parts.length, 3);
      const parts: number[] = [];
      client.uploadPart = async (...a) => {
        parts.push(a[3]);
        return orig.apply(client, a);
      };
      const done = (await vscode.commands.executeCommand('aisBuckets.resumeUploads', [entry.uploadId])) as string[];
      assert.deepEqual(done, [entry.uploadId]);
      assert.deepEqual(parts.sort(), [4, 5, 6]);
    } finally {
      client.uploadPart = orig;
    }
    const got = await request('GET', `${url}/s3/share/half.bin`);
    assert.equal(crypto.createHash('sha256').update(got.body).digest('hex'), crypto.createHash('sha256').update(data).digest('hex'));
    assert.match(String(got.headers['etag']), /-6"?$/);
    assert.equal((await api.uploadJournal.list()).some((e) => e.key === 'half.bin'), false);
  });

  it('contributes a walkthrough whose steps complete on real events, and localizable titles', () => {
    const pkg = vscode.extensions.getExtension('ais-buckets.ais-buckets')!.packageJSON as { contributes: { walkthroughs: { steps: { completionEvents: string[] }[] }[]; commands: { title: string }[] } };
    const steps = pkg.contributes.walkthroughs[0].steps;
    assert.equal(steps.length, 4);
    for (const s of steps) assert.ok(s.completionEvents.every((e) => /^on(Context|Command):/.test(e)));
  });
});
