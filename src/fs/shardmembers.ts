// The `ais-shard:` file system: a member of a shard as a read-only document (text, JSON, an image preview),
// read through the cluster's shard access (AIStore: GET with archpath; S3: a ranged GET of the member), so
// the shard itself is never downloaded. Writes are refused: a shard is rewritten whole, not edited in place.
import * as vscode from 'vscode';
import { ClientError } from '../client/cluster';
import { errorText } from '../objects/errors';
import { formatMemberPath, MemberLocation, parseMemberPath, SHARD_SCHEME } from '../objects/location';
import type { ClusterRegistry } from '../registry';
import { confirmLargeObject, confirmOpenAboveBytes } from './provider';

export function memberUri(loc: MemberLocation): vscode.Uri {
  return vscode.Uri.from({ scheme: SHARD_SCHEME, ...formatMemberPath(loc) });
}

export class ShardMemberFileSystem implements vscode.FileSystemProvider {
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;
  /** Sizes the tree's listing gave, so that opening a member asks the cluster once, not twice. */
  private readonly sizes = new Map<string, number>();

  constructor(
    private readonly registry: ClusterRegistry,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The tree knows a member's size: stat answers from it. */
  remember(uri: vscode.Uri, size: number): void {
    this.sizes.delete(uri.toString());
    this.sizes.set(uri.toString(), size);
    while (this.sizes.size > 1000) this.sizes.delete(this.sizes.keys().next().value!);
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const known = this.sizes.get(uri.toString());
    const size =
      known ??
      (await this.run(uri, async (loc, client) => {
        const { body, head } = await client.shards.open(loc.bucket, loc.shard, loc.member);
        body.destroy();
        return head.size;
      }));
    return { type: vscode.FileType.File, size, ctime: 0, mtime: 0, permissions: vscode.FilePermission.Readonly };
  }

  readFile(uri: vscode.Uri): Promise<Uint8Array> {
    return this.run(uri, async (loc, client) => {
      const known = this.sizes.get(uri.toString());
      if (known !== undefined && known > confirmOpenAboveBytes() && !(await confirmLargeObject(uri, known))) throw vscode.FileSystemError.Unavailable(vscode.l10n.t('Not opened: {0} is large.', loc.member));
      const { body } = await client.shards.open(loc.bucket, loc.shard, loc.member);
      const chunks: Buffer[] = [];
      for await (const c of body) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    });
  }

  readDirectory(uri: vscode.Uri): never {
    throw vscode.FileSystemError.FileNotADirectory(uri);
  }

  createDirectory(): never {
    throw readOnly();
  }

  writeFile(): never {
    throw readOnly();
  }

  delete(): never {
    throw readOnly();
  }

  rename(): never {
    throw readOnly();
  }

  private async run<T>(uri: vscode.Uri, work: (loc: MemberLocation, client: Awaited<ReturnType<ClusterRegistry['client']>>) => Promise<T>): Promise<T> {
    const loc = parseMemberPath(uri.authority, uri.path, uri.query);
    if (!loc) throw vscode.FileSystemError.FileNotFound(uri);
    try {
      return await work(loc, await this.registry.client(loc.cluster));
    } catch (e) {
      if (e instanceof vscode.FileSystemError) throw e;
      const message = errorText(e);
      if (e instanceof ClientError && e.kind === 'not-found') throw vscode.FileSystemError.FileNotFound(message);
      this.log.warn(`${uri.toString(true)}: ${message}`);
      throw vscode.FileSystemError.Unavailable(message);
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function readOnly(): vscode.FileSystemError {
  return vscode.FileSystemError.NoPermissions(vscode.l10n.t('A member of a shard is read-only: download it, change it, and build a new shard.'));
}
