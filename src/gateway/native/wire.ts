// AIStore's wire shapes, built from our store's records. Each shape names the AIStore source it follows
// (repository NVIDIA/aistore); the handler only routes and calls these.
import { encode as msgpackEncode } from '@msgpack/msgpack';
import type { NodeAddr } from '../cluster/nodes';
import type { BucketInfo, BucketProps, BucketRef, ClusterConfig, Provider } from '../store/types';

// ---------------------------------------------------------------- constants (api/apc/*.go)

/** LsoMsg.Flags bits (api/apc/lsmsg.go, iota order). */
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

/** LsoEnt.Flags bits (api/apc/lsmsg.go: statusBits = 5; status LocOK = 0 in bits 0-4). */
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

/** Max page sizes (api/apc/lsmsg.go). */
export const MAX_PAGE_SIZE: Record<Provider, number> = { ais: 10000, aws: 1000, gcp: 1000, azure: 5000, oci: 1000 };

/** Bucket URI schemes (api/apc/provider.go ToScheme): aws buckets print as s3://. */
const SCHEME: Record<Provider, string> = { ais: 'ais', aws: 's3', gcp: 'gs', azure: 'az', oci: 'oc' };

export function bucketCname(ref: BucketRef): string {
  return `${SCHEME[ref.provider]}://${ref.name}`;
}

