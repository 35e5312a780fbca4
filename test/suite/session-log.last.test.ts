// After every other suite test: the extension's log of the whole session holds none of the secret keys,
// tokens or passwords the session handled (the registry notes each one it sees), and the settings
// hold none either.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AisBucketsApi } from '../../src/extension';
import { activate } from '../helpers/extension-host';

/** The output channel's log files: output_logging_TIME/N-AIS Buckets.log in the extension host's log folder. */
function outputLogs(logUri: vscode.Uri): string[] {
  const exthost = path.dirname(logUri.fsPath);
  const found: string[] = [];
  for (const dir of fs.existsSync(exthost) ? fs.readdirSync(exthost) : []) {
    if (!dir.startsWith('output_logging_')) continue;
    for (const f of fs.readdirSync(path.join(exthost, dir))) if (f.endsWith('AIS Buckets.log')) found.push(path.join(exthost, dir, f));
  }
  return found;
}

describe('the session log', () => {
  it('holds no secret, token or password that the session handled, and neither do the settings', async () => {
    const api = await activate<AisBucketsApi>();
    const secrets = api.registry.sessionSecrets();
    assert.ok(secrets.length > 0, 'the session handled secrets (the suite adds clusters with keys and signs in)');
    const logs = outputLogs(api.logUri);
    assert.ok(logs.length > 0, `the output channel's log is under ${path.dirname(api.logUri.fsPath)}`);
    const text = logs.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    assert.ok(text.length > 1000, 'the log has the session in it');
    const settings = JSON.stringify(vscode.workspace.getConfiguration('aisBuckets').get('clusters') ?? []);
    for (const secret of secrets) {
      const shown = `${secret.slice(0, 3)}…(${secret.length} chars)`;
      assert.equal(text.includes(secret), false, `the log contains the secret ${shown}`);
      assert.equal(settings.includes(secret), false, `the settings contain the secret ${shown}`);
    }
  });
});
