// After a rename or move, the editors of the old keys follow the objects, as the Explorer's do: an editor
// left on the old key would write the old name back on its next save. A clean editor is closed and the new
// key opened in its place; one with unsaved changes is left open and the user is told what a save would do.
import * as vscode from 'vscode';
import type { BucketRef } from '../client/cluster';
import { FS_SCHEME, objectUri, parseFsPath } from '../objects/location';
import { fsUri } from '../fs/provider';

const sameBucket = (a: BucketRef, b: BucketRef) =>
  a.name === b.name && a.provider === b.provider && (a.namespace?.uuid ?? '') === (b.namespace?.uuid ?? '') && (a.namespace?.name ?? '') === (b.namespace?.name ?? '');

/** `oldName` is an object's key, or a folder's prefix (ending in '/') whose keys moved under `newName`. */
export async function followRenamedEditors(cluster: string, bucket: BucketRef, oldName: string, newName: string): Promise<void> {
  const moved = (key: string): string | undefined =>
    oldName.endsWith('/') ? (key.startsWith(oldName) ? newName + key.slice(oldName.length) : undefined) : key === oldName ? newName : undefined;
  const dirty: string[] = [];
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      const uri = tab.input instanceof vscode.TabInputText ? tab.input.uri : tab.input instanceof vscode.TabInputCustom ? tab.input.uri : undefined;
      if (!uri || uri.scheme !== FS_SCHEME) continue;
      const loc = parseFsPath(uri.authority, uri.path);
      if (loc.cluster !== cluster || !loc.bucket || !sameBucket(loc.bucket, bucket)) continue;
      const to = moved(loc.key);
      if (to === undefined) continue;
      if (tab.isDirty) {
        dirty.push(objectUri(bucket, loc.key));
        continue;
      }
      const wasActive = tab.isActive && group.isActive;
      await vscode.window.tabGroups.close(tab, true);
      await vscode.commands.executeCommand('vscode.open', fsUri({ cluster, bucket, key: to }), {
        viewColumn: group.viewColumn,
        preview: tab.isPreview,
        preserveFocus: !wasActive,
      });
    }
  }
  if (dirty.length) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t('{0} has unsaved changes and was left open: saving it writes the object under its old name again.', dirty.join(', ')),
    );
  }
}
