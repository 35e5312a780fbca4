// Objects as documents: Open (text, image preview or binary viewer), Open as Workspace Folder, Show Object
// Properties. From the tree (node arguments), the Explorer and editor title (an `ais:` URI), the palette.
import * as vscode from 'vscode';
import type { BucketRef } from '../client/cluster';
import { AisFileSystemProvider, confirmLargeObject, confirmOpenAboveBytes, fsUri, locationOf } from '../fs/provider';
import { objectKind, ObjectKind, SNIFF_BYTES } from '../objects/content';
import { errorText } from '../objects/errors';
import { formatObjectProperties } from '../objects/format';
import { FS_SCHEME, FsLocation } from '../objects/location';
import type { ClusterRegistry } from '../registry';
import type { TreeNode } from '../views/model';
import { pickBucket, pickCluster } from './common';

export const OBJECT_PROPS_SCHEME = 'aisbuckets-object-props';
/** Props documents are the object's `ais:` path plus this (the tab reads "hello.txt (properties)"). */
const PROPS_SUFFIX = ' (properties)';

/** An object node or an `ais:` URI (Explorer, editor title) → where the object is. */
function objectLocation(arg: unknown): FsLocation | undefined {
  if (arg instanceof vscode.Uri) return arg.scheme === FS_SCHEME ? locationOf(arg) : undefined;
  const n = arg as TreeNode | undefined;
  if (n && n.type === 'object') return { cluster: n.clusterName, provider: n.bucket.provider, bucket: n.bucket, key: n.key };
  return undefined;
}

function activeObject(): FsLocation | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri ?? (vscode.window.tabGroups.activeTabGroup.activeTab?.input as { uri?: vscode.Uri } | undefined)?.uri;
  return uri ? objectLocation(uri) : undefined;
}

async function readSample(registry: ClusterRegistry, loc: FsLocation, size: number): Promise<Uint8Array> {
  if (size === 0) return new Uint8Array();
  const client = await registry.client(loc.cluster);
  const { body } = await client.getObject(loc.bucket!, loc.key, { start: 0, end: Math.min(size, SNIFF_BYTES) - 1 });
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const HEX_EDITOR = { extension: 'ms-vscode.hexeditor', viewType: 'hexEditor.hexedit' };
const IMAGE_PREVIEW = 'imagePreview.previewEditor';

export class ObjectPropsDocuments implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  constructor(private readonly registry: ClusterRegistry) {}

  refresh(uri: vscode.Uri) {
    this.changed.fire(uri);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const objectUri = uri.with({ scheme: FS_SCHEME, path: uri.path.slice(0, -PROPS_SUFFIX.length) });
    const loc = locationOf(objectUri);
    try {
      const client = await this.registry.client(loc.cluster);
      return formatObjectProperties(objectUri.toString(true), loc.cluster, await client.headObject(loc.bucket!, loc.key));
    } catch (e) {
      return `# ${objectUri.toString(true)}\n# ${vscode.l10n.t("Cannot read the object's properties: {0}", errorText(e))}\n`;
    }
  }
}

