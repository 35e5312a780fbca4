// Show Connection Details: how other tools reach a cluster, above all the embedded gateway, whose port
// and keys are generated. Each row copies one snippet (src/config/snippets.ts); the secret is in what
// is copied, never on screen or in the log.
import * as vscode from 'vscode';
import { connectionSnippets, type ConnectionSnippet } from '../../config/snippets';
import type { ClusterRegistry } from '../../registry';

export async function showConnectionDetails(registry: ClusterRegistry, log: vscode.LogOutputChannel, target?: string | { clusterName?: string }): Promise<ConnectionSnippet[] | undefined> {
  let name = typeof target === 'string' ? target : target?.clusterName;
  if (!name) {
    const entries = await registry.entries();
    if (entries.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No clusters yet: start the local gateway or add a cluster first.'));
      return undefined;
    }
    name =
      entries.length === 1
        ? entries[0].spec.name
        : (await vscode.window.showQuickPick(entries.map((e) => ({ label: e.spec.name, description: e.spec.endpoint })), { title: vscode.l10n.t('Show Connection Details') }))?.label;
    if (!name) return undefined;
  }
  const entry = await registry.entry(name);
  if (!entry) {
    void vscode.window.showErrorMessage(vscode.l10n.t('There is no cluster named "{0}".', name));
    return undefined;
  }
  const snippets = connectionSnippets(entry.spec);
  if (typeof target === 'string') return snippets;
  const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { snippet: ConnectionSnippet }>();
  pick.title = vscode.l10n.t('Connection Details: {0}', name);
  pick.placeholder = entry.embedded ? vscode.l10n.t('The local gateway as s3cmd, the aws CLI and the ais CLI reach it. Enter copies a row.') : vscode.l10n.t('Enter copies a row.');
  const copyButton = { iconPath: new vscode.ThemeIcon('copy'), tooltip: vscode.l10n.t('Copy') };
  pick.items = snippets.map((s) => ({ label: s.label, detail: s.preview, snippet: s, buttons: [copyButton] }));
  const copy = async (s: ConnectionSnippet) => {
    await vscode.env.clipboard.writeText(s.text);
    log.info(`copied ${s.id} of ${name}`);
    void vscode.window.showInformationMessage(vscode.l10n.t('Copied: {0}', s.label));
  };
  pick.onDidTriggerItemButton((e) => void copy(e.item.snippet));
  pick.onDidAccept(() => {
    const item = pick.activeItems[0];
    if (item) void copy(item.snippet);
    pick.hide();
  });
  pick.onDidHide(() => pick.dispose());
  pick.show();
  return snippets;
}
