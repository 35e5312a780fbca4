// The local gateway in the real extension host: killed (kill -9), it comes back by itself and the cluster
// "local" follows it with its buckets and objects; Restart keeps its URL; Stop stops it for good.
import * as assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import * as vscode from 'vscode';
import type { AisBucketsApi } from '../../src/extension';
import { readObjectText } from '../helpers/data';
import { activateWithGateway } from '../helpers/extension-host';

const BUCKET = 'survives-crash';

async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  for (const deadline = Date.now() + ms; ; ) {
    const got = await check();
    if (got) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('local gateway: crash restart, restart, stop', function () {
  this.timeout(120_000);
  let api: AisBucketsApi;
  let wasRunning = false;

  before(async function () {
    ({ api } = await activateWithGateway(this));
    wasRunning = api.gateway.state === 'running';
  });
  after(async () => {
    if (!wasRunning) await vscode.commands.executeCommand('aisBuckets.stopLocalGateway', { confirm: false });
  });

  const localInTree = async () => (await api.tree.getChildren()).find((r) => r.type === 'cluster' && r.clusterName === 'local');

  it('killed with SIGKILL, it is restarted: the cluster "local" answers again with its bucket and object', async () => {
    const url = (await vscode.commands.executeCommand('aisBuckets.startLocalGateway')) as string;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const client = await api.registry.client('local');
    if (!(await client.listBuckets()).some((b) => b.name === BUCKET)) await client.createBucket({ provider: 'ais', name: BUCKET });
    await client.putObject({ provider: 'ais', name: BUCKET }, 'kept.txt', { open: () => Readable.from([Buffer.from('kept')]), size: 4 });

    const pid = api.gateway.pid;
    assert.ok(pid, 'the gateway runs as a process');
    process.kill(pid, 'SIGKILL');
    await until('the gateway to notice the crash', () => api.gateway.pid !== pid || undefined, 10_000);
    const again = await until('a new gateway process', () => (api.gateway.state === 'running' ? api.gateway.pid : undefined));
    assert.notEqual(again, pid);
    assert.equal(api.gateway.url, url, 'restarted on the port it had (it was free)');

    const local = await until('the cluster "local" in the tree', localInTree);
    assert.equal(api.tree.getTreeItem(local).contextValue, 'cluster.embedded.ais');
    const after = await api.registry.client('local');
    assert.ok((await after.listBuckets()).some((b) => b.name === BUCKET), 'the bucket is still listed');
    assert.equal(await readObjectText(after, { provider: 'ais', name: BUCKET }, 'kept.txt'), 'kept');
  });

  it('Restart: a new process on the same URL; Stop: gone from the tree, not restarted', async () => {
    const url = (await vscode.commands.executeCommand('aisBuckets.startLocalGateway')) as string;
    const pid = api.gateway.pid;
    const restarted = (await vscode.commands.executeCommand('aisBuckets.restartLocalGateway')) as string;
    assert.equal(restarted, url);
    assert.notEqual(api.gateway.pid, pid);
    assert.ok(await localInTree());

    const last = api.gateway.pid!;
    assert.equal(await vscode.commands.executeCommand('aisBuckets.stopLocalGateway'), true, 'no transfers run: no question');
    assert.equal(api.gateway.state, 'stopped');
    assert.equal(await localInTree(), undefined);
    assert.throws(() => process.kill(last, 0), 'its process is gone');
    await new Promise((r) => setTimeout(r, 1500)); // longer than the first restart delay
    assert.equal(api.gateway.state, 'stopped', 'a stop is no crash');
    await assert.rejects(fetch(`${url}/v1/health`));
    if (wasRunning) await vscode.commands.executeCommand('aisBuckets.startLocalGateway');
  });
});
