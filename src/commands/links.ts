// Links to an object: a presigned URL anyone can download it with for a while, and its ais://bucket/key
// name. Both take arguments for tests and ask through a QuickPick otherwise.
import * as vscode from 'vscode';
import { objectUri } from '../objects/location';
import type { ClusterRegistry } from '../registry';
import type { TreeNode } from '../views/model';
import { showFailure } from './common';

// A function, with literal keys: l10n export extracts only literals, and the bundle is loaded at activation.
function expiries(): { label: string; seconds: number }[] {
  return [
    { label: vscode.l10n.t('15 minutes'), seconds: 900 },
    { label: vscode.l10n.t('1 hour'), seconds: 3600 },
    { label: vscode.l10n.t('12 hours'), seconds: 43200 },
    { label: vscode.l10n.t('1 day'), seconds: 86400 },
    { label: vscode.l10n.t('7 days (the longest SigV4 allows)'), seconds: 604800 },
  ];
}

export function registerLinkCommands(context: vscode.ExtensionContext, registry: ClusterRegistry, log: vscode.LogOutputChannel) {
  const fail = (what: string, e: unknown) => showFailure(log, what, e);
  context.subscriptions.push(
    vscode.commands.registerCommand('aisBuckets.copyPresignedUrl', async (node?: TreeNode, expiresInSeconds?: number) => {
      if (!node || node.type !== 'object') {
        void vscode.window.showInformationMessage(vscode.l10n.t('Choose an object in the AIS Buckets view to share.'));
        return undefined;
      }
      let seconds = expiresInSeconds;
      if (seconds === undefined) {
        const picked = await vscode.window.showQuickPick(
          expiries(),
          { title: vscode.l10n.t('Presigned URL for {0}', objectUri(node.bucket, node.key)), placeHolder: vscode.l10n.t('How long should the link work?') },
        );
        if (!picked) return undefined;
        seconds = picked.seconds;
      }
      try {
        const client = await registry.client(node.clusterName);
        const url = await client.presignGetObject(node.bucket, node.key, seconds);
        await vscode.env.clipboard.writeText(url);
        const until = new Date(Date.now() + seconds * 1000).toLocaleString();
        log.info(`presigned URL for ${objectUri(node.bucket, node.key)}, valid until ${until}`);
        if (expiresInSeconds === undefined) void vscode.window.showInformationMessage(vscode.l10n.t('Presigned URL copied: anyone with it can download {0} until {1}.', node.key, until));
        return url;
      } catch (e) {
        if (expiresInSeconds !== undefined) throw e;
        fail(vscode.l10n.t('Presigned URL'), e);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('aisBuckets.copyObjectUri', async (node?: TreeNode) => {
      if (!node || (node.type !== 'object' && node.type !== 'folder' && node.type !== 'bucket')) return undefined;
      const uri = node.type === 'object' ? objectUri(node.bucket, node.key) : node.type === 'folder' ? objectUri(node.bucket, node.prefix) : objectUri(node.bucket);
      await vscode.env.clipboard.writeText(uri);
      void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', uri), 3000);
      return uri;
    }),
  );
}
