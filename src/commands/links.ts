// Links to an object: a presigned URL anyone can download it with for a while, and its ais://bucket/key
// name. Both take arguments for tests and ask through a QuickPick otherwise.
import * as vscode from 'vscode';
import { authOf, type ClusterSpec } from '../config/clusters';
import { expiryProblem, parseExpiry } from '../objects/format';
import { objectUri } from '../objects/location';
import type { ClusterRegistry } from '../registry';
import type { ObjectNode, TreeNode } from '../views/model';
import { pickTarget, showFailure, targetFlow } from './common';
import { MultiStepInput, type Step } from './input/multistep';

// A function, with literal keys: l10n export extracts only literals, and the bundle is loaded at activation.
function expiries(): { label: string; seconds: number }[] {
  return [
    { label: vscode.l10n.t('15 minutes'), seconds: 900 },
    { label: vscode.l10n.t('1 hour'), seconds: 3600 },
    { label: vscode.l10n.t('12 hours'), seconds: 43200 },
    { label: vscode.l10n.t('1 day'), seconds: 86400 },
    { label: vscode.l10n.t('7 days (the longest SigV4 allows)'), seconds: 604800 },
    { label: vscode.l10n.t('Other…'), seconds: 0 },
  ];
}

/**
 * Why this cluster cannot sign a URL, or undefined when it can: a presigned URL is an S3 request signed
 * with keys, so a cluster without keys (anonymous S3, an AIStore cluster reached with a token or with
 * nothing) would hand out a link that fails when opened.
 */
export function presignProblem(spec: ClusterSpec): string | undefined {
  const method = authOf(spec).method;
  if (spec.kind === 's3' && (method === 'profile' || method === 'environment')) return undefined;
  if (spec.accessKey && spec.secretKey) return undefined;
  if (spec.kind === 's3') return vscode.l10n.t('"{0}" is reached without keys, so there is nothing to sign a link with; a public object opens with its plain URL. Add keys with Edit Connection… to share private objects.', spec.name);
  return vscode.l10n.t('"{0}" has no S3 keys: a presigned URL is signed with an access key and secret, and AIStore checks that signature on its S3 side. Give the cluster keys with Edit Connection… to share links.', spec.name);
}

export function registerLinkCommands(context: vscode.ExtensionContext, registry: ClusterRegistry, log: vscode.LogOutputChannel) {
  const fail = (what: string, e: unknown) => showFailure(log, what, e);
  const signingProblem = async (node: ObjectNode) => {
    const spec = (await registry.entry(node.clusterName))?.spec;
    return spec && presignProblem(spec);
  };
  /** Signs the link and puts it on the clipboard. */
  const presign = async (node: ObjectNode, seconds: number) => {
    const client = await registry.client(node.clusterName);
    const url = await client.presignGetObject(node.bucket, node.key, seconds);
    await vscode.env.clipboard.writeText(url);
    log.info(`presigned URL for ${objectUri(node.bucket, node.key)}, valid until ${new Date(Date.now() + seconds * 1000).toLocaleString()}`);
    return url;
  };
  context.subscriptions.push(
    vscode.commands.registerCommand('aisBuckets.copyPresignedUrl', async (given?: TreeNode, expiresInSeconds?: number) => {
      // With a lifetime (callers, tests): no questions, failures thrown.
      if (given && expiresInSeconds !== undefined) {
        if (given.type !== 'object') return undefined;
        const problem = await signingProblem(given);
        if (problem) throw new Error(problem);
        return presign(given, expiresInSeconds);
      }
      if (given && given.type !== 'object') {
        void vscode.window.showInformationMessage(vscode.l10n.t('Choose an object in the AIS Buckets view to share.'));
        return undefined;
      }
      // From the palette: the object to share, browsed, then how long the link works, in one quick input.
      let chosen: { node: ObjectNode; seconds: number } | undefined;
      let other = false;
      let picked: number | undefined;
      let typed: string | undefined;
      const lifetimeStep = (node: ObjectNode): Step => async (input) => {
        const problem = await signingProblem(node);
        if (problem) {
          log.warn(`presigned URL for ${objectUri(node.bucket, node.key)}: ${problem}`);
          void vscode.window.showWarningMessage(problem);
          return undefined;
        }
        picked = await input.quickPick<number>({
          placeholder: given ? vscode.l10n.t('How long should the link work?') : vscode.l10n.t('How long should the link to {0} work?', objectUri(node.bucket, node.key)),
          items: expiries().map((e) => ({ label: e.label, value: e.seconds })),
          active: picked,
        });
        other = picked === 0;
        if (!other) {
          chosen = { node, seconds: picked };
          return undefined;
        }
        return async (next) => {
          const text = await next.inputBox({
            prompt: vscode.l10n.t('How long should the link work? e.g. 90m, 3h, 2d (at most 7 days)'),
            value: typed ?? '2h',
            validate: (v) => expiryProblem(v),
            remember: (v) => (typed = v),
          });
          chosen = { node, seconds: parseExpiry(text)! };
          return undefined;
        };
      };
      const flow = given ? { steps: 0, first: lifetimeStep(given) } : await targetFlow(registry, { objects: true }, (p) => (p.type === 'object' ? lifetimeStep(p) : undefined));
      if (!flow) return undefined;
      const title = given ? vscode.l10n.t('Presigned URL for {0}', objectUri(given.bucket, given.key)) : vscode.l10n.t('Copy Presigned URL');
      if (!(await MultiStepInput.run(title, () => flow.steps + (other ? 2 : 1), flow.first)) || !chosen) return undefined;
      const { node, seconds } = chosen;
      try {
        const url = await presign(node, seconds);
        const until = new Date(Date.now() + seconds * 1000).toLocaleString();
        void vscode.window.showInformationMessage(vscode.l10n.t('Presigned URL copied: anyone with it can download {0} until {1}.', node.key, until));
        return url;
      } catch (e) {
        fail(vscode.l10n.t('Presigned URL'), e);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('aisBuckets.copyObjectUri', async (given?: TreeNode) => {
      // From the palette: the object, folder or bucket whose name to copy, browsed.
      const node = given ?? (await pickTarget(registry, vscode.l10n.t('Copy URI'), { objects: true, folders: true, bucket: true }));
      if (!node || (node.type !== 'object' && node.type !== 'folder' && node.type !== 'bucket')) return undefined;
      const uri = node.type === 'object' ? objectUri(node.bucket, node.key) : node.type === 'folder' ? objectUri(node.bucket, node.prefix) : objectUri(node.bucket);
      await vscode.env.clipboard.writeText(uri);
      void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', uri), 3000);
      return uri;
    }),
  );
}
