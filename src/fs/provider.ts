// The `ais:` FileSystemProvider (scheme and URI layout: src/objects/location.ts): VS Code's Explorer, editors,
// diff and drag-and-drop on buckets. Thin glue over ObjectFs (src/fs/core.ts): maps its errors to
// FileSystemErrors and asks the user what core leaves to them (large objects, save conflicts).
import * as vscode from 'vscode';
import type { ClusterClient } from '../client/cluster';
import { errorText } from '../objects/errors';
import { formatSize } from '../objects/format';
import { formatFsPath, FS_SCHEME, FsLocation, parseFsPath } from '../objects/location';
import { baseName } from '../objects/names';
import type { ClusterRegistry } from '../registry';
import { BaseStore, Conflict, Fingerprint, FsStat, ObjectFs, ObjectFsError } from './core';

/** Read-only snapshots of what the server holds now, for the conflict diff. */
export const SERVER_SCHEME = 'aisbuckets-server';
const CLUSTER_WAIT_MS = 15_000;

export function locationOf(uri: vscode.Uri): FsLocation {
  return parseFsPath(uri.authority, uri.path);
}

export function fsUri(loc: { cluster: string; bucket: FsLocation['bucket'] & object; key?: string }): vscode.Uri {
  const { authority, path } = formatFsPath(loc);
  return vscode.Uri.from({ scheme: FS_SCHEME, authority, path });
}

export function confirmOpenAboveBytes(): number {
  const mb = vscode.workspace.getConfiguration('aisBuckets.objects').get<number>('confirmOpenAboveMb') ?? 4;
  return Math.max(0, mb) * 1024 * 1024;
}

/** Asks before reading a large object whole; true to go on. */
export async function confirmLargeObject(uri: vscode.Uri, size: number): Promise<boolean> {
  return (await askLargeObject(uri, size, false)) === 'open';
}

/**
 * The same question with "Download…" as a second answer (the tree offers it: a local copy is what a large
 * object usually wants). 'open', 'download', or undefined for Cancel.
 */
export async function askLargeObject(uri: vscode.Uri, size: number, offerDownload: boolean): Promise<'open' | 'download' | undefined> {
  const mb = vscode.workspace.getConfiguration('aisBuckets.objects').get<number>('confirmOpenAboveMb') ?? 4;
  const openAnyway = vscode.l10n.t('Open Anyway');
  const download = vscode.l10n.t('Download…');
  const pick = await vscode.window.showWarningMessage(
    vscode.l10n.t('"{0}" is {1}: AIS Buckets asks before opening objects over {2} MiB in an editor. Open it anyway?', baseName(uri.path), formatSize(size), mb),
    {
      modal: true,
      detail: vscode.l10n.t(
        'The editor reads it into memory whole. To work with a local copy instead, use Download… in the AIS Buckets view; the limit is the setting "aisBuckets.objects.confirmOpenAboveMb".',
      ),
    },
    ...(offerDownload ? [openAnyway, download] : [openAnyway]),
  );
  return pick === openAnyway ? 'open' : pick === download ? 'download' : undefined;
}

