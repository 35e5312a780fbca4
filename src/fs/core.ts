// Buckets as folders and objects as files, on ClusterClients: what the `ais:` FileSystemProvider does,
// without vscode (src/fs/provider.ts maps it to VS Code's API; the tests run it against a real gateway).
//
// Folders are key prefixes: "a/b" is a folder when some key starts with "a/b/" (an empty "a/b/" marker
// object counts, as S3 consoles create one). A file's content is read whole (VS Code's readFile wants a
// Uint8Array), so reads above a size limit ask first. A write keeps the object's content type and user
// metadata; the cluster recomputes its checksum with the bucket's algorithm. A write over an object that
// changed on the server since it was last read here is a conflict, offered to the caller to decide.
import { Readable } from 'node:stream';
import * as l10n from '@vscode/l10n';
import type { BucketRef, ClusterClient, ObjectHead } from '../client/cluster';
import { isClientError } from '../client/cluster';
import { guessContentType } from '../client/transfer/contenttype';
import { errorText } from '../objects/errors';
import { FsLocation, locationUri } from '../objects/location';
import { baseName } from '../objects/names';

export type FsErrorKind = 'not-found' | 'exists' | 'is-directory' | 'not-directory' | 'no-permissions' | 'unavailable' | 'cancelled' | 'conflict';

