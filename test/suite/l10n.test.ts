// The extension's strings come from its l10n bundle in the real VS Code. In English (what the
// harness runs) VS Code loads no bundle and l10n.t formats the English text; in another display language
// (e.g. qps-ploc, with the pseudo language pack) the bundle l10n/bundle.l10n.<language>.json is loaded, and
// both vscode.l10n and the vscode-free layers (the tree model, through @vscode/l10n) translate from it.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AisBucketsApi } from '../../src/extension';
import type { BucketNode } from '../../src/views/model';
import { activate, extension } from '../helpers/extension-host';

async function readJson(uri: vscode.Uri): Promise<Record<string, string | { message: string }>> {
  return JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri))) as Record<string, string | { message: string }>;
}

const message = (v: string | { message: string } | undefined) => (typeof v === 'string' ? v : v?.message);

describe('l10n', () => {
  const bucket: BucketNode = { type: 'bucket', clusterName: 'c', bucket: { name: 'b', provider: 'ais' } };

  it('the manifest names the l10n folder and it holds the English bundle', async () => {
    const ext = extension();
    assert.equal(ext.packageJSON.l10n, './l10n');
    const english = await readJson(vscode.Uri.joinPath(ext.extensionUri, 'l10n', 'bundle.l10n.json'));
    assert.equal(english['Load more…'], 'Load more…');
    assert.equal(english['Uploading {0} files to {1}'], 'Uploading {0} files to {1}');
  });

  it(`vscode.l10n and the tree model translate from the bundle of the display language (${vscode.env.language})`, async () => {
    const api = await activate<AisBucketsApi>();
    const loadMore = api.tree.model.item({ type: 'loadMore', parent: bucket, loaded: 7 });
    const language = vscode.env.language;
    if (language === 'en' || language.startsWith('en-')) {
      // VS Code loads no bundle for English: l10n.t only fills in the placeholders.
      assert.equal(vscode.l10n.bundle, undefined);
      assert.equal(vscode.l10n.t('Uploading {0} files to {1}', 3, 'ais://b'), 'Uploading 3 files to ais://b');
      assert.equal(loadMore.label, 'Load more…');
      assert.equal(loadMore.description, '7 shown');
      return;
    }
    const expected = vscode.Uri.joinPath(extension().extensionUri, 'l10n', `bundle.l10n.${language}.json`);
    assert.equal(vscode.l10n.uri?.toString(), expected.toString(), `the bundle for ${language}`);
    const translated = await readJson(expected);
    const upload = message(translated['Uploading {0} files to {1}'])!;
    assert.notEqual(upload, 'Uploading {0} files to {1}', 'the bundle is translated');
    assert.equal(vscode.l10n.t('Uploading {0} files to {1}', 3, 'ais://b'), upload.replace('{0}', '3').replace('{1}', 'ais://b'));
    assert.equal(loadMore.label, message(translated['Load more…']));
    assert.equal(loadMore.description, message(translated['{0} shown'])!.replace('{0}', '7'));
  });
});
