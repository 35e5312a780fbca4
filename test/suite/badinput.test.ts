// Bad input in the real VS Code: clusters whose endpoint answers with garbage show an error node saying what
// came (not a hung or empty tree), and a download into a place that cannot be written fails with a clear
// message before any byte moves, leaving nothing behind. (A silent endpoint's timeout node: tree.test.ts.)
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AisBucketsApi } from '../../src/extension';
import type { TreeNode } from '../../src/views/model';
import { activateWithGateway, findChild, labelOf } from '../helpers/extension-host';
import { fixedAnswerServer } from '../helpers/servers';
import { makeTempDir, removeDir } from '../helpers/temp';

/** Walks down the first child until an error node shows (an S3 cluster lists its one provider without asking). */
async function firstError(api: AisBucketsApi, node: TreeNode): Promise<TreeNode> {
  for (let depth = 0; depth < 3; depth++) {
    const started = Date.now();
    const kids = await api.tree.getChildren(node);
    assert.ok(Date.now() - started < 15_000, 'the tree must not hang');
    assert.ok(kids.length > 0, `no children under ${labelOf(api, node)}`);
    if (kids[0].type === 'error') return kids[0];
    node = kids[0];
  }
  assert.fail('no error node');
}

describe('bad input', function () {
  let api: AisBucketsApi;
  let cluster: string;

  before(async function () {
    ({ api, cluster } = await activateWithGateway(this));
  });

  const garbage: { kind: 'ais' | 's3'; status: number; type: string; body: string; says: RegExp }[] = [
    { kind: 'ais', status: 200, type: 'text/html', body: '<html><head><title>Corporate login</title></head><body>Sign in</body></html>', says: /sent an HTML page \("Corporate login"\) instead of AIStore's JSON\.$/ },
    { kind: 'ais', status: 200, type: 'application/json', body: '{"entries": [{"name": "a"', says: /sent application\/json that is cut off \("\{"entries": \[\{"name": "a""\) instead of AIStore's JSON\.$/ },
    { kind: 's3', status: 200, type: 'application/xml', body: '<<<not xml', says: /sent application\/xml that is not valid XML \("<<<not xml"\) instead of S3's XML\.$/ },
    { kind: 's3', status: 200, type: 'text/html', body: '<html><body><h1>Welcome to nginx!</h1></body></html>', says: /sent an HTML page \("Welcome to nginx!"\) instead of S3's XML\.$/ },
  ];
  for (const [i, g] of garbage.entries()) {
    it(`a ${g.kind} cluster answering ${g.type} garbage shows an error node that says what came`, async () => {
      const server = await fixedAnswerServer(g.status, { 'Content-Type': g.type }, g.body);
      const name = `garbage-${i}`;
      await vscode.commands.executeCommand('aisBuckets.addCluster', { name, endpoint: server.url, kind: g.kind, skipProbe: true });
      try {
        const error = await firstError(api, await findChild(api, undefined, name));
        const label = labelOf(api, error);
        assert.ok(label.includes(server.url), `names the endpoint: ${label}`);
        assert.match(label, g.says);
        assert.doesNotMatch(label, /Unexpected token|Deserialization|@aws-sdk|\n\s+at /);
        // The whole message, with what to check, is the tooltip.
        assert.match(String(api.tree.getTreeItem(error).tooltip), /The request was for .*Check the endpoint|The request was for .*Check that the endpoint is an AIStore gateway/);
        assert.equal(api.tree.getTreeItem(error).command?.command, 'aisBuckets.retry');
      } finally {
        await vscode.commands.executeCommand('aisBuckets.removeCluster', name);
        await server.close();
      }
    });
  }

  it('a download into a path under a file, or where even root may not write, fails clearly and leaves nothing', async () => {
    const ais = await findChild(api, await findChild(api, undefined, cluster), 'ais');
    const hello = await findChild(api, await findChild(api, ais, 'demo'), 'hello.txt');
    const work = makeTempDir('badinput');
    try {
      const aFile = path.join(work, 'a-file');
      fs.writeFileSync(aFile, 'keep me');
      const targets: [string, RegExp][] = [
        [path.join(aFile, 'sub'), /^Cannot write to .*a-file.sub.hello\.txt: a part of its path is a file, not a folder\./],
        // /sys refuses new files even to root, which the test may run as.
        ['/sys', /^Cannot write to \/sys\/hello\.txt: permission denied\./],
      ];
      for (const [dir, says] of targets) {
        await assert.rejects(
          Promise.resolve(vscode.commands.executeCommand('aisBuckets.download', hello, undefined, vscode.Uri.file(dir), { overwrite: 'overwrite', quiet: true })),
          (e: Error) => {
            assert.match(e.message, says);
            return true;
          },
        );
      }
      assert.equal(fs.readFileSync(aFile, 'utf8'), 'keep me');
      assert.deepEqual(fs.readdirSync(work), ['a-file']);
    } finally {
      removeDir(work);
    }
  });
});