/** api/apc/provider.go NormalizeProvider: '' → ais, schemes → providers; undefined when unknown. */
export function normalizeProvider(p: string | null | undefined): Provider | undefined {
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
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------- buckets (cmn/bck_wire.go, cmn/api.go)

/** cmn.Bck as JSON: list-buckets replies an array of these. */
export function bckJson(ref: BucketRef): { name: string; provider: string; namespace: { uuid: string; name: string } } {
  return { name: ref.name, provider: ref.provider, namespace: { uuid: '', name: '' } };
}

/**
 * cmn.Bprops as JSON (the `Ais-Bucket-Props` header value). Integers tagged `,string` in Go (bid, created,
 * access, features) travel as strings. Sections we do not implement are left out (a Go client leaves them
 * zero) rather than guessed; mirror and lru carry AIStore's defaults.
 */
export function bpropsJson(info: BucketInfo): Record<string, unknown> {
  const p: BucketProps = info.props;
  return {
    write_policy: { data: '', md: '' },
    provider: info.ref.provider,
    checksum: { ...p.checksum },
    mirror: { copies: 2, burst_buffer: 128, enabled: false },
    lru: { dont_evict_time: '2h0m', capacity_upd_time: '10m', enabled: info.ref.provider !== 'ais' },
    // apc.AccessAll: every access bit set.
    access: '18446744073709551615',
    features: '0',
    bid: String(p.bid),
    created: String(p.created),
    versioning: { ...p.versioning },
  };
}

// ---------------------------------------------------------------- cluster config (cmn/config.go ClusterConfig)

/** `backends`: the remote providers configured (cmn.BackendConf marshals as {provider: conf}). */
export function configJson(cfg: ClusterConfig, version: number, lastUpdated: number, backends: string[] = []): Record<string, unknown> {
  return {
    checksum: { ...cfg.checksum },
    versioning: { enabled: true, validate_warm_get: false, synchronize: false },
    backend: Object.fromEntries(backends.map((p) => [p, {}])),
    uuid: cfg.uuid,
    lastupdate_time: new Date(lastUpdated).toISOString(),
    features: '0',
    config_version: String(version),
  };
}

// ---------------------------------------------------------------- cluster map (core/meta/smap.go, snode_wire.go)

function netInfo(url: string): { node_ip_addr: string; daemon_port: string; direct_url: string } {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return { node_ip_addr: host, daemon_port: u.port, direct_url: url };
}

const DIGEST_MARK = '\u0000digest:';

function snode(n: NodeAddr): Record<string, unknown> {
  const net = netInfo(n.url);
  return {
    public_net: net,
    intra_data_net: net,
    intra_control_net: net,
    daemon_type: n.type,
    daemon_id: n.id,
    flags: 0,
    // uint64 that may exceed 2^53: spliced in as a bare number after JSON.stringify (see smapJson).
    id_digest: DIGEST_MARK + n.digest,
  };
}

/** meta.Smap as JSON; `version` is `json:",string"`, id_digest a uint64 number. */
export function smapJson(opts: { uuid: string; created: Date; version: number; proxy: NodeAddr; target: NodeAddr }): string {
  const proxy = snode(opts.proxy);
  const smap = {
    pmap: { [opts.proxy.id]: proxy },
    proxy_si: proxy,
    tmap: { [opts.target.id]: snode(opts.target) },
    uuid: opts.uuid,
    creation_time: formatGoTime(opts.created, '2006-01-02 15:04:05'),
    version: String(opts.version),
  };
  return JSON.stringify(smap).replace(/"\\u0000digest:(\d+)"/g, '$1');
}

// ---------------------------------------------------------------- list objects (cmn/objlist.go, objlist_gen.go)

/** One cmn.LsoEnt; empty fields are omitted on the wire (omitempty in both JSON and msgpack). */
export interface LsoEntry {
  name: string;
  checksum?: string;
  atime?: string;
  version?: string;
  location?: string;
  custom?: string;
  size?: number;
  copies?: number;
  flags?: number;
}

export interface LsoResult {
  uuid: string;
  continuationToken: string;
  entries: LsoEntry[];
  flags: number;
}

/** JSON: json tags of LsoEnt, `size` is `json:"size,string,omitempty"`. */
export function lsoJson(res: LsoResult): string {
  return JSON.stringify({
    uuid: res.uuid,
    continuation_token: res.continuationToken,
    entries: res.entries.map((e) => {
      const o: Record<string, unknown> = { name: e.name };
      if (e.checksum) o.checksum = e.checksum;
      if (e.atime) o.atime = e.atime;
      if (e.version) o.version = e.version;
      if (e.location) o.location = e.location;
      if (e.custom) o['custom-md'] = e.custom;
      if (e.size) o.size = String(e.size);
      if (e.copies) o.copies = e.copies;
      if (e.flags) o.flags = e.flags;
      return o;
    }),
    flags: res.flags,
  });
}

/** msgpack: msgp keys from objlist_gen.go (LsoRes: UUID, ContinuationToken, Entries, Flags; entries n cs a v t m s c f). */
export function lsoMsgpack(res: LsoResult): Uint8Array {
  return msgpackEncode({
    UUID: res.uuid,
    ContinuationToken: res.continuationToken,
    Entries: res.entries.map((e) => {
      const o: Record<string, unknown> = { n: e.name };
      if (e.checksum) o.cs = e.checksum;
      if (e.atime) o.a = e.atime;
      if (e.version) o.v = e.version;
      if (e.location) o.t = e.location;
      if (e.custom) o.m = e.custom;
      if (e.size) o.s = e.size;
      if (e.copies) o.c = e.copies;
      if (e.flags) o.f = e.flags;
      return o;
    }),
    Flags: res.flags,
  });
}

// ---------------------------------------------------------------- time (cmn/cos/time_format.go)

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * Formats a UTC time with a Go reference layout ("02 Jan 06 15:04 MST" is RFC822, AIStore's default for
 * LsoMsg.time_format). Covers the tokens Go's standard layouts use; sub-second precision follows the
 * nanoseconds given.
 */
export function formatGoTime(d: Date, layout: string, nanos?: bigint): string {
  const ns = nanos !== undefined ? Number(nanos % 1_000_000_000n) : d.getUTCMilliseconds() * 1e6;
  const frac = (digits: number, trim: boolean) => {
    let s = pad(ns, 9).slice(0, digits);
    if (trim) s = s.replace(/0+$/, '');
    return s ? '.' + s : '';
  };
  const h = d.getUTCHours();
  const tokens: [string, () => string][] = [
    ['January', () => MONTHS[d.getUTCMonth()]],
    ['Monday', () => DAYS[d.getUTCDay()]],
    ['2006', () => pad(d.getUTCFullYear(), 4)],
    ['Z07:00', () => 'Z'],
    ['-07:00', () => '+00:00'],
    ['Z0700', () => 'Z'],
    ['-0700', () => '+0000'],
    ['.000000000', () => frac(9, false)],
    ['.999999999', () => frac(9, true)],
    ['.000000', () => frac(6, false)],
    ['.999999', () => frac(6, true)],
    ['.000', () => frac(3, false)],
    ['.999', () => frac(3, true)],
    ['Jan', () => MONTHS[d.getUTCMonth()].slice(0, 3)],
    ['Mon', () => DAYS[d.getUTCDay()].slice(0, 3)],
    ['MST', () => 'UTC'],
    ['_2', () => String(d.getUTCDate()).padStart(2, ' ')],
    ['01', () => pad(d.getUTCMonth() + 1)],
    ['02', () => pad(d.getUTCDate())],
    ['03', () => pad(h % 12 || 12)],
    ['04', () => pad(d.getUTCMinutes())],
    ['05', () => pad(d.getUTCSeconds())],
    ['06', () => pad(d.getUTCFullYear() % 100)],
    ['15', () => pad(h)],
    ['PM', () => (h < 12 ? 'AM' : 'PM')],
    ['pm', () => (h < 12 ? 'am' : 'pm')],
    ['1', () => String(d.getUTCMonth() + 1)],
    ['2', () => String(d.getUTCDate())],
    ['3', () => String(h % 12 || 12)],
    ['4', () => String(d.getUTCMinutes())],
    ['5', () => String(d.getUTCSeconds())],
  ];
  let out = '';
  let i = 0;
  outer: while (i < layout.length) {
    for (const [tok, fn] of tokens) {
      if (layout.startsWith(tok, i)) {
        out += fn();
        i += tok.length;
        continue outer;
      }
    }
    out += layout[i++];
  }
  return out;
}

/** Go's time.RFC822, AIStore's default list-objects time format. */
export const RFC822 = '02 Jan 06 15:04 MST';

/** Ms-since-epoch → Unix nanoseconds as a decimal string (cmn/objattrs.go unixNano2S, header Ais-Atime). */
export function unixNanos(ms: number): string {
  return (BigInt(Math.round(ms)) * 1_000_000n).toString();
}
