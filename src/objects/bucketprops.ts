// Bucket properties as a person reads them: AIStore's props JSON (cmn/api.go Bprops, cmn/config.go) or
// what an S3 endpoint tells, turned into sections of rows with a plain name, the value with its unit and
// what the setting does. Also the checksum choices and the sentence that says what a checksum change
// means. Pure: the properties page (bucketpropspage.ts) and the checksum picker render from this.
import * as l10n from '@vscode/l10n';
import type { BucketProps, ChecksumConf } from '../client/cluster';
import { providerInfo } from '../client/cluster';
import { CHECKSUM_TYPES } from '../common/checksum';
import { formatDate, formatSize } from './format';

export interface PropRow {
  /** The dotted JSON name (`checksum.type`), as AIStore's CLI takes it; stable for tests and the page. */
  id: string;
  label: string;
  value: string;
  explanation: string;
}

export interface PropSection {
  id: string;
  title: string;
  /** A line under the title, when the section as a whole needs one. */
  note?: string;
  rows: PropRow[];
}

export type ChecksumFlag = 'validate_cold_get' | 'validate_warm_get' | 'validate_obj_move' | 'enable_read_range';
export const CHECKSUM_FLAGS: ChecksumFlag[] = ['validate_cold_get', 'validate_warm_get', 'validate_obj_move', 'enable_read_range'];

/** A partial checksum section, as set-bprops takes it. */
export interface ChecksumEdit {
  type?: string;
  validate_cold_get?: boolean;
  validate_warm_get?: boolean;
  validate_obj_move?: boolean;
  enable_read_range?: boolean;
}

// Functions, not constants: l10n.t must run after the bundle is configured (activation).

export function checksumTypeDetail(type: string): string {
  const details: Record<string, string> = {
    xxhash: l10n.t('AIStore\'s default: fast, not cryptographic'),
    xxhash2: l10n.t('XXH64 as well, the same values as xxhash'),
    md5: l10n.t('What S3 clients (s3cmd, aws) compare: the ETag is the MD5'),
    crc32c: l10n.t('CRC-32C (Castagnoli): fast, short'),
    sha256: l10n.t('Cryptographic, slower'),
    sha512: l10n.t('Cryptographic, the slowest'),
    none: l10n.t('No checksums are computed or checked'),
  };
  return details[type] ?? '';
}

export function checksumFlagText(flag: ChecksumFlag): { label: string; detail: string } {
  switch (flag) {
    case 'validate_cold_get':
      return { label: l10n.t('Check on first read from the backend'), detail: l10n.t('Verifies the checksum when an object is fetched from its remote backend (a cold GET).') };
    case 'validate_warm_get':
      return { label: l10n.t('Check on every read'), detail: l10n.t('Verifies the checksum each time an object already in the cluster is read (a warm GET); costs CPU on every read.') };
    case 'validate_obj_move':
      return { label: l10n.t('Check when objects move'), detail: l10n.t('Verifies the checksum when objects migrate or are copied between the cluster\'s nodes.') };
    case 'enable_read_range':
      return { label: l10n.t('Checksum of ranged reads'), detail: l10n.t('A read of part of an object returns the checksum of that part instead of the whole object\'s.') };
  }
}

export interface ChecksumChoice {
  value: string;
  detail: string;
  current: boolean;
}

/** The checksum types, the current one first. */
export function checksumChoices(current: string | undefined): ChecksumChoice[] {
  const all = CHECKSUM_TYPES.map((t) => ({ value: t as string, detail: checksumTypeDetail(t), current: t === current }));
  return [...all.filter((c) => c.current), ...all.filter((c) => !c.current)];
}

const onOff = (v: unknown) => (v ? l10n.t('On') : l10n.t('Off'));

