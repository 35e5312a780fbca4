// Edit Metadata: an object's content type and user metadata, asked as text ("k=v, k2=v2") or given as
// arguments.
import * as vscode from 'vscode';
import type { ObjectMetadataUpdate } from '../client/cluster';
import { objectUri } from '../objects/location';
import type { ClusterRegistry } from '../registry';
import type { TreeNode } from '../views/model';
import { pickTarget, showFailure } from './common';

/** "k=v, k2=v2" → { k: 'v', k2: 'v2' }; returns a message for bad input. */
export function parseUserMeta(text: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const part of text.split(/[,;\n]/).map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) return vscode.l10n.t('"{0}" is not key=value', part);
    const k = part.slice(0, eq).trim().toLowerCase();
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(k)) return vscode.l10n.t('"{0}": metadata keys are letters, digits, ".", "_" and "-"', k);
    out[k] = part.slice(eq + 1).trim();
  }
  return out;
}

export function registerMetadataCommands(context: vscode.ExtensionContext, registry: ClusterRegistry, log: vscode.LogOutputChannel, refresh: (node?: TreeNode) => void) {
  const fail = (what: string, e: unknown) => showFailure(log, what, e);
  context.subscriptions.push(
    vscode.commands.registerCommand('aisBuckets.editMetadata', async (given?: TreeNode, update?: ObjectMetadataUpdate) => {
      // From the palette: the object, browsed.
      const node = given ?? (await pickTarget(registry, vscode.l10n.t('Edit Metadata'), { objects: true }));
      if (!given && !node) return undefined;
      if (!node || node.type !== 'object') {
        void vscode.window.showInformationMessage(vscode.l10n.t('Choose an object in the AIS Buckets view to edit its metadata.'));
        return undefined;
      }
      const client = await registry.client(node.clusterName);
      const ref = node.bucket;
      let next = update;
      try {
        if (!next) {
          const head = await client.headObject(ref, node.key);
          const contentType = await vscode.window.showInputBox({
            title: vscode.l10n.t('Edit Metadata of {0}', objectUri(node.bucket, node.key)),
            prompt: vscode.l10n.t('Content type'),
            value: head.contentType ?? '',
            validateInput: (v) => (v && !/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/.test(v.trim()) ? vscode.l10n.t('A media type such as text/plain or application/json') : undefined),
          });
          if (contentType === undefined) return undefined;
          const metaText = await vscode.window.showInputBox({
            title: vscode.l10n.t('Edit Metadata of {0}', objectUri(node.bucket, node.key)),
            prompt: vscode.l10n.t('User metadata as key=value pairs, separated by commas (empty: none)'),
            value: Object.entries(head.userMeta).map(([k, v]) => `${k}=${v}`).join(', '),
            validateInput: (v) => {
              const r = parseUserMeta(v);
              return typeof r === 'string' ? r : undefined;
            },
          });
          if (metaText === undefined) return undefined;
          next = { contentType: contentType.trim() || undefined, userMeta: parseUserMeta(metaText) as Record<string, string> };
        }
        await client.setObjectMetadata(ref, node.key, next);
        log.info(`metadata of ${objectUri(node.bucket, node.key)} set: ${JSON.stringify(next)}`);
        refresh(node);
        if (!update) void vscode.window.setStatusBarMessage(vscode.l10n.t('Metadata of {0} saved', node.key), 3000);
        return next;
      } catch (e) {
        if (update) throw e;
        fail(vscode.l10n.t('Edit Metadata'), e);
        return undefined;
      }
    }),
  );
}
