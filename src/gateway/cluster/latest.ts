// Whether the cached copy of a remote object is still the remote's version, decided the way AIStore does
// it (cmn/objattrs.go ObjAttrs.CheckEq, called by core/ldp.go CheckRemoteMD and LoadLatest): sizes that
// differ are a change; then the ETags decide (quotes aside); with nothing to compare by, the two are taken
// as different. The remote's version id is not compared: the copy keeps no remote version (the gateway's
// own is a write counter), and S3 listings carry none.
import { errors, GatewayError } from '../errors';
import type { BucketRef, ObjectSummary } from '../store/types';
import { Cluster, missingBackend } from './cluster';
import type { RemoteObject, RemoteS3 } from './remote';

/** What a version check compares: a copy's recorded attributes, or what the remote lists or HEADs. */
export interface VersionAttrs {
  size: number;
  etag: string;
}

const unquote = (s: string) => s.replace(/^"|"$/g, '');

/** Why `copy` is not the remote's version, in CheckEq's words; undefined when it is. */
export function versionChange(copy: VersionAttrs, remote: VersionAttrs): string | undefined {
  if (copy.size !== 0 && remote.size !== 0 && copy.size !== remote.size) return `size ${copy.size} != ${remote.size} remote`;
  const local = unquote(copy.etag);
  const theirs = unquote(remote.etag);
  if (local && theirs) return local === theirs ? undefined : `ETag ${local} != ${theirs} remote`;
  return `local (ETag:${local}) vs remote (ETag:${theirs})`;
}

/** The remote backend of a remote bucket (only aws has one). */
export function remoteOf(cluster: Cluster, ref: BucketRef): RemoteS3 {
  if (ref.provider !== 'aws' || !cluster.remote) throw missingBackend(ref.provider);
  return cluster.remote;
}

export const isNoSuchKey = (e: unknown): boolean => e instanceof GatewayError && e.code === 'NoSuchKey';

/** The remote's attributes of an object, or undefined when the remote has no such object (HeadCold). */
export async function headRemote(cluster: Cluster, ref: BucketRef, key: string): Promise<RemoteObject | undefined> {
  try {
    return await remoteOf(cluster, ref).headObject(ref.name, key);
  } catch (e) {
    if (isNoSuchKey(e)) return undefined;
    throw e;
  }
}

/** A cached copy checked against the remote (LoadLatest with latest=true). */
export interface Checked {
  copy?: ObjectSummary;
  /** The remote's attributes; undefined when the remote no longer has the object. */
  head?: RemoteObject;
  /** Set when there is a copy and it is not the remote's version (or the remote has none). */
  change?: string;
}

export async function checkAgainstRemote(cluster: Cluster, ref: BucketRef, key: string): Promise<Checked> {
  const copy = await cluster.isCached(ref, key);
  const head = await headRemote(cluster, ref, key);
  if (!copy) return { head };
  if (!head) return { copy, change: 'deleted remotely' };
  return { copy, head, change: versionChange(copy, head) };
}

/**
 * Before a GET with latest-ver (ais/tgtobj.go getObject: CheckRemoteMD, then a cold GET when not equal):
 * a stale copy is read again from the remote; a copy whose remote object is gone is a 404, and is also
 * removed with `sync` (core/ldp.go: rm remotely-deleted). A copy not cached yet is left to the cold GET.
 */
export async function refreshIfChanged(cluster: Cluster, ref: BucketRef, key: string, opts: { sync?: boolean } = {}): Promise<void> {
  if (ref.provider === 'ais' || !(await cluster.isCached(ref, key))) return;
  const checked = await checkAgainstRemote(cluster, ref, key);
  if (!checked.copy) return; // evicted meanwhile: the cold GET reads the latest
  if (!checked.head) {
    if (opts.sync) await cluster.evictObject(ref, key).catch((e) => (isNoSuchKey(e) ? undefined : Promise.reject(e)));
    throw errors.noSuchKey(ref.name, key);
  }
  if (checked.change) await cluster.cacheRemote(ref, key);
}
