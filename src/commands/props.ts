// Bucket properties (the checksum section above all), the cluster's default checksum, and ongoing
// multipart uploads. AIStore clusters only, except multipart, which every S3 endpoint has.
import * as vscode from 'vscode';
import type { BucketRef, ChecksumConf, ClusterClient } from '../client/cluster';
import { CHECKSUM_TYPES } from '../common/checksum';
import type { ClusterRegistry } from '../registry';
import { formatDate } from '../views/format';
import { bucketRef, objectUri, type TreeNode } from '../views/tree';
import { pickBucket, pickCluster } from './buckets';
import { errorMessage } from './transfer';

const FLAGS: { key: keyof ChecksumConf; label: string; detail: string }[] = [
  { key: 'validate_cold_get', label: 'Validate cold GET', detail: 'Verify the checksum when an object is first read from its remote backend' },
  { key: 'validate_warm_get', label: 'Validate warm GET', detail: 'Verify the checksum on every read of a cached object' },
  { key: 'validate_obj_move', label: 'Validate object move', detail: 'Verify the checksum when objects migrate between targets' },
  { key: 'enable_read_range', label: 'Checksum of read ranges', detail: 'Return a checksum of the range for ranged reads' },
];

const TYPE_DETAIL: Record<string, string> = {
  xxhash: 'AIStore default, fast',
  xxhash2: 'XXH64 (cespare), same values as xxhash',
  md5: 'S3 clients (s3cmd, aws) expect it: ETag = MD5',
  crc32c: 'CRC-32 Castagnoli',
  sha256: 'cryptographic, slower',
  sha512: 'cryptographic, slowest',
  none: 'no checksums',
};

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
    bucket = bucketRef(node);
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
    CHECKSUM_TYPES.map((t) => ({ label: t, description: t === current?.type ? '(current)' : undefined, detail: TYPE_DETAIL[t], picked: t === current?.type })),
    { title: `${title}: checksum type`, placeHolder: `Current: ${current?.type ?? 'unknown'}` },
  );
  if (!typePick) return undefined;
  const edit: ChecksumEdit = { type: typePick.label };
  if (!withFlags) return edit;
  const flagItems = FLAGS.map((f) => ({ label: f.label, detail: f.detail, key: f.key, picked: Boolean(current?.[f.key]) }));
  const chosen = await vscode.window.showQuickPick(flagItems, { title: `${title}: validation (checked = on)`, canPickMany: true });
  if (!chosen) return undefined;
  for (const f of FLAGS) (edit as Record<string, unknown>)[f.key] = chosen.some((c) => c.key === f.key);
  return edit;
}

export function checksumSummary(c: ChecksumConf | undefined): string {
  if (!c) return 'checksum: unknown';
  const flags = FLAGS.filter((f) => c[f.key]).map((f) => f.key);
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
      return JSON.stringify({ error: errorMessage(e) }, null, 2) + '\n';
    }
  }
}

