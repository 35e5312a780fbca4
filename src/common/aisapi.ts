// AIStore's native API vocabulary, shared by the client (src/client/ais/) and the gateway's native API
// (src/gateway/native/), the way AIStore's own api/apc package is shared by its client and its nodes:
// providers and bucket URIs, action names, header names, HEAD V2 props, list flags and entry flags, the
// list entry as it travels, and the custom-metadata format. Each block names the AIStore source it follows
// (repository NVIDIA/aistore). Plain Node: no vscode, nothing of either side.

// ---------------------------------------------------------------- providers (api/apc/provider.go)

/** Backend providers, in AIStore's order (ht: HTTP(S) URLs as a backend). */
export const PROVIDERS = ['ais', 'aws', 'gcp', 'azure', 'oci', 'ht'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** Bucket URI schemes (ToScheme): aws buckets print as s3://. */
const SCHEMES: Record<ProviderName, string> = { ais: 'ais', aws: 's3', gcp: 'gs', azure: 'az', oci: 'oc', ht: 'ht' };

/** The bucket as AIStore names it in messages: "ais://name", "s3://name" (cmn.Bck.Cname). */
export function bucketCname(ref: { provider: string; name: string }): string {
  return `${SCHEMES[ref.provider as ProviderName] ?? ref.provider}://${ref.name}`;
}

/** NormalizeProvider: '' → ais, schemes → providers; undefined when unknown. */
export function normalizeProvider(p: string | null | undefined): ProviderName | undefined {
  switch (p ?? '') {
    case '':
    case 'ais':
      return 'ais';
    case 'aws':
    case 's3':
      return 'aws';
    case 'gcp':
    case 'gs':
      return 'gcp';
    case 'azure':
    case 'az':
      return 'azure';
    case 'oci':
    case 'oc':
      return 'oci';
    case 'ht':
      return 'ht';
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------- actions (api/apc/actmsg.go, const.go)

/** ActMsg.action values. */
export const ACT = {
  list: 'list',
  createBck: 'create-bck',
  destroyBck: 'destroy-bck',
  evictRemoteBck: 'evict-remote-bck',
  setBprops: 'set-bprops',
  resetBprops: 'reset-bprops',
  deleteListRange: 'delete-listrange',
  evictListRange: 'evict-listrange',
  copyListRange: 'copy-listrange',
  prefetchListRange: 'prefetch-listrange',
  /** apc.ActBlobDl: POST /v1/objects/BUCKET with the object's name in ActMsg.name (api/blob.go). */
  blobDownload: 'blob-download',
  copyBck: 'copy-bck',
  summaryBck: 'summary-bck',
  /** apc.ActXactStop: stops jobs (PUT /v1/cluster). */
  stopJob: 'stop',
  deleteObj: 'delete-obj',
  renameObj: 'rename-obj',
  setConfig: 'set-config',
  /** Builds a shard from a bucket's objects (PUT /v1/buckets/NAME, cmn.ArchiveBckMsg). */
  archive: 'archive',
} as const;

// ---------------------------------------------------------------- query params (api/apc/query.go)

/** Query parameters of the remote-cache requests. */
export const QPARAM = {
  /** GET the latest version from the remote (QparamLatestVer); also prefetch's and blob-download's value field. */
  latestVer: 'latest-ver',
  /** With latest-ver: a copy whose remote object is gone is removed too (QparamSync). */
  sync: 'synchronize',
  /** evict-remote-bck: drop the cached objects, keep the bucket and its props (QparamKeepRemote). */
  keepBckMd: 'keep_bck_md',
} as const;

// ---------------------------------------------------------------- shards (api/apc/query.go, cmn/archive)

/** Query parameters of a GET that reads out of a shard: one member (archpath) or many (archregx + archmode). */
export const QPARAM_ARCH = { path: 'archpath', mime: 'archmime', regx: 'archregx', mode: 'archmode' } as const;

/** cmn/archive MatchMode, in AIStore's order (its error message lists them so). */
export const ARCH_MATCH_MODES = ['regexp', 'prefix', 'suffix', 'substr', 'wdskey'] as const;
export type ArchMatchMode = (typeof ARCH_MATCH_MODES)[number];

/** cmn/archive FileExtensions, in the order AIStore tries them. */
export const ARCH_EXTENSIONS = ['.tar', '.tgz', '.tar.gz', '.zip', '.tar.lz4'] as const;
export type ArchExt = (typeof ARCH_EXTENSIONS)[number];

// ---------------------------------------------------------------- headers (api/apc/headers.go)

/** Header names as AIStore writes them (Node lowercases the ones it receives). */
export const HDR = {
  checksumType: 'Ais-Checksum-Type',
  checksumValue: 'Ais-Checksum-Value',
  atime: 'Ais-Atime',
  version: 'Ais-Version',
  customMd: 'Ais-Custom-Md',
  objName: 'Ais-Name',
  bucketName: 'Ais-Bucket-Name',
  bucketProvider: 'Ais-Bucket-Provider',
  present: 'Ais-Present',
  mirrorCopies: 'Ais-Mirror-Copies',
  location: 'Ais-Location',
  bucketProps: 'Ais-Bucket-Props',
  /** cmn.BsummResult of a bucket HEAD with ?bsumm_remote=. */
  bucketSumm: 'Ais-Bucket-Summ',
  xactionId: 'Ais-Xaction-Id',
  /** A failed HEAD's JSON error (cmn/err.go), as the body stays empty. */
  error: 'Hdr-Error',
} as const;

// ---------------------------------------------------------------- HEAD V2 (ais/tgthead.go _objHeadV2)

/** The HEAD V2 props (`?props=`) about the object itself: all a client's ObjectHead holds. */
export const HEAD_V2_OBJECT_PROPS: readonly string[] = ['name', 'size', 'checksum', 'atime', 'version', 'custom', 'last-modified', 'etag'];

/** Every prop a HEAD V2 accepts; any other is a 400. */
export const HEAD_V2_PROPS: readonly string[] = [...HEAD_V2_OBJECT_PROPS, 'location', 'copies', 'ec', 'chunked'];

// ---------------------------------------------------------------- list objects (api/apc/lsmsg.go, cmn/objlist.go)

/** LsoMsg.Flags bits (iota order). */
export const LS = {
  cached: 1 << 0,
  missing: 1 << 1,
  deleted: 1 << 2,
  archDir: 1 << 3,
  nameOnly: 1 << 4,
  nameSize: 1 << 5,
  bckPresent: 1 << 6,
  dontHeadRemote: 1 << 7,
  dontAddRemote: 1 << 8,
  notCached: 1 << 9,
  wantOnlyRemoteProps: 1 << 10,
  noRecursion: 1 << 11,
  diff: 1 << 12,
  noDirs: 1 << 13,
  isS3: 1 << 14,
} as const;

/** LsoEnt.Flags bits (statusBits = 5; status LocOK = 0 in bits 0-4). */
export const ENTRY = {
  isCached: 1 << 6,
  inArch: 1 << 7,
  isDir: 1 << 8,
  isArchive: 1 << 9,
  verChanged: 1 << 10,
  verRemoved: 1 << 11,
  headFail: 1 << 12,
  isChunked: 1 << 13,
} as const;

/** QparamFltPresence values (api/apc/query.go). */
export const PRESENCE = { exists: 0, existsNoProps: 1, present: 2, presentNoProps: 3, presentCluster: 4, existsOutside: 5 } as const;

/** One cmn.LsoEnt as JSON: all but name omitempty; `size` is `json:",string"` (read either way). */
export interface LsoEntry {
  name: string;
  checksum?: string;
  atime?: string;
  version?: string;
  location?: string;
  'custom-md'?: string;
  size?: string | number;
  copies?: number;
  flags?: number;
}

/** cmn.LsoRes as JSON. */
export interface LsoResult {
  uuid?: string;
  continuation_token?: string;
  entries?: LsoEntry[] | null;
  flags?: number;
}

// ---------------------------------------------------------------- custom metadata (cmn/objattrs.go, cmn/objlist_utils.go)

/**
 * What a backend said about an object: its ETag, its modification time in listings and on HEAD, its
 * content type (cos.HdrContentType, where AIStore keeps it when it knows one: ais/backend/aws.go).
 */
export const CUSTOM_KEY = { etag: 'ETag', lastModified: 'LastModified', lastModifiedHeader: 'Last-Modified', contentType: 'Content-Type' } as const;

/** Custom-metadata keys AIStore itself sets (SourceObjMD, ETag, LsoLastModified, ...): not the user's. */
export const SYSTEM_CUSTOM_KEYS = new Set<string>(['source', ...Object.values(CUSTOM_KEY), 'crc32c', 'md5', 'version', 'orig_fntl']);

/** LsoEnt.custom-md as cmn.CustomMD2S writes it: "[ETag:abc LastModified:2023-09-20T21:04:51Z]". */
export function formatCustomMd(kv: [string, string][]): string {
  return `[${kv.map(([k, v]) => `${k}:${v}`).join(' ')}]`;
}

/** "[ETag:abc LastModified:2023-09-20T21:04:51Z]" → { ETag: 'abc', ... }. */
export function parseCustomMd(custom: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!custom) return out;
  const inner = custom.replace(/^\[/, '').replace(/\]$/, '');
  for (const pair of inner.split(' ')) {
    const i = pair.indexOf(':');
    if (i > 0) out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return out;
}