export class AisFileSystemProvider implements vscode.FileSystemProvider, vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;
  readonly core: ObjectFs;
  private readonly subscription: { dispose(): void };

  constructor(
    private readonly registry: ClusterRegistry,
    private readonly log: vscode.LogOutputChannel,
    memento?: vscode.Memento,
  ) {
    this.core = new ObjectFs((name) => this.client(name), {
      ...(memento ? { bases: mementoBaseStore(memento) } : {}),
      maxBytes: confirmOpenAboveBytes,
      confirmLarge: (uri, size) => confirmLargeObject(vscode.Uri.parse(uri), size),
      onConflict: (c) => this.askConflict(c),
    });
    this.subscription = this.core.onDidChange((events) =>
      this.changed.fire(
        events.map((e) => ({
          type: e.type === 'created' ? vscode.FileChangeType.Created : e.type === 'deleted' ? vscode.FileChangeType.Deleted : vscode.FileChangeType.Changed,
          uri: fsUri({ cluster: e.cluster, bucket: e.bucket, key: e.key }),
        })),
      ),
    );
  }

  /** A cluster's client; waits a little for clusters that come up after the window (the local gateway). */
  private async client(name: string): Promise<ClusterClient> {
    if (!(await this.registry.entry(name))) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, CLUSTER_WAIT_MS);
        const sub = this.registry.onDidChange(async () => {
          if (await this.registry.entry(name)) done();
        });
        function done() {
          clearTimeout(timer);
          sub.dispose();
          resolve();
        }
      });
    }
    return this.registry.client(name);
  }

  private async askConflict(c: Conflict): Promise<'overwrite' | 'cancel'> {
    const uri = vscode.Uri.parse(c.uri);
    const name = baseName(uri.path);
    const now = c.current;
    const what = [now.version ? vscode.l10n.t('version {0}', now.version) : '', now.mtime ? vscode.l10n.t('modified {0}', now.mtime.toLocaleString()) : '', formatSize(now.size)]
      .filter(Boolean)
      .join(', ');
    this.log.warn(`save conflict on ${c.uri}: opened ${JSON.stringify(c.base)}, server now ${what}`);
    const overwrite = vscode.l10n.t('Overwrite');
    const compare = vscode.l10n.t('Compare');
    const pick = await vscode.window.showWarningMessage(
      vscode.l10n.t('"{0}" changed on the server since you opened it. Overwrite it with your version?', name),
      {
        modal: true,
        detail: vscode.l10n.t("On the server now: {0}.\nCompare shows the server's version next to yours and saves nothing; Cancel keeps both as they are.", what),
      },
      overwrite,
      compare,
    );
    if (pick === overwrite) {
      this.log.info(`save conflict on ${c.uri}: overwritten`);
      return 'overwrite';
    }
    if (pick === compare) {
      const server = uri.with({ scheme: SERVER_SCHEME, query: `t=${Date.now()}` });
      void vscode.commands.executeCommand('vscode.diff', server, uri, vscode.l10n.t('{0} (on the server) ↔ {0} (yours, not saved)', name));
    }
    return 'cancel';
  }

  /** The server's current content of an object, for the conflict diff. */
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const loc = locationOf(uri);
    const client = await this.client(loc.cluster);
    const { body } = await client.getObject(loc.bucket!, loc.key);
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  watch(): vscode.Disposable {
    // Object stores do not notify; changes made here are reported through onDidChangeFile.
    return new vscode.Disposable(() => undefined);
  }

  stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    return this.run(uri, async () => toFileStat(await this.core.stat(locationOf(uri))));
  }

  readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
    return this.run(uri, async () => (await this.core.readDirectory(locationOf(uri))).map(([n, t]) => [n, t === 'file' ? vscode.FileType.File : vscode.FileType.Directory]));
  }

  createDirectory(uri: vscode.Uri): Promise<void> {
    return this.run(uri, () => this.core.createDirectory(locationOf(uri)));
  }

  readFile(uri: vscode.Uri): Promise<Uint8Array> {
    return this.run(uri, () => this.core.readFile(locationOf(uri)));
  }

  writeFile(uri: vscode.Uri, content: Uint8Array, options: { create: boolean; overwrite: boolean }): Promise<void> {
    return this.run(uri, () => this.core.writeFile(locationOf(uri), content, options));
  }

  delete(uri: vscode.Uri, options: { recursive: boolean }): Promise<void> {
    return this.run(uri, () => this.core.delete(locationOf(uri), options));
  }

  rename(oldUri: vscode.Uri, newUri: vscode.Uri, options: { overwrite: boolean }): Promise<void> {
    return this.run(oldUri, () => this.core.rename(locationOf(oldUri), locationOf(newUri), options));
  }

  copy(source: vscode.Uri, destination: vscode.Uri, options: { overwrite: boolean }): Promise<void> {
    return this.run(source, () => this.core.copy(locationOf(source), locationOf(destination), options));
  }

  private async run<T>(uri: vscode.Uri, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      const err = e instanceof ObjectFsError ? e : new ObjectFsError('unavailable', errorText(e));
      if (err.kind !== 'not-found') this.log.warn(`${uri.toString(true)}: ${err.message}`);
      switch (err.kind) {
        case 'not-found':
          throw vscode.FileSystemError.FileNotFound(err.message);
        case 'exists':
          throw vscode.FileSystemError.FileExists(err.message);
        case 'is-directory':
          throw vscode.FileSystemError.FileIsADirectory(err.message);
        case 'not-directory':
          throw vscode.FileSystemError.FileNotADirectory(err.message);
        case 'no-permissions':
          throw vscode.FileSystemError.NoPermissions(err.message);
        default:
          throw vscode.FileSystemError.Unavailable(err.message);
      }
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function toFileStat(s: FsStat): vscode.FileStat {
  return { type: s.type === 'file' ? vscode.FileType.File : vscode.FileType.Directory, size: s.size, mtime: s.mtime, ctime: s.mtime };
}

const BASES_KEY = 'aisBuckets.fs.openedVersions';
const BASES_MAX = 500;

/**
 * The versions editors were opened from, kept in global state: VS Code restores unsaved editors after a
 * reload (and a folder window that becomes a workspace reloads), and their next save still needs them.
 */
function mementoBaseStore(memento: vscode.Memento): BaseStore {
  const map = new Map<string, Fingerprint>(Object.entries(memento.get<Record<string, Fingerprint>>(BASES_KEY) ?? {}));
  let pending: NodeJS.Timeout | undefined;
  const persist = () => {
    pending ??= setTimeout(() => {
      pending = undefined;
      while (map.size > BASES_MAX) map.delete(map.keys().next().value!);
      void memento.update(BASES_KEY, Object.fromEntries(map));
    }, 200);
  };
  return {
    get: (u) => map.get(u),
    set: (u, f) => {
      map.delete(u); // most recent last
      map.set(u, f);
      persist();
    },
    delete: (u) => {
      if (map.delete(u)) persist();
    },
  };
}