export function registerPropsCommands(context: vscode.ExtensionContext, registry: ClusterRegistry, log: vscode.LogOutputChannel, refresh: (node?: TreeNode) => void) {
  const docs = new BucketPropsDocuments(registry);
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(PROPS_SCHEME, docs),
    vscode.commands.registerCommand('aisBuckets.editChecksum', async (node?: TreeNode, values?: ChecksumEdit) => {
      const t = await bucketTarget(registry, node, 'Edit Checksum Properties');
      if (!t) return undefined;
      const uri = objectUri({ provider: t.bucket.provider, bucket: t.bucket.name });
      if (!t.client.capabilities.bucketProps) {
        void vscode.window.showInformationMessage(`${uri} is on a plain S3 endpoint: it has no AIStore checksum properties.`);
        return undefined;
      }
      try {
        const current = (await t.client.getBucketProps(t.bucket)).checksum;
        const edit = values ?? (await askChecksum(`Checksum of ${uri}`, current, true));
        if (!edit) return undefined;
        await t.client.setBucketProps(t.bucket, { checksum: edit } as Parameters<ClusterClient["setBucketProps"]>[1]);
        const after = (await t.client.getBucketProps(t.bucket)).checksum;
        // The walkthrough's "checksum md5 for s3cmd" step completes on this.
        if (after?.type === 'md5') void vscode.commands.executeCommand('setContext', 'aisBuckets.walkthrough.md5', true);
        log.info(`${uri} on ${t.clusterName}: ${checksumSummary(current)} → ${checksumSummary(after)}`);
        docs.update(BucketPropsDocuments.uriFor(t.clusterName, t.bucket));
        refresh(node);
        if (!values) void vscode.window.showInformationMessage(`${uri}: ${checksumSummary(after)}`);
        return after;
      } catch (e) {
        if (values) throw e;
        void vscode.window.showErrorMessage(`Cannot update ${uri}: ${errorMessage(e)}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('aisBuckets.showBucketProps', async (node?: TreeNode) => {
      const t = await bucketTarget(registry, node, 'Show Bucket Properties');
      if (!t) return undefined;
      const doc = await vscode.workspace.openTextDocument(BucketPropsDocuments.uriFor(t.clusterName, t.bucket));
      await vscode.languages.setTextDocumentLanguage(doc, 'json');
      await vscode.window.showTextDocument(doc, { preview: true });
      return doc.getText();
    }),
    vscode.commands.registerCommand('aisBuckets.setClusterChecksum', async (node?: TreeNode, type?: string) => {
      const clusterName = node?.type === 'cluster' ? node.clusterName : await pickCluster(registry, 'Set Default Checksum');
      if (!clusterName) return undefined;
      const client = await registry.client(clusterName);
      if (!client.capabilities.clusterConfig) {
        void vscode.window.showInformationMessage(`"${clusterName}" is a plain S3 endpoint: it has no AIStore cluster configuration.`);
        return undefined;
      }
      try {
        const current = (await client.getClusterConfig()).checksum;
        const chosen = type ?? (await askChecksum(`Default checksum of ${clusterName} (new buckets)`, current, false))?.type;
        if (!chosen) return undefined;
        await client.setClusterConfig({ 'checksum.type': chosen });
        log.info(`${clusterName}: default checksum ${current?.type ?? '?'} → ${chosen}`);
        if (!type) void vscode.window.showInformationMessage(`New buckets on ${clusterName} will use ${chosen}. Existing buckets keep their own setting.`);
        return chosen;
      } catch (e) {
        if (type) throw e;
        void vscode.window.showErrorMessage(`Cannot set the default checksum of ${clusterName}: ${errorMessage(e)}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('aisBuckets.multipartUploads', async (node?: TreeNode, options?: { abort?: 'all' | 'none' }) => {
      const t = await bucketTarget(registry, node, 'Multipart Uploads');
      if (!t) return undefined;
      const uri = objectUri({ provider: t.bucket.provider, bucket: t.bucket.name });
      try {
        const uploads = await t.client.listMultipartUploads(t.bucket);
        if (options?.abort === 'none') return uploads;
        let chosen = uploads;
        if (!options?.abort) {
          if (uploads.length === 0) {
            void vscode.window.showInformationMessage(`No multipart uploads in progress in ${uri}.`);
            return uploads;
          }
          const picked = await vscode.window.showQuickPick(
            uploads.map((u) => ({ label: u.key, description: formatDate(u.initiated), detail: `upload id ${u.uploadId}`, upload: u })),
            { title: `Multipart uploads in ${uri}: pick the ones to abort`, canPickMany: true },
          );
          if (!picked?.length) return uploads;
          const ok = await vscode.window.showWarningMessage(`Abort ${picked.length} upload(s)? Their uploaded parts are deleted.`, { modal: true }, 'Abort');
          if (ok !== 'Abort') return uploads;
          chosen = picked.map((p) => p.upload);
        }
        for (const u of chosen) {
          await t.client.abortMultipartUpload(t.bucket, u.key, u.uploadId);
          log.info(`aborted multipart upload ${u.uploadId} of ${uri}/${u.key}`);
        }
        return t.client.listMultipartUploads(t.bucket);
      } catch (e) {
        if (options) throw e;
        void vscode.window.showErrorMessage(`Multipart uploads of ${uri}: ${errorMessage(e)}`);
        return undefined;
      }
    }),
  );
}
