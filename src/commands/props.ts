// Bucket properties (the checksum section above all), the cluster's default checksum, and ongoing
// multipart uploads. AIStore clusters only, except multipart, which every S3 endpoint has.
import * as vscode from 'vscode';
import type { BucketRef, ChecksumConf, ClusterClient } from '../client/cluster';
import { CHECKSUM_FLAGS, checksumChangeMessage, checksumChoices, checksumFlagText, type ChecksumEdit, type ChecksumFlag } from '../objects/bucketprops';
import { errorText } from '../objects/errors';
import { formatDate } from '../objects/format';
import { objectUri } from '../objects/location';
import type { ClusterRegistry } from '../registry';
import { BucketPropsPanels } from '../views/bucketprops';
import type { TreeNode } from '../views/model';
import { MultiStepInput, type PickItem } from './input/multistep';
import { pickBucket, pickCluster } from './common';

export const PROPS_SCHEME = 'aisbuckets-props';
export type { ChecksumEdit };

async function bucketTarget(registry: ClusterRegistry, node: TreeNode | undefined, title: string): Promise<{ clusterName: string; bucket: BucketRef; client: ClusterClient } | undefined> {
  let clusterName: string | undefined;
  let bucket: BucketRef | undefined;
  if (node && node.type === 'bucket') {
    clusterName = node.clusterName;
    bucket = node.bucket;
  } else {
    clusterName = await pickCluster(registry, title);
    if (clusterName) bucket = await pickBucket(registry, clusterName, title);
  }
  if (!clusterName || !bucket) return undefined;
  return { clusterName, bucket, client: await registry.client(clusterName) };
}

/**
 * Asks for a checksum type and, with `withFlags`, the validation flags: one flow with Back between the
 * two, the current type first, marked and preselected, the current flags checked. Undefined when dismissed.
 */
async function askChecksum(title: string, current: ChecksumConf | undefined, question: string, withFlags: boolean): Promise<ChecksumEdit | undefined> {
  const edit: ChecksumEdit = {};
  let flags: ChecksumFlag[] = CHECKSUM_FLAGS.filter((f) => current?.[f]);
  const marked = vscode.l10n.t('(current)');
  const finished = await MultiStepInput.run(title, () => (withFlags ? 2 : 1), async (input) => {
    edit.type = await input.quickPick<string>({
      placeholder: vscode.l10n.t('Current: {0}. {1}', current?.type ?? vscode.l10n.t('unknown'), question),
      items: checksumChoices(current?.type).map((c): PickItem<string> => ({ label: c.value, description: c.current ? marked : undefined, detail: c.detail, value: c.value })),
      active: edit.type ?? current?.type,
    });
    if (!withFlags) return;
    return async (flagInput) => {
      flags = await flagInput.quickPickMany<ChecksumFlag>({
        placeholder: vscode.l10n.t('Checksum validation (checked = on; current settings checked)'),
        items: CHECKSUM_FLAGS.map((f) => ({ label: checksumFlagText(f).label, description: current?.[f] ? marked : undefined, detail: checksumFlagText(f).detail, value: f })),
        selected: flags,
        remember: (v) => (flags = v),
      });
    };
  });
  if (!finished) return undefined;
  if (withFlags) for (const f of CHECKSUM_FLAGS) edit[f] = flags.includes(f);
  return edit;
}

export function checksumSummary(c: ChecksumConf | undefined): string {
  if (!c) return 'checksum: unknown';
  const flags = CHECKSUM_FLAGS.filter((key) => c[key]);
  return `checksum: ${c.type}${flags.length ? ` (${flags.join(', ')})` : ''}`;
}

/** The raw props as a read-only JSON document, named so that it is not taken for an object: "photos (bucket properties).json". */
export class BucketPropsDocuments implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private static readonly SUFFIX = ' (bucket properties).json';
  constructor(private readonly registry: ClusterRegistry) {}

  static uriFor(clusterName: string, bucket: BucketRef): vscode.Uri {
    return vscode.Uri.from({ scheme: PROPS_SCHEME, path: `/${clusterName}/${bucket.provider}/${bucket.name}${BucketPropsDocuments.SUFFIX}` });
  }

  update(uri: vscode.Uri) {
    this.changed.fire(uri);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const [, clusterName, provider, file] = uri.path.split('/');
    const bucket = { provider, name: file.endsWith(BucketPropsDocuments.SUFFIX) ? file.slice(0, -BucketPropsDocuments.SUFFIX.length) : file.replace(/\.json$/, '') };
    try {
      const client = await this.registry.client(clusterName);
      return JSON.stringify(await client.getBucketProps(bucket), null, 2) + '\n';
    } catch (e) {
      return JSON.stringify({ error: errorText(e) }, null, 2) + '\n';
    }
  }
}