export class ObjectFsError extends Error {
  override readonly name = 'ObjectFsError';
  constructor(
    readonly kind: FsErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface FsStat {
  type: 'file' | 'directory';
  size: number;
  /** ms since the epoch; 0 for folders. */
  mtime: number;
  head?: ObjectHead;
}

export type DirEntry = [name: string, type: 'file' | 'directory'];

/** What identifies one version of an object: the fields both HEAD and GET return. */
export interface Fingerprint {
  size: number;
  etag?: string;
  version?: string;
  checksum?: string;
  mtime?: number;
}

export function fingerprintOf(head: ObjectHead): Fingerprint {
  return {
    size: head.size,
    ...(head.etag ? { etag: head.etag } : {}),
    ...(head.version ? { version: head.version } : {}),
    ...(head.checksum?.value ? { checksum: `${head.checksum.type}:${head.checksum.value}` } : {}),
    ...(head.mtime ? { mtime: head.mtime.getTime() } : {}),
  };
}

/** Same version when every identifier both sides have agrees (mtime only when there is nothing else). */
export function sameVersion(a: Fingerprint, b: Fingerprint): boolean {
  if (a.size !== b.size) return false;
  let compared = false;
  for (const f of ['etag', 'version', 'checksum'] as const) {
    if (a[f] !== undefined && b[f] !== undefined) {
      if (a[f] !== b[f]) return false;
      compared = true;
    }
  }
  if (!compared && a.mtime !== undefined && b.mtime !== undefined) return a.mtime === b.mtime;
  return true;
}

export interface Conflict {
  uri: string;
  /** What was read (or last written) here. */
  base: Fingerprint;
  /** The object on the server now. */
  current: ObjectHead;
}

/** Where the versions read here are remembered: memory by default; the extension keeps them across reloads. */
export interface BaseStore {
  get(uri: string): Fingerprint | undefined;
  set(uri: string, fp: Fingerprint): void;
  delete(uri: string): void;
}

export function memoryBaseStore(): BaseStore {
  const map = new Map<string, Fingerprint>();
  return { get: (u) => map.get(u), set: (u, f) => void map.set(u, f), delete: (u) => void map.delete(u) };
}

export interface ObjectFsOptions {
  /** Versions read or written here; a window that restores an unsaved editor needs them after a reload. */
  bases?: BaseStore;
  /** Reads above this many bytes call `confirmLarge` first. */
  maxBytes?: () => number;
  /** Asked before reading an object above maxBytes; false refuses the read. */
  confirmLarge?: (uri: string, size: number) => Promise<boolean>;
  /** A write found the object changed on the server since it was read: 'overwrite' goes on. */
  onConflict?: (conflict: Conflict) => Promise<'overwrite' | 'cancel'>;
}

export interface ChangeEvent {
  type: 'created' | 'changed' | 'deleted';
  cluster: string;
  bucket: BucketRef;
  key: string;
}

const LIST_PAGE = 1000;

export class ObjectFs {
  /** Per object URI: the version last read or written here (for conflict detection). */
  private readonly bases: BaseStore;
  /** Objects the user agreed to open although large (asked once per URI and size). */
  private readonly approved = new Map<string, number>();
  private readonly listeners: ((e: ChangeEvent[]) => void)[] = [];

  constructor(
    private readonly clients: (cluster: string) => Promise<ClusterClient>,
    private readonly options: ObjectFsOptions = {},
  ) {
    this.bases = options.bases ?? memoryBaseStore();
  }

  onDidChange(listener: (e: ChangeEvent[]) => void): { dispose(): void } {
    this.listeners.push(listener);
    return { dispose: () => void this.listeners.splice(this.listeners.indexOf(listener), 1) };
  }

  private fire(events: ChangeEvent[]) {
    if (events.length) for (const l of [...this.listeners]) l(events);
  }

  /** The version of `loc` read or written here last, if any. */
  baseOf(loc: FsLocation): Fingerprint | undefined {
    return loc.bucket ? this.bases.get(locationUri(loc)) : undefined;
  }

  /** Marks a large object as agreed to (the Open command asks before VS Code reads). */
  approveLarge(loc: FsLocation, size: number): void {
    if (loc.bucket) this.approved.set(locationUri(loc), size);
  }

  private async client(loc: FsLocation): Promise<ClusterClient> {
    try {
      return await this.clients(loc.cluster);
    } catch (e) {
      throw new ObjectFsError('unavailable', l10n.t('{0} Add it in the AIS Buckets view, or remove this folder from the workspace.', errorText(e)), { cause: e });
    }
  }

  async stat(loc: FsLocation): Promise<FsStat> {
    const client = await this.client(loc);
    if (!loc.bucket) return { type: 'directory', size: 0, mtime: 0 };
    if (loc.key === '') {
      // the bucket itself: one listing request tells whether it exists
      await wrap(loc, () => client.listObjects(loc.bucket!, { pageSize: 1, folders: true }));
      return { type: 'directory', size: 0, mtime: 0 };
    }
    const head = await this.headOrUndefined(client, loc);
    if (head) return { type: 'file', size: head.size, mtime: head.mtime?.getTime() ?? 0, head };
    if (await this.isFolder(client, loc)) return { type: 'directory', size: 0, mtime: 0 };
    throw notFound(loc);
  }

  private async headOrUndefined(client: ClusterClient, loc: FsLocation): Promise<ObjectHead | undefined> {
    try {
      return await client.headObject(loc.bucket!, loc.key);
    } catch (e) {
      if (isClientError(e) && e.kind === 'not-found') return undefined;
      throw toFsError(loc, e);
    }
  }

  private async isFolder(client: ClusterClient, loc: FsLocation): Promise<boolean> {
    if (loc.key === '') return true;
    const page = await wrap(loc, () => client.listObjects(loc.bucket!, { prefix: loc.key + '/', pageSize: 1, folders: true }));
    return page.objects.length > 0 || page.folders.length > 0;
  }

  async readDirectory(loc: FsLocation): Promise<DirEntry[]> {
    const client = await this.client(loc);
    if (!loc.provider) return (await wrap(loc, () => client.listProviders())).map((p) => [p.name, 'directory']);
    if (!loc.bucket) {
      const buckets = await wrap(loc, () => client.listBuckets(loc.provider));
      return buckets.filter((b) => !b.namespace).map((b) => [b.name, 'directory']);
    }
    const prefix = loc.key ? loc.key + '/' : '';
    const out: DirEntry[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    do {
      const page = await wrap(loc, () => client.listObjects(loc.bucket!, { prefix, folders: true, pageSize: LIST_PAGE, token }));
      for (const f of page.folders) {
        const name = f.slice(prefix.length).replace(/\/$/, '');
        if (name && !name.includes('/') && !seen.has(name)) {
          seen.add(name);
          out.push([name, 'directory']);
        }
      }
      for (const o of page.objects) {
        const name = o.key.slice(prefix.length);
        if (name && !name.includes('/') && !seen.has(name)) {
          seen.add(name);
          out.push([name, 'file']);
        }
      }
      token = page.nextToken;
    } while (token);
    if (out.length === 0 && loc.key && !(await this.isFolder(client, loc))) {
      throw (await this.headOrUndefined(client, loc)) ? new ObjectFsError('not-directory', l10n.t('{0} is an object, not a folder.', locationUri(loc))) : notFound(loc);
    }
    return out;
  }

  async readFile(loc: FsLocation): Promise<Uint8Array> {
    if (!loc.bucket || loc.key === '') throw isDirectory(loc);
    const client = await this.client(loc);
    const head = await this.headOrUndefined(client, loc);
    if (!head) throw (await this.isFolder(client, loc)) ? isDirectory(loc) : notFound(loc);
    const uri = locationUri(loc);
    const limit = this.options.maxBytes?.() ?? Infinity;
    if (head.size > limit && this.approved.get(uri) !== head.size) {
      const ok = (await this.options.confirmLarge?.(uri, head.size)) ?? false;
      if (!ok) throw new ObjectFsError('cancelled', l10n.t('Not opened: {0} is larger than the limit. Download it instead, or raise "aisBuckets.objects.confirmOpenAboveMb".', uri));
      this.approved.set(uri, head.size);
    }
    const download = await wrap(loc, () => client.getObject(loc.bucket!, loc.key));
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of download.body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
    } catch (e) {
      throw toFsError(loc, e);
    }
    const data = Buffer.concat(chunks);
    // The version the editor now holds: the GET's own headers name it (a HEAD before it might be older).
    this.bases.set(uri, fingerprintOf({ ...download.head, size: data.length }));
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }

  async writeFile(loc: FsLocation, content: Uint8Array, flags: { create: boolean; overwrite: boolean }): Promise<void> {
    if (!loc.bucket || loc.key === '') throw isDirectory(loc);
    const client = await this.client(loc);
    const uri = locationUri(loc);
    const head = await this.headOrUndefined(client, loc);
    if (!head) {
      if (await this.isFolder(client, loc)) throw isDirectory(loc);
      if (!flags.create) throw notFound(loc);
    } else {
      if (!flags.overwrite) throw new ObjectFsError('exists', l10n.t('{0} already exists.', uri));
      const base = this.bases.get(uri);
      if (base && !sameVersion(base, fingerprintOf(head))) {
        const decision = (await this.options.onConflict?.({ uri, base, current: head })) ?? 'cancel';
        if (decision !== 'overwrite') {
          throw new ObjectFsError(
            'conflict',
            l10n.t(
              'Not saved: {0} changed on the server since you opened it. Compare the two, then save again and choose Overwrite, or run "File: Revert File" to take the server\'s version.',
              uri,
            ),
          );
        }
      }
    }
    const body = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    await wrap(loc, () =>
      client.putObject(loc.bucket!, loc.key, { open: () => Readable.from([body]), size: body.length }, {
        contentType: head?.contentType ?? guessContentType(loc.key),
        userMeta: head?.userMeta ?? {},
      }),
    );
    const after = await this.headOrUndefined(client, loc);
    if (after) this.bases.set(uri, fingerprintOf(after));
    this.approved.delete(uri);
    this.fire([{ type: head ? 'changed' : 'created', cluster: loc.cluster, bucket: loc.bucket, key: loc.key }]);
  }

  /** An empty "key/" marker: S3 has no folders, this is the common convention. */
  async createDirectory(loc: FsLocation): Promise<void> {
    if (!loc.bucket || loc.key === '') throw new ObjectFsError('no-permissions', l10n.t('Create buckets from the AIS Buckets view.'));
    const client = await this.client(loc);
    if (await this.headOrUndefined(client, loc)) throw new ObjectFsError('exists', l10n.t('{0} already exists as an object.', locationUri(loc)));
    await wrap(loc, () => client.putObject(loc.bucket!, loc.key + '/', { open: () => Readable.from([]), size: 0 }));
    this.fire([{ type: 'created', cluster: loc.cluster, bucket: loc.bucket, key: loc.key }]);
  }

  /** Every key at and under a folder, the marker object included. */
  private async keysUnder(client: ClusterClient, loc: FsLocation): Promise<string[]> {
    const prefix = loc.key ? loc.key + '/' : '';
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await wrap(loc, () => client.listObjects(loc.bucket!, { prefix, folders: false, pageSize: LIST_PAGE, token }));
      keys.push(...page.objects.map((o) => o.key));
      token = page.nextToken;
    } while (token);
    return keys;
  }

  async delete(loc: FsLocation, options: { recursive: boolean }): Promise<void> {
    if (!loc.bucket || loc.key === '') throw new ObjectFsError('no-permissions', l10n.t('Buckets are deleted from the AIS Buckets view (Delete Bucket…), not from the Explorer.'));
    const client = await this.client(loc);
    const head = await this.headOrUndefined(client, loc);
    if (head) {
      await this.deleteKey(client, loc, loc.key);
      this.bases.delete(locationUri(loc));
      this.fire([{ type: 'deleted', cluster: loc.cluster, bucket: loc.bucket, key: loc.key }]);
      return;
    }
    const keys = await this.keysUnder(client, loc);
    if (keys.length === 0) throw notFound(loc);
    if (!options.recursive && keys.some((k) => k !== loc.key + '/')) throw new ObjectFsError('no-permissions', l10n.t('{0} is not empty.', locationUri(loc)));
    for (const k of keys) await this.deleteKey(client, loc, k);
    this.fire([{ type: 'deleted', cluster: loc.cluster, bucket: loc.bucket, key: loc.key }]);
  }

  private async deleteKey(client: ClusterClient, loc: FsLocation, key: string): Promise<void> {
    try {
      await client.deleteObject(loc.bucket!, key);
    } catch (e) {
      if (!(isClientError(e) && e.kind === 'not-found')) throw toFsError(loc, e);
    }
  }

  /** Copies an object or a folder (every key under it); a server-side copy within a cluster. */
  async copy(from: FsLocation, to: FsLocation, options: { overwrite: boolean }): Promise<void> {
    await this.transfer(from, to, options, false);
  }

  /** Object stores cannot rename: copy, then delete the source. */
  async rename(from: FsLocation, to: FsLocation, options: { overwrite: boolean }): Promise<void> {
    await this.transfer(from, to, options, true);
  }

  private async transfer(from: FsLocation, to: FsLocation, options: { overwrite: boolean }, move: boolean): Promise<void> {
    if (!from.bucket || from.key === '' || !to.bucket || to.key === '') {
      throw new ObjectFsError('no-permissions', l10n.t('Buckets cannot be renamed, moved or copied here: copy their objects instead.'));
    }
    const source = await this.client(from);
    const target = await this.client(to);
    const head = await this.headOrUndefined(source, from);
    const pairs: [string, string][] = head
      ? [[from.key, to.key]]
      : (await this.keysUnder(source, from)).map((k) => [k, to.key + k.slice(from.key.length)]);
    if (pairs.length === 0) throw notFound(from);
    if (!head && (to.key + '/').startsWith(from.key + '/') && sameBucket(from, to)) {
      throw new ObjectFsError('no-permissions', move ? l10n.t('Cannot move {0} into itself.', locationUri(from)) : l10n.t('Cannot copy {0} into itself.', locationUri(from)));
    }
    if (!options.overwrite) {
      const exists = head ? await this.headOrUndefined(target, to) : (await this.keysUnder(target, to)).length > 0 ? true : undefined;
      if (exists) throw new ObjectFsError('exists', l10n.t('{0} already exists.', locationUri(to)));
    }
    for (const [src, dst] of pairs) {
      if (sameBucket(from, to) && src === dst) continue;
      if (from.cluster === to.cluster) {
        await wrap(to, () => target.copyObject(from.bucket!, src, to.bucket!, dst));
      } else {
        const got = await wrap(from, () => source.getObject(from.bucket!, src));
        await wrap(to, () => target.putObject(to.bucket!, dst, { stream: got.body, size: got.head.size }, { contentType: got.head.contentType, userMeta: got.head.userMeta }));
      }
    }
    if (move) for (const [src] of pairs) await this.deleteKey(source, from, src);
    if (move) this.bases.delete(locationUri(from));
    this.fire([
      ...(move ? [{ type: 'deleted' as const, cluster: from.cluster, bucket: from.bucket, key: from.key }] : []),
      { type: 'created', cluster: to.cluster, bucket: to.bucket, key: to.key },
    ]);
  }
}

function sameBucket(a: FsLocation, b: FsLocation): boolean {
  return a.cluster === b.cluster && a.bucket?.name === b.bucket?.name && a.bucket?.provider === b.bucket?.provider && a.bucket?.namespace?.uuid === b.bucket?.namespace?.uuid;
}

function notFound(loc: FsLocation): ObjectFsError {
  return new ObjectFsError('not-found', l10n.t('{0} does not exist.', locationUri(loc)));
}

function isDirectory(loc: FsLocation): ObjectFsError {
  return new ObjectFsError('is-directory', loc.key ? l10n.t('{0} is a folder, not an object.', locationUri(loc)) : l10n.t('{0} is a folder (a bucket), not an object.', locationUri(loc)));
}

export function toFsError(loc: FsLocation, e: unknown): ObjectFsError {
  if (e instanceof ObjectFsError) return e;
  if (isClientError(e)) {
    if (e.kind === 'not-found') return new ObjectFsError('not-found', e.message, { cause: e });
    if (e.kind === 'auth') return new ObjectFsError('no-permissions', e.message, { cause: e });
    if (e.kind === 'conflict') return new ObjectFsError('exists', e.message, { cause: e });
    return new ObjectFsError('unavailable', e.message, { cause: e });
  }
  return new ObjectFsError('unavailable', `${baseName(loc.key) || locationUri(loc)}: ${errorText(e)}`, { cause: e });
}

async function wrap<T>(loc: FsLocation, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw toFsError(loc, e);
  }
}
