// Objects as documents: Open (text, image preview or binary viewer), Open as Workspace Folder, Show Object
// Properties. From the tree (node arguments), the Explorer and editor title (an `ais:` URI), the palette.
// From the tree an object opens as in VS Code's Explorer: a click shows a preview and leaves the focus in
// the tree (so Delete, F2 act there, never on the editor's text); a double click or Enter opens it pinned
// and focused; a large or binary object is not opened by a click without asking.
import * as vscode from 'vscode';
import type { BucketRef } from '../client/cluster';
import { AisFileSystemProvider, askLargeObject, confirmOpenAboveBytes, fsUri, locationOf } from '../fs/provider';
import { objectKind, ObjectKind, SNIFF_BYTES } from '../objects/content';
import { errorText } from '../objects/errors';
import { formatObjectProperties, formatSize } from '../objects/format';
import { FS_SCHEME, FsLocation } from '../objects/location';
import { baseName } from '../objects/names';
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
/** Two opens of one row this close together are a double click (the tree runs the item's command on each). */
const DOUBLE_CLICK_MS = 500;

/** How an open from the tree shows its editor. */
interface TreeOpen {
  uri: string;
  at: number;
  /** Pinned and focused (double click, Enter), else a preview that leaves the focus in the tree. */
  pin: boolean;
  done: boolean;
}

/**
 * Tells a click from a double click and from Enter. VS Code runs a TreeItem's command on each of them
 * with the same arguments, so: Enter comes through our keybinding (keyboardOpen(), then the tree's own
 * select), and a second open of the same row within DOUBLE_CLICK_MS is the double click.
 */
export class TreeOpenGestures {
  private keyboardUntil = 0;
  private last?: TreeOpen;

  /** The next open from the tree (within a second) comes from the keyboard. */
  keyboardOpen(): void {
    this.keyboardUntil = Date.now() + 1000;
  }

  /** Classifies an open of `uri` from the tree; undefined when it only pins an open still under way. */
  begin(uri: string): TreeOpen | undefined {
    const now = Date.now();
    const keyboard = now < this.keyboardUntil;
    this.keyboardUntil = 0;
    const again = !keyboard && this.last?.uri === uri && now - this.last.at < DOUBLE_CLICK_MS;
    if (again && this.last && !this.last.done) {
      this.last.pin = true;
      return undefined;
    }
    // "workbench.list.openMode": "doubleClick" makes every open from the tree a double click.
    const doubleClickMode = vscode.workspace.getConfiguration('workbench.list').get<string>('openMode') === 'doubleClick';
    this.last = { uri, at: again ? 0 : now, pin: keyboard || again || doubleClickMode, done: false };
    return this.last;
  }
}

/** Options of aisBuckets.openObject (the tree passes fromTree; tests and other callers preview/preserveFocus). */
export interface OpenObjectOptions {
  preview?: boolean;
  preserveFocus?: boolean;
  fromTree?: boolean;
}

/** Asks before a click opens an object that is not text; 'open', 'download', or undefined for Cancel. */
async function askBinaryObject(uri: vscode.Uri, size: number, contentType: string | undefined): Promise<'open' | 'download' | undefined> {
  const openAnyway = vscode.l10n.t('Open Anyway');
  const download = vscode.l10n.t('Download…');
  const what = contentType && contentType !== 'application/octet-stream' ? `${contentType}, ${formatSize(size)}` : formatSize(size);
  const hex = !!vscode.extensions.getExtension(HEX_EDITOR.extension);
  const pick = await vscode.window.showWarningMessage(
    vscode.l10n.t('"{0}" holds binary data ({1}), not text. Open it anyway?', baseName(uri.path), what),
    {
      modal: true,
      detail: hex
        ? vscode.l10n.t('It opens in the Hex Editor. Download… saves a copy to open with another program.')
        : vscode.l10n.t('VS Code shows a notice instead of its content. Download… saves a copy to open with another program.'),
    },
    openAnyway,
    download,
  );
  return pick === openAnyway ? 'open' : pick === download ? 'download' : undefined;
}

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

export function registerOpenCommands(context: vscode.ExtensionContext, registry: ClusterRegistry, log: vscode.LogOutputChannel, provider: AisFileSystemProvider): TreeOpenGestures {
  const props = new ObjectPropsDocuments(registry);
  const gestures = new TreeOpenGestures();
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(OBJECT_PROPS_SCHEME, props),
    vscode.commands.registerCommand('aisBuckets.openObject', async (arg?: TreeNode | vscode.Uri, opts?: OpenObjectOptions | TreeNode[]): Promise<{ uri: string; kind: ObjectKind } | undefined> => {
      // From a context menu the second argument is the multi-selection.
      const options = Array.isArray(opts) ? undefined : opts;
      const loc = objectLocation(arg);
      if (!loc?.bucket) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Choose an object in the AIS Buckets view to open it.'));
        return undefined;
      }
      const uri = fsUri({ cluster: loc.cluster, bucket: loc.bucket, key: loc.key });
      const gesture = options?.fromTree ? gestures.begin(uri.toString()) : undefined;
      if (options?.fromTree && !gesture) return undefined; // the double click of an open under way: it pins that one
      const node = arg instanceof vscode.Uri ? undefined : arg;
      const download = async () => {
        if (node) await vscode.commands.executeCommand('aisBuckets.download', node, [node]);
        return undefined;
      };
      try {
        const client = await registry.client(loc.cluster);
        const head = await client.headObject(loc.bucket, loc.key);
        let kind = objectKind(loc.key, head.contentType);
        if (kind !== 'image') kind = objectKind(loc.key, head.contentType, await readSample(registry, loc, head.size));
        const large = head.size > confirmOpenAboveBytes();
        // One question at most: a large object's (any open), else a binary one's (a click, Enter).
        const answer = large ? await askLargeObject(uri, head.size, !!node) : kind === 'binary' && gesture ? await askBinaryObject(uri, head.size, head.contentType) : 'open';
        if (answer === 'download') return download();
        if (answer !== 'open') return undefined;
        if (large) provider.core.approveLarge(loc, head.size);
        // Read at the last moment: a double click that came while this one asked or read pins it.
        const show = () => {
          if (gesture) return { preview: !gesture.pin, preserveFocus: !gesture.pin };
          return { preview: options?.preview ?? true, preserveFocus: options?.preserveFocus ?? false };
        };
        if (kind === 'image') await vscode.commands.executeCommand('vscode.openWith', uri, IMAGE_PREVIEW, show());
        else if (kind === 'binary' && vscode.extensions.getExtension(HEX_EDITOR.extension)) await vscode.commands.executeCommand('vscode.openWith', uri, HEX_EDITOR.viewType, show());
        // Without a hex editor VS Code shows its own "binary file" notice instead of garbled text.
        else if (kind === 'binary') await vscode.commands.executeCommand('vscode.open', uri, show());
        else await vscode.window.showTextDocument(uri, show());
        return { uri: uri.toString(), kind };
      } catch (e) {
        const message = errorText(e);
        log.error(`open ${uri.toString(true)}: ${message}`);
        void vscode.window.showErrorMessage(vscode.l10n.t('Cannot open {0}: {1}', uri.toString(true), message));
        return undefined;
      } finally {
        if (gesture) gesture.done = true;
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
      // A document open already is re-read after the refresh, later than openTextDocument returns it: the
      // caller gets what the cluster says now, not the text shown before.
      return props.provideTextDocumentContent(uri);
    }),
  );
  return gestures;
}