/** Go's time.Duration text ("2h0m", "10m", "1m30s", "500ms") as "2 h", "10 min", "1 min 30 s"; unchanged when it is something else. */
export function formatGoDuration(text: string): string {
  const s = text.trim();
  if (s === '0' || s === '0s') return l10n.t('0 s');
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let ms = 0;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = re.exec(s))) {
    const n = Number(m[1]);
    ms += n * { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ns']!;
    at = re.lastIndex;
  }
  if (at === 0 || at !== s.length) return text;
  if (ms < 1000) return l10n.t('{0} ms', Math.round(ms * 1000) / 1000);
  const parts: string[] = [];
  let left = Math.round(ms / 1000);
  const h = Math.floor(left / 3600);
  left -= h * 3600;
  const min = Math.floor(left / 60);
  const sec = left - min * 60;
  if (h) parts.push(l10n.t('{0} h', h));
  if (min) parts.push(l10n.t('{0} min', min));
  if (sec) parts.push(l10n.t('{0} s', sec));
  return parts.join(' ');
}

const IEC: Record<string, number> = { B: 1, KIB: 2 ** 10, MIB: 2 ** 20, GIB: 2 ** 30, TIB: 2 ** 40, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };

/** A byte count as AIStore sends it (a number, or cos.SizeIEC text such as "1GiB") in bytes; undefined when unreadable. */
export function parseSize(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?\s*$/i.exec(v);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (IEC[(m[2] ?? 'B').toUpperCase()] ?? 1));
}

/** "1GiB" → "1 GiB", 1536 → "1.50 KiB"; text that is not a size as it is. */
export function formatSizeValue(v: unknown): string {
  const n = parseSize(v);
  return n === undefined ? String(v) : formatSize(n);
}

/** AIStore's `created` (Unix nanoseconds, a string on the wire) as a local date and time. */
export function formatCreated(v: unknown): string | undefined {
  const ns = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isFinite(ns) || ns <= 0) return undefined;
  const d = new Date(ns / 1e6);
  return isNaN(d.getTime()) ? undefined : formatDate(d);
}

// apc.AccessAttrs bits in order (api/apc/access.go), with what each lets one do.
function accessNames(): string[] {
  return [
    l10n.t('read objects'), l10n.t('read object properties'), l10n.t('write objects'), l10n.t('append to objects'),
    l10n.t('delete objects'), l10n.t('rename objects'), l10n.t('promote files'), l10n.t('update object metadata'),
    l10n.t('read bucket properties'), l10n.t('list objects'), l10n.t('set bucket properties'), l10n.t('set bucket permissions'),
    l10n.t('list buckets'), l10n.t('view the cluster'), l10n.t('create buckets'), l10n.t('destroy buckets'), l10n.t('rename buckets'), l10n.t('administer the cluster'),
  ];
}

/** The access mask (a decimal uint64, as a string) in words: "Full access", "Read-only", or what it allows. */
export function formatAccess(v: unknown): string {
  let mask: bigint;
  try {
    mask = BigInt(String(v));
  } catch {
    return String(v);
  }
  const names = accessNames();
  const all = (1n << BigInt(names.length)) - 1n;
  if ((mask & all) === all) return l10n.t('Full access');
  if (mask === 0n) return l10n.t('No access');
  const readOnly = 0b1100000011n; // GET, HEAD-OBJECT, HEAD-BUCKET, LIST-OBJECTS
  if (mask === readOnly) return l10n.t('Read-only');
  return names.filter((_, i) => mask & (1n << BigInt(i))).join(', ');
}

// feat.Flags bits in order (cmn/feat/feat.go `Cluster`); a bucket may set the bucket-scope ones.
const FEATURE_NAMES = [
  'Enforce-IntraCluster-Access', 'Skip-Loading-VersionChecksum-MD', 'Do-not-Auto-Detect-FileShare', 'S3-API-via-Root', 'Fsync-PUT',
  'LZ4-Block-1MB', 'LZ4-Frame-Checksum', 'Do-not-Allow-Passing-FQN-to-ETL', 'Ignore-LimitedCoexistence-Conflicts', 'S3-Presigned-Request',
  'Do-not-Optimize-Listing-Virtual-Dirs', 'Disable-Cold-GET', 'Streaming-Cold-GET', 'S3-Reverse-Proxy', 'S3-Use-Path-Style',
  'Do-not-Delete-When-Rebalancing', 'Do-not-Set-Control-Plane-ToS', 'Trust-Crypto-Safe-Checksums', 'S3-ListObjectVersions',
  'Enable-Detailed-Prom-Metrics', 'Force-Container-CPU-Mem', 'Resume-Interrupted-MPU', 'Keep-Unknown-FQN', 'Load-Balance-GET',
  'Count-Object-NotFound-Stats', 'Enable-Go-Runtime-Metrics', 'Dload-Allow-Private-Egress', 'S3-Redirect-Rebuild',
];

