// Drag and drop on the Clusters view: files and folders dropped from VS Code's Explorer or the OS onto a
// bucket or folder are uploaded there; objects dragged between buckets/folders are copied server-side.
import * as vscode from 'vscode';
import type { ObjectNode, TreeNode } from './model';

export const TREE_MIME = 'application/vnd.code.tree.aisbuckets.clusters';

export interface DropHandlers {
  uploadUris(target: TreeNode, uris: vscode.Uri[]): Thenable<unknown>;
  copyObjects(target: TreeNode, sources: TreeNode[]): Thenable<unknown>;
  /** The `ais:` URI of an object: dragged onto the editor area, VS Code opens it. */
  objectUri?(node: ObjectNode): vscode.Uri;
}

export class BucketDragAndDrop implements vscode.TreeDragAndDropController<TreeNode> {
  readonly dropMimeTypes = [TREE_MIME, 'text/uri-list', 'files'];
  readonly dragMimeTypes = [TREE_MIME, 'text/uri-list'];

  constructor(private readonly handlers: DropHandlers) {}

  handleDrag(source: readonly TreeNode[], data: vscode.DataTransfer): void {
    const objects = source.filter((n) => n.type === 'object' || n.type === 'folder');
    if (objects.length === 0) return;
    data.set(TREE_MIME, new vscode.DataTransferItem(objects));
    // Drag out: the editor area opens what text/uri-list names (URIs separated by CRLF).
    const uris = objects.filter((n): n is ObjectNode => n.type === 'object').map((n) => this.handlers.objectUri?.(n)?.toString());
    if (uris.length && uris.every(Boolean)) data.set('text/uri-list', new vscode.DataTransferItem(uris.join('\r\n')));
  }

  async handleDrop(dropped: TreeNode | undefined, data: vscode.DataTransfer, token: vscode.CancellationToken): Promise<void> {
    // An empty bucket's "Empty: Upload… or drop files" row stands for the bucket (or folder).
    const target = dropped?.type === 'message' && (dropped.parent?.type === 'bucket' || dropped.parent?.type === 'folder') ? dropped.parent : dropped;
    if (!target || (target.type !== 'bucket' && target.type !== 'folder' && target.type !== 'object')) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Drop files onto a bucket or a folder.'));
      return;
    }
    const internal = data.get(TREE_MIME);
    if (internal) {
      const sources = internal.value as TreeNode[];
      if (Array.isArray(sources) && sources.length) await this.handlers.copyObjects(target, sources);
      return;
    }
    const uris = await urisOf(data);
    if (token.isCancellationRequested || uris.length === 0) return;
    await this.handlers.uploadUris(target, uris);
  }
}

/** Files from the Explorer come as text/uri-list; from the OS also as 'files' items. */
export async function urisOf(data: vscode.DataTransfer): Promise<vscode.Uri[]> {
  const uris: vscode.Uri[] = [];
  const seen = new Set<string>();
  const add = (u: vscode.Uri) => {
    if (u.scheme !== 'file' || seen.has(u.toString())) return;
    seen.add(u.toString());
    uris.push(u);
  };
  const list = data.get('text/uri-list');
  if (list) {
    const text = await list.asString();
    for (const line of text.split(/\r?\n/)) {
      const t = line.trim();
      if (!t || t.startsWith('#')) continue;
      try {
        add(vscode.Uri.parse(t, true));
      } catch {
        // not a URI
      }
    }
  }
  data.forEach((item) => {
    const file = item.asFile();
    if (file?.uri) add(file.uri);
  });
  return uris;
}
