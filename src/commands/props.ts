// Bucket properties (the checksum section above all), the cluster's default checksum, and ongoing
// multipart uploads. AIStore clusters only, except multipart, which every S3 endpoint has.
import * as vscode from 'vscode';
import type { BucketRef, ChecksumConf, ClusterClient } from '../client/cluster';
import { CHECKSUM_TYPES } from '../common/checksum';
import { errorText } from '../objects/errors';
import { formatDate } from '../objects/format';
import { objectUri } from '../objects/location';
import type { ClusterRegistry } from '../registry';
import type { TreeNode } from '../views/model';
import { pickBucket, pickCluster } from './common';

const FLAG_KEYS: (keyof ChecksumConf)[] = ['validate_cold_get', 'validate_warm_get', 'validate_obj_move', 'enable_read_range'];

// Functions, not constants: l10n.t must run after activation, when the extension's bundle is loaded.
function flagTexts(): Record<string, { label: string; detail: string }> {
  return {
    validate_cold_get: { label: vscode.l10n.t('Validate cold GET'), detail: vscode.l10n.t('Verify the checksum when an object is first read from its remote backend') },
    validate_warm_get: { label: vscode.l10n.t('Validate warm GET'), detail: vscode.l10n.t('Verify the checksum on every read of a cached object') },
    validate_obj_move: { label: vscode.l10n.t('Validate object move'), detail: vscode.l10n.t('Verify the checksum when objects migrate between targets') },
    enable_read_range: { label: vscode.l10n.t('Checksum of read ranges'), detail: vscode.l10n.t('Return a checksum of the range for ranged reads') },
  };
}

function typeDetail(type: string): string | undefined {
  const details: Record<string, string> = {
    xxhash: vscode.l10n.t('AIStore default, fast'),
    xxhash2: vscode.l10n.t('XXH64 (cespare), same values as xxhash'),
    md5: vscode.l10n.t('S3 clients (s3cmd, aws) expect it: ETag = MD5'),
    crc32c: vscode.l10n.t('CRC-32 Castagnoli'),
    sha256: vscode.l10n.t('cryptographic, slower'),
    sha512: vscode.l10n.t('cryptographic, slowest'),
    none: vscode.l10n.t('no checksums'),
  };
  return details[type];
}

export const PROPS_SCHEME = 'aisbuckets-props';

export interface ChecksumEdit {
  type?: string;
  validate_cold_get?: boolean;
  validate_warm_get?: boolean;
  validate_obj_move?: boolean;
  enable_read_range?: boolean;
}

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

/** Asks for a checksum type and flags, starting from `current`; undefined when dismissed. */
async function askChecksum(title: string, current: ChecksumConf | undefined, withFlags: boolean): Promise<ChecksumEdit | undefined> {
  const typePick = await vscode.window.showQuickPick(
    CHECKSUM_TYPES.map((t) => ({ label: t, description: t === current?.type ? vscode.l10n.t('(current)') : undefined, detail: typeDetail(t), picked: t === current?.type })),
    { title: vscode.l10n.t('{0}: checksum type', title), placeHolder: vscode.l10n.t('Current: {0}', current?.type ?? vscode.l10n.t('unknown')) },
  );
  if (!typePick) return undefined;
  const edit: ChecksumEdit = { type: typePick.label };
  if (!withFlags) return edit;
  const texts = flagTexts();
  const flagItems = FLAG_KEYS.map((key) => ({ ...texts[key], key, picked: Boolean(current?.[key]) }));
  const chosen = await vscode.window.showQuickPick(flagItems, { title: vscode.l10n.t('{0}: validation (checked = on)', title), canPickMany: true });
  if (!chosen) return undefined;
  for (const key of FLAG_KEYS) (edit as Record<string, unknown>)[key] = chosen.some((c) => c.key === key);
  return edit;
}

export function checksumSummary(c: ChecksumConf | undefined): string {
  if (!c) return 'checksum: unknown';
  const flags = FLAG_KEYS.filter((key) => c[key]);
  return `checksum: ${c.type}${flags.length ? ` (${flags.join(', ')})` : ''}`;
}

export class BucketPropsDocuments implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  constructor(private readonly registry: ClusterRegistry) {}

  static uriFor(clusterName: string, bucket: BucketRef): vscode.Uri {
    return vscode.Uri.from({ scheme: PROPS_SCHEME, path: `/${clusterName}/${bucket.provider}/${bucket.name}.json` });
  }

  update(uri: vscode.Uri) {
    this.changed.fire(uri);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const [, clusterName, provider, file] = uri.path.split('/');
    const bucket = { provider, name: file.replace(/\.json$/, '') };
    try {
      const client = await this.registry.client(clusterName);
      return JSON.stringify(await client.getBucketProps(bucket), null, 2) + '\n';
    } catch (e) {
      return JSON.stringify({ error: errorText(e) }, null, 2) + '\n';
    }
  }
}

export function registerPropsCommands(context: vscode.ExtensionContext, registry: ClusterRegistry, log: vscode.LogOutputChannel, refresh: (node?: TreeNode) => void) {
  const docs = new BucketPropsDocuments(registry);
  context.subscriptions.push(
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
        const edit = values ?? (await askChecksum(vscode.l10n.t('Checksum of {0}', uri), current, true));
        if (!edit) return undefined;
        await t.client.setBucketProps(t.bucket, { checksum: edit } as Parameters<ClusterClient["setBucketProps"]>[1]);
        const after = (await t.client.getBucketProps(t.bucket)).checksum;
        // The walkthrough's "checksum md5 for s3cmd" step completes on this.
        if (after?.type === 'md5') void vscode.commands.executeCommand('setContext', 'aisBuckets.walkthrough.md5', true);
        log.info(`${uri} on ${t.clusterName}: ${checksumSummary(current)} → ${checksumSummary(after)}`);
        docs.update(BucketPropsDocuments.uriFor(t.clusterName, t.bucket));
        refresh(node);
        if (!values) void vscode.window.showInformationMessage(vscode.l10n.t('{0}: {1}', uri, checksumSummary(after)));
        return after;
      } catch (e) {
        if (values) throw e;
        void vscode.window.showErrorMessage(vscode.l10n.t('Cannot update {0}: {1}', uri, errorText(e)));
        return undefined;
      }
    }),
    vscode.commands.registerCommand('aisBuckets.showBucketProps', async (node?: TreeNode) => {
      const t = await bucketTarget(registry, node, vscode.l10n.t('Show Bucket Properties'));
      if (!t) return undefined;
      const doc = await vscode.workspace.openTextDocument(BucketPropsDocuments.uriFor(t.clusterName, t.bucket));
      await vscode.languages.setTextDocumentLanguage(doc, 'json');
      await vscode.window.showTextDocument(doc, { preview: true });
      return doc.getText();
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
        const chosen = type ?? (await askChecksum(vscode.l10n.t('Default checksum of {0} (new buckets)', clusterName), current, false))?.type;
        if (!chosen) return undefined;
        await client.setClusterConfig({ 'checksum.type': chosen });
        log.info(`${clusterName}: default checksum ${current?.type ?? '?'} → ${chosen}`);
        if (!type) void vscode.window.showInformationMessage(vscode.l10n.t('New buckets on {0} will use {1}. Existing buckets keep their own setting.', clusterName, chosen));
        return chosen;
      } catch (e) {
        if (type) throw e;
        void vscode.window.showErrorMessage(vscode.l10n.t('Cannot set the default checksum of {0}: {1}', clusterName, errorText(e)));
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
}