export function registerOpenCommands(context: vscode.ExtensionContext, registry: ClusterRegistry, log: vscode.LogOutputChannel, provider: AisFileSystemProvider) {
  const props = new ObjectPropsDocuments(registry);
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(OBJECT_PROPS_SCHEME, props),
    vscode.commands.registerCommand('aisBuckets.openObject', async (arg?: TreeNode | vscode.Uri, options?: { preview?: boolean }): Promise<{ uri: string; kind: ObjectKind } | undefined> => {
      const loc = objectLocation(arg);
      if (!loc?.bucket) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Choose an object in the AIS Buckets view to open it.'));
        return undefined;
      }
      const uri = fsUri({ cluster: loc.cluster, bucket: loc.bucket, key: loc.key });
      try {
        const client = await registry.client(loc.cluster);
        const head = await client.headObject(loc.bucket, loc.key);
        if (head.size > confirmOpenAboveBytes()) {
          if (!(await confirmLargeObject(uri, head.size))) return undefined;
          provider.core.approveLarge(loc, head.size);
        }
        let kind = objectKind(loc.key, head.contentType);
        if (kind !== 'image') kind = objectKind(loc.key, head.contentType, await readSample(registry, loc, head.size));
        const preview = options?.preview ?? true;
        if (kind === 'image') await vscode.commands.executeCommand('vscode.openWith', uri, IMAGE_PREVIEW, { preview });
        else if (kind === 'binary' && vscode.extensions.getExtension(HEX_EDITOR.extension)) await vscode.commands.executeCommand('vscode.openWith', uri, HEX_EDITOR.viewType, { preview });
        // Without a hex editor VS Code shows its own "binary file" notice instead of garbled text.
        else if (kind === 'binary') await vscode.commands.executeCommand('vscode.open', uri, { preview });
        else await vscode.window.showTextDocument(uri, { preview });
        return { uri: uri.toString(), kind };
      } catch (e) {
        const message = errorText(e);
        log.error(`open ${uri.toString(true)}: ${message}`);
        void vscode.window.showErrorMessage(vscode.l10n.t('Cannot open {0}: {1}', uri.toString(true), message));
        return undefined;
      }
    }),
    vscode.commands.registerCommand('aisBuckets.openBucketAsFolder', async (node?: TreeNode) => {
      let cluster: string | undefined;
      let target: { bucket: BucketRef; key: string } | undefined;
      if (node && (node.type === 'bucket' || node.type === 'folder')) {
        cluster = node.clusterName;
        target = { bucket: node.bucket, key: node.type === 'folder' ? node.prefix : '' };
      } else {
        const title = vscode.l10n.t('Open Bucket as Workspace Folder');
        cluster = await pickCluster(registry, title);
        const bucket = cluster ? await pickBucket(registry, cluster, title) : undefined;
        if (bucket) target = { bucket, key: '' };
      }
      if (!cluster || !target) return undefined;
      const uri = fsUri({ cluster, ...target });
      const existing = vscode.workspace.getWorkspaceFolder(uri);
      if (!existing || existing.uri.toString() !== uri.toString()) {
        const name = `${target.bucket.name}${target.key ? '/' + target.key.replace(/\/$/, '') : ''} (${cluster})`;
        const added = new Promise<void>((resolve) => {
          const sub = vscode.workspace.onDidChangeWorkspaceFolders(() => {
            sub.dispose();
            resolve();
          });
          setTimeout(() => {
            sub.dispose();
            resolve();
          }, 10_000);
        });
        const index = vscode.workspace.workspaceFolders?.length ?? 0;
        if (!vscode.workspace.updateWorkspaceFolders(index, 0, { uri, name })) {
          void vscode.window.showErrorMessage(vscode.l10n.t('Cannot add {0} to the workspace: VS Code refused the change. Try again once the window has finished loading.', uri.toString(true)));
          return undefined;
        }
        await added;
        log.info(`opened ${uri.toString(true)} as workspace folder "${name}"`);
      }
      await vscode.commands.executeCommand('workbench.view.explorer');
      return uri.toString();
    }),
    vscode.commands.registerCommand('aisBuckets.showObjectProperties', async (arg?: TreeNode | vscode.Uri) => {
      const loc = objectLocation(arg) ?? activeObject();
      if (!loc?.bucket || !loc.key) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Choose an object in the AIS Buckets view (or open one) to see its properties.'));
        return undefined;
      }
      const objectUri = fsUri({ cluster: loc.cluster, bucket: loc.bucket, key: loc.key });
      const uri = objectUri.with({ scheme: OBJECT_PROPS_SCHEME, path: objectUri.path + PROPS_SUFFIX });
      props.refresh(uri);
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.languages.setTextDocumentLanguage(doc, 'yaml');
      await vscode.window.showTextDocument(doc, { preview: true });
      return doc.getText();
    }),
  );
}