export function registerPropsCommands(context: vscode.ExtensionContext, registry: ClusterRegistry, log: vscode.LogOutputChannel, refresh: (node?: TreeNode) => void): BucketPropsPanels {
  const docs = new BucketPropsDocuments(registry);

  /** What the command and the page both do to change a bucket's checksum; resolves with the checksum after and the sentence saying what changed. */
  const applyChecksum = async (clusterName: string, bucket: BucketRef, edit: ChecksumEdit, node?: TreeNode): Promise<{ after: ChecksumConf | undefined; message: string }> => {
    const client = await registry.client(clusterName);
    const uri = objectUri(bucket);
    const before = (await client.getBucketProps(bucket)).checksum;
    await client.setBucketProps(bucket, { checksum: edit } as Parameters<ClusterClient['setBucketProps']>[1]);
    const after = (await client.getBucketProps(bucket)).checksum;
    // The walkthrough's "checksum md5 for s3cmd" step completes on this.
    if (after?.type === 'md5') void vscode.commands.executeCommand('setContext', 'aisBuckets.walkthrough.md5', true);
    log.info(`${uri} on ${clusterName}: ${checksumSummary(before)} → ${checksumSummary(after)}`);
    docs.update(BucketPropsDocuments.uriFor(clusterName, bucket));
    // The tree's own node (from its context menu) is redrawn; the page's change shows in its tooltip on the next load.
    if (node) refresh(node);
    return { after, message: checksumChangeMessage(uri, before, after) };
  };

  const showRaw = async (clusterName: string, bucket: BucketRef): Promise<string> => {
    const doc = await vscode.workspace.openTextDocument(BucketPropsDocuments.uriFor(clusterName, bucket));
    await vscode.languages.setTextDocumentLanguage(doc, 'json');
    await vscode.window.showTextDocument(doc, { preview: true });
    return doc.getText();
  };

  const panels = new BucketPropsPanels(
    {
      load: async (clusterName, bucket) => {
        const client = await registry.client(clusterName);
        return { props: await client.getBucketProps(bucket), kind: client.kind, editable: client.capabilities.bucketProps };
      },
      saveChecksum: async (clusterName, bucket, checksum) => (await applyChecksum(clusterName, bucket, checksum)).message,
      showRaw,
    },
    log,
  );

  context.subscriptions.push(
    panels,
    vscode.workspace.registerTextDocumentContentProvider(PROPS_SCHEME, docs),
    vscode.commands.registerCommand('aisBuckets.editChecksum', async (node?: TreeNode, values?: ChecksumEdit) => {
      const t = await bucketTarget(registry, node, vscode.l10n.t('Edit Checksum Properties'));
      if (!t) return undefined;
      const uri = objectUri(t.bucket);
      if (!t.client.capabilities.bucketProps) {
        void vscode.window.showInformationMessage(vscode.l10n.t('{0} is on a plain S3 endpoint: it has no AIStore checksum properties.', uri));
        return undefined;
      }
      try {
        const current = (await t.client.getBucketProps(t.bucket)).checksum;
        const edit = values ?? (await askChecksum(vscode.l10n.t('Checksum of {0}', uri), current, vscode.l10n.t('Which checksum should objects uploaded from now on get?'), true));
        if (!edit) return undefined;
        const { after, message } = await applyChecksum(t.clusterName, t.bucket, edit, node);
        void panels.changed(t.clusterName, t.bucket);
        if (!values) void vscode.window.showInformationMessage(message);
        return after;
      } catch (e) {
        if (values) throw e;
        void vscode.window.showErrorMessage(vscode.l10n.t('Could not change the checksum of {0}: {1}', uri, errorText(e)));
        return undefined;
      }
    }),
    // The page; resolves with its sections (what tests look at).
    vscode.commands.registerCommand('aisBuckets.showBucketProps', async (node?: TreeNode) => {
      const t = await bucketTarget(registry, node, vscode.l10n.t('Show Bucket Properties'));
      if (!t) return undefined;
      const panel = await panels.show(t.clusterName, t.bucket);
      return panel.state;
    }),
    vscode.commands.registerCommand('aisBuckets.showBucketPropsJson', async (node?: TreeNode) => {
      const t = await bucketTarget(registry, node, vscode.l10n.t('Show Bucket Properties as JSON'));
      if (!t) return undefined;
      return showRaw(t.clusterName, t.bucket);
    }),
    vscode.commands.registerCommand('aisBuckets.setClusterChecksum', async (node?: TreeNode, type?: string) => {
      const clusterName = node?.type === 'cluster' ? node.clusterName : await pickCluster(registry, vscode.l10n.t('Set Default Checksum'));
      if (!clusterName) return undefined;
      const client = await registry.client(clusterName);
      if (!client.capabilities.clusterConfig) {
        void vscode.window.showInformationMessage(vscode.l10n.t('"{0}" is a plain S3 endpoint: it has no AIStore cluster configuration.', clusterName));
        return undefined;
      }
      try {
        const current = (await client.getClusterConfig()).checksum;
        const chosen = type ?? (await askChecksum(vscode.l10n.t('Default checksum of {0}', clusterName), current, vscode.l10n.t('Which checksum should buckets created from now on get?'), false))?.type;
        if (!chosen) return undefined;
        await client.setClusterConfig({ 'checksum.type': chosen });
        log.info(`${clusterName}: default checksum ${current?.type ?? '?'} → ${chosen}`);
        if (!type) {
          void vscode.window.showInformationMessage(
            chosen === current?.type
              ? vscode.l10n.t('Nothing changed: buckets created on {0} from now on still get {1} checksums.', clusterName, chosen)
              : vscode.l10n.t('Buckets created on {0} from now on get {1} checksums; existing buckets keep their own setting.', clusterName, chosen),
          );
        }
        return chosen;
      } catch (e) {
        if (type) throw e;
        void vscode.window.showErrorMessage(vscode.l10n.t('Could not set the default checksum of {0}: {1}', clusterName, errorText(e)));
        return undefined;
      }
    }),
    vscode.commands.registerCommand('aisBuckets.multipartUploads', async (node?: TreeNode, options?: { abort?: 'all' | 'none' }) => {
      const t = await bucketTarget(registry, node, vscode.l10n.t('Multipart Uploads'));
      if (!t) return undefined;
      const uri = objectUri(t.bucket);
      try {
        const uploads = await t.client.listMultipartUploads(t.bucket);
        if (options?.abort === 'none') return uploads;
        let chosen = uploads;
        if (!options?.abort) {
          if (uploads.length === 0) {
            void vscode.window.showInformationMessage(vscode.l10n.t('No multipart uploads in progress in {0}.', uri));
            return uploads;
          }
          const picked = await vscode.window.showQuickPick(
            uploads.map((u) => ({ label: u.key, description: formatDate(u.initiated), detail: vscode.l10n.t('upload id {0}', u.uploadId), upload: u })),
            { title: vscode.l10n.t('Multipart uploads in {0}: pick the ones to abort', uri), canPickMany: true },
          );
          if (!picked?.length) return uploads;
          const abort = vscode.l10n.t('Abort');
          const ok = await vscode.window.showWarningMessage(vscode.l10n.t('Abort {0} upload(s)? Their uploaded parts are deleted.', picked.length), { modal: true }, abort);
          if (ok !== abort) return uploads;
          chosen = picked.map((p) => p.upload);
        }
        for (const u of chosen) {
          await t.client.abortMultipartUpload(t.bucket, u.key, u.uploadId);
          log.info(`aborted multipart upload ${u.uploadId} of ${uri}/${u.key}`);
        }
        return t.client.listMultipartUploads(t.bucket);
      } catch (e) {
        if (options) throw e;
        void vscode.window.showErrorMessage(vscode.l10n.t('Multipart uploads of {0}: {1}', uri, errorText(e)));
        return undefined;
      }
    }),
  );
  return panels;
}
