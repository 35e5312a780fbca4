// Where an object lives: as a path the `ais:` FileSystemProvider understands, and as the short
// ais://bucket/key a user reads. No vscode import: the extension maps these to vscode.Uri, the tests use
// them as they are.
//
// The scheme is `ais`, one for every cluster, whatever speaks behind it (AIStore or plain S3):
//
//     ais://CLUSTER/PROVIDER/BUCKET/key/with/slashes
//
// `s3:` would read better for S3 endpoints, but other extensions (the AWS Toolkit among them) already
// register a file system for it, and two providers of one scheme cannot coexist. `ais` names our own
// thing, and carrying the cluster in the authority lets one window hold buckets of many clusters. The
// provider segment is AIStore's provider name (ais, aws, gcp, ..., `s3` for plain S3 endpoints); a bucket
// of an attached remote AIS cluster writes its namespace there as `ais@UUID#NAME` (AIStore's CLI writes
// `ais://@UUID#NAME/bucket`). Object keys are not paths: a key with an empty segment ('a//b', a leading
// '/') cannot be addressed here, and listings leave such keys out.
//
// Cluster names are the user's own ("AIS 127.0.0.1:46367", "Prod – EU"), but an authority is not a place
// for them: VS Code lowercases a URI's host when it prints the URI, and ':' and '@' split an authority into
// host, port and user. A name that is plain lowercase stays readable as it is; any other rides as '~' and
// the hex of its UTF-8 (clusterAuthority), which survives lowercasing and parses back to the same name.
import { providerInfo, type BucketRef } from '../client/cluster';

export const FS_SCHEME = 'ais';

export interface FsLocation {
  cluster: string;
  /** Absent at the cluster root (lists providers). */
  provider?: string;
  /** Absent at a cluster or provider level. */
  bucket?: BucketRef;
  /** '' for the bucket itself; never starts or ends with '/'. */
  key: string;
}

const PLAIN_NAME = /^[a-z0-9][a-z0-9._-]*$/;
const ENCODED_NAME = /^~((?:[0-9a-f]{2})+)$/i;

/** A cluster's name as a URI authority that VS Code keeps intact. */
export function clusterAuthority(name: string): string {
  if (PLAIN_NAME.test(name)) return name;
  return `~${Array.from(new TextEncoder().encode(name), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The cluster name an authority stands for (inverse of clusterAuthority). */
export function clusterOfAuthority(authority: string): string {
  const hex = ENCODED_NAME.exec(authority)?.[1];
  if (!hex) return authority;
  const bytes = new Uint8Array(hex.length / 2).map((_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
  return new TextDecoder().decode(bytes);
}

/** Parses the authority and path of an `ais:` URI. */
export function parseFsPath(authority: string, path: string): FsLocation {
  const cluster = clusterOfAuthority(authority);
  const parts = path.split('/').filter((p, i) => i > 0 || p !== '');
  // a trailing '/' names the same thing as without it
  while (parts.length && parts[parts.length - 1] === '') parts.pop();
  if (parts.length === 0) return { cluster, key: '' };
  const providerPart = parts[0];
  const at = providerPart.indexOf('@');
  const provider = at < 0 ? providerPart : providerPart.slice(0, at);
  let namespace: { uuid: string; name: string } | undefined;
  if (at >= 0) {
    const ns = providerPart.slice(at + 1);
    const hash = ns.indexOf('#');
    namespace = hash < 0 ? { uuid: ns, name: '' } : { uuid: ns.slice(0, hash), name: ns.slice(hash + 1) };
  }
  if (parts.length === 1) return { cluster, provider, key: '' };
  const bucket: BucketRef = { name: parts[1], provider, ...(namespace ? { namespace } : {}) };
  return { cluster, provider, bucket, key: parts.slice(2).join('/') };
}

/** The authority and path of a location (inverse of parseFsPath). */
export function formatFsPath(loc: { cluster: string; bucket: BucketRef; key?: string }): { authority: string; path: string } {
  const ns = loc.bucket.namespace ? `@${loc.bucket.namespace.uuid}#${loc.bucket.namespace.name}` : '';
  const key = (loc.key ?? '').replace(/\/+$/, '');
  return { authority: clusterAuthority(loc.cluster), path: `/${loc.bucket.provider}${ns}/${loc.bucket.name}${key ? '/' + key : ''}` };
}

/** `ais://CLUSTER/PROVIDER/BUCKET/key` as text, as VS Code writes the URI (CLUSTER as clusterAuthority). */
export function fsUriString(loc: { cluster: string; bucket: BucketRef; key?: string }): string {
  const { authority, path } = formatFsPath(loc);
  return `${FS_SCHEME}://${encodeURIComponent(authority)}${path.split('/').map(encodeURIComponent).join('/')}`;
}

/** The `ais:` URI of a location as a person reads it (the cluster by its own name), a cluster or provider
 * level included: what messages name. */
export function locationUri(loc: FsLocation): string {
  if (!loc.bucket) return `${FS_SCHEME}://${loc.cluster}/${loc.provider ?? ''}`;
  const { path } = formatFsPath({ cluster: loc.cluster, bucket: loc.bucket, key: loc.key });
  return `${FS_SCHEME}://${encodeURIComponent(loc.cluster)}${path.split('/').map(encodeURIComponent).join('/')}`;
}

/** ais://bucket/key, s3://bucket/key, gs://...: what AIStore's CLI and s3cmd call it. */
export function objectUri(bucket: BucketRef, key = ''): string {
  return `${providerInfo(bucket.provider).scheme}${bucket.name}${key ? '/' + key : ''}`;
}

// A member of a shard opens read-only under its own scheme, a path that ends with the member's name (the
// editor's title) and the member as the query, which says exactly where the shard's key ends:
//
//     ais-shard://CLUSTER/PROVIDER/BUCKET/shard.tar/dir/0001.json?member=dir%2F0001.json
export const SHARD_SCHEME = 'ais-shard';

export interface MemberLocation {
  cluster: string;
  bucket: BucketRef;
  /** The shard's object key. */
  shard: string;
  /** The member's name inside the shard. */
  member: string;
}

export function formatMemberPath(loc: MemberLocation): { authority: string; path: string; query: string } {
  const { authority, path } = formatFsPath({ cluster: loc.cluster, bucket: loc.bucket, key: loc.shard });
  return { authority, path: `${path}/${loc.member.replace(/^\/+/, '')}`, query: new URLSearchParams({ member: loc.member }).toString() };
}

/** The member a `ais-shard:` URI names; undefined when it is not one of ours. */
export function parseMemberPath(authority: string, path: string, query: string): MemberLocation | undefined {
  const member = new URLSearchParams(query).get('member');
  if (member === null) return undefined;
  const tail = `/${member.replace(/^\/+/, '')}`;
  if (!path.endsWith(tail)) return undefined;
  const loc = parseFsPath(authority, path.slice(0, path.length - tail.length));
  if (!loc.bucket || !loc.key) return undefined;
  return { cluster: loc.cluster, bucket: loc.bucket, shard: loc.key, member };
}