export function formatFeatures(v: unknown): string {
  let mask: bigint;
  try {
    mask = BigInt(String(v));
  } catch {
    return String(v);
  }
  if (mask === 0n) return l10n.t('None');
  const names: string[] = [];
  for (let i = 0; mask >> BigInt(i); i++) if (mask & (1n << BigInt(i))) names.push(FEATURE_NAMES[i] ?? l10n.t('bit {0}', i));
  return names.join(', ');
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const has = (v: unknown) => v !== undefined && v !== null && v !== '';

/** Sections AIStore sends that are shown here (the rest go under "Other settings"). */
const KNOWN = new Set(['provider', 'backend_bck', 'created', 'bid', 'renamed', 'access', 'features', 'checksum', 'versioning', 'mirror', 'ec', 'lru', 'chunks', 'write_policy', 'rate_limit', 'extra', 'region']);

export interface BucketPropsContext {
  name: string;
  provider: string;
  namespace?: { uuid: string; name: string };
  /** 'ais': the props are AIStore's; 's3': a plain S3 endpoint's few facts (region, versioning). */
  kind: 'ais' | 's3';
}

/** The sections of the properties page, only those with something to show, in the order a person looks. */
export function bucketPropsSections(props: BucketProps, ctx: BucketPropsContext): PropSection[] {
  const p = props as Json;
  const sections: PropSection[] = [];
  const add = (s: PropSection) => s.rows.length && sections.push(s);

  const general: PropRow[] = [];
  const info = providerInfo(String(p.provider ?? ctx.provider));
  general.push({ id: 'name', label: l10n.t('Name'), value: `${info.scheme}${ctx.name}`, explanation: l10n.t('The bucket as AIStore\'s CLI and s3cmd name it.') });
  general.push({ id: 'provider', label: l10n.t('Provider'), value: info.label, explanation: ctx.kind === 's3' ? l10n.t('A plain S3 endpoint: it has no AIStore properties.') : l10n.t('Where the objects live: AIS buckets in the cluster itself, the others in a cloud bucket the cluster caches.') });
  if (ctx.namespace?.name || ctx.namespace?.uuid) general.push({ id: 'namespace', label: l10n.t('Namespace'), value: ctx.namespace.name || ctx.namespace.uuid, explanation: l10n.t('The remote AIStore cluster this bucket belongs to.') });
  const created = formatCreated(p.created);
  if (created) general.push({ id: 'created', label: l10n.t('Created'), value: created, explanation: l10n.t('When the bucket was created, in local time.') });
  if (typeof p.region === 'string') general.push({ id: 'region', label: l10n.t('Region'), value: p.region, explanation: l10n.t('Where the endpoint keeps this bucket; requests are signed for it.') });
  const backend = obj(p.backend_bck);
  if (backend && has(backend.name)) general.push({ id: 'backend_bck', label: l10n.t('Backend bucket'), value: `${providerInfo(String(backend.provider ?? '')).scheme}${String(backend.name)}`, explanation: l10n.t('The cloud bucket this AIS bucket reads from and writes through to.') });
  const extra = obj(p.extra);
  if (extra && has(extra.custom)) general.push({ id: 'extra.custom', label: l10n.t('Description'), value: String(extra.custom), explanation: l10n.t('A free text the bucket\'s owner set.') });
  if (has(p.access)) general.push({ id: 'access', label: l10n.t('Access'), value: formatAccess(p.access), explanation: l10n.t('What requests to this bucket may do, whoever sends them.') });
  if (has(p.features)) general.push({ id: 'features', label: l10n.t('Feature flags'), value: formatFeatures(p.features), explanation: l10n.t('AIStore behaviours switched on for this bucket only.') });
  add({ id: 'general', title: l10n.t('General'), rows: general });

  const ck = obj(p.checksum);
  if (ck) {
    const rows: PropRow[] = [{ id: 'checksum.type', label: l10n.t('Checksum type'), value: String(ck.type ?? ''), explanation: l10n.t('Computed for every object written; stored with it and returned on reads. {0}', checksumTypeDetail(String(ck.type ?? ''))).trim() }];
    for (const f of CHECKSUM_FLAGS) if (f in ck) rows.push({ id: `checksum.${f}`, label: checksumFlagText(f).label, value: onOff(ck[f]), explanation: checksumFlagText(f).detail });
    add({ id: 'checksum', title: l10n.t('Checksum'), note: l10n.t('A change applies to objects written from then on; existing objects keep the checksum they were stored with.'), rows });
  }

  const ver = obj(p.versioning);
  if (ver) {
    const rows: PropRow[] = [];
    if ('enabled' in ver) rows.push({ id: 'versioning.enabled', label: l10n.t('Versioning'), value: onOff(ver.enabled), explanation: ctx.kind === 's3' ? l10n.t('The endpoint keeps every version of an object that is overwritten or deleted.') : l10n.t('Each object carries a version number that grows with every write.') });
    if ('validate_warm_get' in ver) rows.push({ id: 'versioning.validate_warm_get', label: l10n.t('Check the remote version on read'), value: onOff(ver.validate_warm_get), explanation: l10n.t('Buckets with a remote backend: a read first asks the backend whether the object changed, and fetches it again if so.') });
    if ('synchronize' in ver) rows.push({ id: 'versioning.synchronize', label: l10n.t('Synchronize with the backend'), value: onOff(ver.synchronize), explanation: l10n.t('As above, and objects deleted from the backend are deleted from the cluster too.') });
    add({ id: 'versioning', title: l10n.t('Versioning'), rows });
  }

  const mirror = obj(p.mirror);
  if (mirror) {
    const rows: PropRow[] = [{ id: 'mirror.enabled', label: l10n.t('Mirroring'), value: onOff(mirror.enabled), explanation: l10n.t('Keeps extra copies of every object on other disks of the same node.') }];
    if (mirror.enabled && has(mirror.copies)) rows.push({ id: 'mirror.copies', label: l10n.t('Copies'), value: String(mirror.copies), explanation: l10n.t('How many copies of each object, the original included.') });
    add({ id: 'mirror', title: l10n.t('Mirroring'), rows });
  }

  const ec = obj(p.ec);
  if (ec) {
    const rows: PropRow[] = [{ id: 'ec.enabled', label: l10n.t('Erasure coding'), value: onOff(ec.enabled), explanation: l10n.t('Splits objects into data and parity slices on different nodes, so that the bucket survives losing nodes.') }];
    if (ec.enabled) {
      if (has(ec.data_slices)) rows.push({ id: 'ec.data_slices', label: l10n.t('Data slices'), value: String(ec.data_slices), explanation: l10n.t('How many pieces an object is cut into.') });
      if (has(ec.parity_slices)) rows.push({ id: 'ec.parity_slices', label: l10n.t('Parity slices'), value: String(ec.parity_slices), explanation: l10n.t('How many nodes can be lost without losing data.') });
      if (has(ec.objsize_limit)) {
        const limit = parseSize(ec.objsize_limit);
        const value = limit === 0 ? l10n.t('Every object is sliced') : limit !== undefined && limit < 0 ? l10n.t('Objects are copied, never sliced') : formatSizeValue(ec.objsize_limit);
        rows.push({ id: 'ec.objsize_limit', label: l10n.t('Slice objects from'), value, explanation: l10n.t('Smaller objects are copied whole to the parity nodes instead of sliced.') });
      }
    }
    add({ id: 'ec', title: l10n.t('Erasure coding'), rows });
  }

  const lru = obj(p.lru);
  if (lru) {
    const rows: PropRow[] = [{ id: 'lru.enabled', label: l10n.t('Evict when disks fill up'), value: onOff(lru.enabled), explanation: l10n.t('Removes the least recently used cached copies of remote objects when space runs low; they stay in the backend.') }];
    if (lru.enabled && has(lru.dont_evict_time)) rows.push({ id: 'lru.dont_evict_time', label: l10n.t('Keep after a read for at least'), value: formatGoDuration(String(lru.dont_evict_time)), explanation: l10n.t('An object read this recently is never evicted.') });
    if (lru.enabled && has(lru.capacity_upd_time)) rows.push({ id: 'lru.capacity_upd_time', label: l10n.t('Disk usage checked every'), value: formatGoDuration(String(lru.capacity_upd_time)), explanation: l10n.t('How often the nodes measure free space.') });
    add({ id: 'lru', title: l10n.t('Eviction (LRU)'), rows });
  }

  const chunks = obj(p.chunks);
  if (chunks) {
    const rows: PropRow[] = [];
    if (has(chunks.objsize_limit)) {
      const limit = parseSize(chunks.objsize_limit);
      rows.push({ id: 'chunks.objsize_limit', label: l10n.t('Store in chunks from'), value: limit === 0 ? l10n.t('Never (multipart uploads only)') : formatSizeValue(chunks.objsize_limit), explanation: l10n.t('Objects this large are stored as chunks; multipart uploads always are.') });
    }
    if (has(chunks.chunk_size)) rows.push({ id: 'chunks.chunk_size', label: l10n.t('Chunk size'), value: formatSizeValue(chunks.chunk_size), explanation: l10n.t('The size of each chunk when an object is chunked automatically.') });
    if (has(chunks.max_monolithic_size)) rows.push({ id: 'chunks.max_monolithic_size', label: l10n.t('Largest single-file object'), value: formatSizeValue(chunks.max_monolithic_size), explanation: l10n.t('Larger objects are always stored in chunks.') });
    add({ id: 'chunks', title: l10n.t('Chunks'), rows });
  }

  const wp = obj(p.write_policy);
  if (wp) {
    const policy = (v: unknown) => {
      const s = String(v ?? '');
      if (s === '' || s === 'immediate') return l10n.t('Immediately');
      if (s === 'delayed') return l10n.t('Delayed');
      if (s === 'never') return l10n.t('Never (kept in memory only)');
      return s;
    };
    add({
      id: 'write_policy',
      title: l10n.t('Writes'),
      rows: [
        { id: 'write_policy.data', label: l10n.t('Object data written to disk'), value: policy(wp.data), explanation: l10n.t('When a PUT\'s bytes reach the disk: before the PUT answers, or later.') },
        { id: 'write_policy.md', label: l10n.t('Object metadata written to disk'), value: policy(wp.md), explanation: l10n.t('When an object\'s size, checksum and version are saved.') },
      ],
    });
  }

  const rl = obj(p.rate_limit);
  if (rl) {
    const rows: PropRow[] = [];
    const limit = (which: 'frontend' | 'backend', label: string, explanation: string) => {
      const c = obj(rl[which]);
      if (!c) return;
      const value = c.enabled ? l10n.t('At most {0} requests per {1}', String(c.max_tokens ?? '?'), formatGoDuration(String(c.interval ?? '?'))) : l10n.t('Off');
      rows.push({ id: `rate_limit.${which}`, label, value, explanation });
    };
    limit('frontend', l10n.t('Requests from clients'), l10n.t('Requests beyond the limit are refused with 429 Too Many Requests.'));
    limit('backend', l10n.t('Requests to the backend'), l10n.t('Calls to the remote backend are slowed down and retried to stay under its limit.'));
    add({ id: 'rate_limit', title: l10n.t('Rate limits'), rows });
  }

  if (extra) {
    const rows: PropRow[] = [];
    const aws = obj(extra.aws);
    if (aws) {
      if (has(aws.cloud_region)) rows.push({ id: 'extra.aws.cloud_region', label: l10n.t('AWS region'), value: String(aws.cloud_region), explanation: l10n.t('The region of the S3 bucket behind this one.') });
      if (has(aws.endpoint)) rows.push({ id: 'extra.aws.endpoint', label: l10n.t('S3 endpoint'), value: String(aws.endpoint), explanation: l10n.t('The S3 service the cluster talks to for this bucket instead of AWS.') });
      if (has(aws.profile)) rows.push({ id: 'extra.aws.profile', label: l10n.t('AWS profile'), value: String(aws.profile), explanation: l10n.t('The credentials profile the cluster uses for this bucket.') });
      if (has(aws.multipart_size)) rows.push({ id: 'extra.aws.multipart_size', label: l10n.t('Multipart part size'), value: formatSizeValue(aws.multipart_size), explanation: l10n.t('Uploads to the backend larger than this go in parts of this size.') });
    }
    const gcp = obj(extra.gcp);
    if (gcp && has(gcp.application_creds)) rows.push({ id: 'extra.gcp.application_creds', label: l10n.t('Google credentials file'), value: String(gcp.application_creds), explanation: l10n.t('The service account the cluster uses for this bucket.') });
    const oci = obj(extra.oci);
    if (oci && has(oci.region)) rows.push({ id: 'extra.oci.region', label: l10n.t('OCI region'), value: String(oci.region), explanation: l10n.t('The region of the Oracle Cloud bucket behind this one.') });
    add({ id: 'cloud', title: l10n.t('Cloud backend'), rows });
  }

  const other: PropRow[] = Object.entries(p)
    .filter(([k, v]) => !KNOWN.has(k) && v !== undefined)
    .map(([k, v]) => ({ id: k, label: k, value: typeof v === 'string' ? v : JSON.stringify(v), explanation: l10n.t('Not described here; Show Raw JSON has it as the cluster sent it.') }));
  add({ id: 'other', title: l10n.t('Other settings'), rows: other });
  return sections;
}

/** The checksum section with every flag present (false when the cluster left it out). */
export function fullChecksum(c: ChecksumConf | undefined): Required<ChecksumConf> | undefined {
  if (!c) return undefined;
  return { type: c.type, validate_cold_get: !!c.validate_cold_get, validate_warm_get: !!c.validate_warm_get, validate_obj_move: !!c.validate_obj_move, enable_read_range: !!c.enable_read_range };
}

/** What a checksum change means, in plain sentences: `Objects uploaded to ais://photos from now on get md5 checksums; ...`. */
export function checksumChangeMessage(bucketUri: string, before: ChecksumConf | undefined, after: ChecksumConf | undefined): string {
  const a = fullChecksum(after);
  if (!a) return l10n.t('{0} has no checksum properties.', bucketUri);
  const b = fullChecksum(before);
  const sentences: string[] = [];
  if (!b || b.type !== a.type) {
    sentences.push(
      a.type === 'none'
        ? l10n.t('Objects uploaded to {0} from now on get no checksum; existing objects keep theirs.', bucketUri)
        : l10n.t('Objects uploaded to {0} from now on get {1} checksums; existing objects keep theirs.', bucketUri, a.type),
    );
  }
  for (const f of CHECKSUM_FLAGS) {
    if (b && b[f] === a[f]) continue;
    if (!b && !a[f]) continue;
    sentences.push(flagSentence(f, a[f]));
  }
  if (sentences.length === 0) return l10n.t('Nothing changed: {0} keeps its {1} checksum settings.', bucketUri, a.type);
  return sentences.join(' ');
}

function flagSentence(f: ChecksumFlag, on: boolean): string {
  switch (f) {
    case 'validate_cold_get':
      return on ? l10n.t('Checksums are now verified when an object is first read from the backend.') : l10n.t('Checksums are no longer verified when an object is first read from the backend.');
    case 'validate_warm_get':
      return on ? l10n.t('Checksums are now verified on every read.') : l10n.t('Checksums are no longer verified on every read.');
    case 'validate_obj_move':
      return on ? l10n.t('Checksums are now verified when objects move between nodes.') : l10n.t('Checksums are no longer verified when objects move between nodes.');
    case 'enable_read_range':
      return on ? l10n.t('Ranged reads now return the checksum of the range.') : l10n.t('Ranged reads now return the whole object\'s checksum.');
  }
}
