// The bucket properties page in the real VS Code against the runner's gateway: it opens as a webview
// titled after the bucket (one per bucket), shows the props as plain rows, and its Save (the message the
// page posts) changes the bucket on the gateway; Show Raw JSON opens a document no one takes for an object.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AisBucketsApi } from '../../src/extension';
import type { PageState } from '../../src/objects/bucketpropspage';
import type { BucketNode } from '../../src/views/model';
import { activateWithGateway } from '../helpers/extension-host';

describe('bucket properties page', function () {
  let api: AisBucketsApi;
  let cluster: string;
  let url: string;
  const BUCKET = 'props-page';
  const node = (): BucketNode => ({ type: 'bucket', clusterName: cluster, bucket: { name: BUCKET, provider: 'ais' } });
  const gatewayChecksum = async () => {
    const res = await fetch(`${url}/v1/buckets/${BUCKET}?provider=ais`, { method: 'HEAD' });
    assert.equal(res.status, 200);
    return JSON.parse(res.headers.get('ais-bucket-props') ?? '{}').checksum as Record<string, unknown>;
  };
  const tabsTitled = async (label: string) => {
    // The tab model follows the workbench a moment later.
    for (const until = Date.now() + 5000; ; await new Promise((r) => setTimeout(r, 100))) {
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label === label);
      if (tabs.length || Date.now() > until) return tabs;
    }
  };

  before(async function () {
    ({ api, cluster, url } = await activateWithGateway(this));
    assert.equal((await fetch(`${url}/s3/${BUCKET}`, { method: 'PUT' })).status, 200);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await fetch(`${url}/v1/buckets/${BUCKET}?provider=ais`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'destroy-bck' }) });
  });

  it('opens one page per bucket, titled "Properties: ais://…", with sections of plain rows', async () => {
    const state = (await vscode.commands.executeCommand('aisBuckets.showBucketProps', node())) as PageState;
    assert.equal(state.bucketUri, `ais://${BUCKET}`);
    assert.deepEqual(state.sections.map((s) => s.id).slice(0, 3), ['general', 'checksum', 'versioning']);
    assert.equal(state.checksum?.type, 'xxhash');
    const panel = api.bucketProps.get(cluster, node().bucket);
    assert.ok(panel, 'the page is open');
    assert.equal(panel.panel.title, `Properties: ais://${BUCKET}`);
    assert.match(panel.panel.webview.html, /<option value="xxhash" selected>xxhash \(current\)/);
    // Opened again: the same page, not a second one.
    await vscode.commands.executeCommand('aisBuckets.showBucketProps', node());
    assert.equal(api.bucketProps.get(cluster, node().bucket), panel);
    const tabs = await tabsTitled(`Properties: ais://${BUCKET}`);
    assert.equal(tabs.length, 1, `one tab: ${vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.label).join(', ')}`);
    assert.ok(tabs[0].input instanceof vscode.TabInputWebview, 'a webview tab');
  });

  it('Save changes the checksum on the gateway, and the page shows the new value and what it means', async () => {
    const panel = api.bucketProps.get(cluster, node().bucket)!;
    await panel.receive({ type: 'save', checksum: { type: 'md5', validate_cold_get: false, validate_warm_get: true, validate_obj_move: false, enable_read_range: false } });
    const ck = await gatewayChecksum();
    assert.equal(ck.type, 'md5');
    assert.equal(ck.validate_warm_get, true);
    assert.equal(ck.validate_cold_get, false);
    assert.equal(panel.state.banner?.kind, 'info');
    assert.match(panel.state.banner!.text, new RegExp(`^Objects uploaded to ais://${BUCKET} from now on get md5 checksums; existing objects keep theirs\\. .*verified on every read\\.`));
    assert.equal(panel.state.sections.flatMap((s) => s.rows).find((r) => r.id === 'checksum.type')?.value, 'md5');
    assert.match(panel.panel.webview.html, /<option value="md5" selected>md5 \(current\)/);
  });

  it('a refused value shows on the page as a sentence, and the bucket keeps its checksum', async () => {
    const panel = api.bucketProps.get(cluster, node().bucket)!;
    await panel.receive({ type: 'save', checksum: { type: 'crc64', validate_cold_get: false, validate_warm_get: false, validate_obj_move: false, enable_read_range: false } });
    assert.equal(panel.state.banner?.kind, 'error');
    assert.match(panel.state.banner!.text, new RegExp(`^Could not change the checksum of ais://${BUCKET}: .*crc64`));
    assert.equal((await gatewayChecksum()).type, 'md5');
  });

  it('Show Raw JSON opens the props as a read-only JSON document named "… (bucket properties).json"', async () => {
    await api.bucketProps.get(cluster, node().bucket)!.receive({ type: 'raw' });
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'a text editor is open');
    assert.equal(editor.document.languageId, 'json');
    assert.equal(editor.document.uri.scheme, 'aisbuckets-props');
    assert.ok(editor.document.uri.path.endsWith(`/${BUCKET} (bucket properties).json`), editor.document.uri.path);
    assert.equal(JSON.parse(editor.document.getText()).checksum.type, 'md5');
  });
});
