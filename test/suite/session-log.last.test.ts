// After every other suite test: the extension's log of the whole session holds none of the secret keys,
// tokens or passwords the session handled (the registry notes each one it sees), and the settings
// hold none either.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AisBucketsApi } from '../../src/extension';
import { activate } from '../helpers/extension-host';

/**
 * The output channel's log files: `AIS Buckets.log` in the extension's log folder (VS Code 1.8x and
 * later) or in output_logging_TIME/ of the extension host's folder above it (earlier ones).
 */
function outputLogs(logUri: vscode.Uri): string[] {
  const exthost = path.dirname(logUri.fsPath);
  if (!fs.existsSync(exthost)) return [];
  return (fs.readdirSync(exthost, { recursive: true }) as string[]).filter((f) => f.endsWith('AIS Buckets.log')).map((f) => path.join(exthost, f));
}

describe('the session log', () => {
  it('holds no secret, token or password that the session handled, and neither do the settings', async () => {
    const api = await activate<AisBucketsApi>();
    const secrets = api.registry.sessionSecrets();
    assert.ok(secrets.length > 0, 'the session handled secrets (the suite adds clusters with keys and signs in)');
    const logs = outputLogs(api.logUri);
    // VS Code's server without its native logger (the offline E2E runtime) writes no log file: then what
    // the extension recorded of its log under the test runner is what was logged.
    assert.ok(logs.length > 0 || api.sessionLog, `the output channel's log is under ${path.dirname(api.logUri.fsPath)}, or the extension recorded it`);
    const text = [...logs.map((f) => fs.readFileSync(f, 'utf8')), api.sessionLog?.() ?? ''].join('\n');
    assert.ok(text.length > 1000, 'the log has the session in it');
    const settings = JSON.stringify(vscode.workspace.getConfiguration('aisBuckets').get('clusters') ?? []);
    for (const secret of secrets) {
      const shown = `${secret.slice(0, 3)}…(${secret.length} chars)`;
      assert.equal(text.includes(secret), false, `the log contains the secret ${shown}`);
      assert.equal(settings.includes(secret), false, `the settings contain the secret ${shown}`);
    }
  });
});
