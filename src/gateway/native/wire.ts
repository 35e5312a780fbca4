// AIStore's wire shapes, built from our store's records. Each shape names the AIStore source it follows
// (repository NVIDIA/aistore); the route handlers only call these. The vocabulary shared with the client
// (flags, header and action names, the list entry) is ../../common/aisapi.ts.
import { encode as msgpackEncode } from '@msgpack/msgpack';
import type { LsoResult } from '../../common/aisapi';
import type { NodeAddr } from '../cluster/nodes';
import type { BucketInfo, BucketProps, BucketRef, ClusterConfig, Provider } from '../store/types';

/** Max page sizes (api/apc/lsmsg.go). */
export const MAX_PAGE_SIZE: Record<Provider, number> = { ais: 10000, aws: 1000, gcp: 1000, azure: 5000, oci: 1000 };

// ---------------------------------------------------------------- headers

/** JSON that is safe in an HTTP header: non-ASCII as \\u escapes (Node refuses other bytes in headers). */
export function headerJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/**
 * A name as raw UTF-8 header bytes, as Go's server writes it (Node takes header strings as Latin-1, so the
 * UTF-8 bytes go in one per character); control characters, which no header may carry, are %-escaped.
 */
export function rawHeaderValue(s: string): string {
  let clean = '';
  for (const c of s) clean += c.charCodeAt(0) < 0x20 || c === '\x7f' ? encodeURIComponent(c) : c;
  return Buffer.from(clean, 'utf8').toString('latin1');
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

export function snode(n: NodeAddr): Record<string, unknown> {
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

/** meta.Smap as JSON (multinode/smap.ts has the several-target one); `version` is `json:",string"`, id_digest a uint64 number. */
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

/** JSON: json tags of LsoEnt, `size` is `json:"size,string,omitempty"`; empty fields are left out. */
export function lsoJson(res: LsoResult): string {
  return JSON.stringify({
    uuid: res.uuid,
    continuation_token: res.continuation_token,
    entries: (res.entries ?? []).map((e) => {
      const o: Record<string, unknown> = { name: e.name };
      if (e.checksum) o.checksum = e.checksum;
      if (e.atime) o.atime = e.atime;
      if (e.version) o.version = e.version;
      if (e.location) o.location = e.location;
      if (e['custom-md']) o['custom-md'] = e['custom-md'];
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
    ContinuationToken: res.continuation_token,
    Entries: (res.entries ?? []).map((e) => {
      const o: Record<string, unknown> = { n: e.name };
      if (e.checksum) o.cs = e.checksum;
      if (e.atime) o.a = e.atime;
      if (e.version) o.v = e.version;
      if (e.location) o.t = e.location;
      if (e['custom-md']) o.m = e['custom-md'];
      if (e.size) o.s = Number(e.size);
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

// ---------------------------------------------------------------- jobs (nl/listener.go, core/xaction_wire.go)

/** What the job wire shapes read of a job (jobengine.ts Job). */
export interface JobView {
  id: string;
  kind: string;
  startTime: number;
  endTime: number;
  objs: number;
  bytes: number;
  err: string;
  aborted: boolean;
  abortErr: string;
  spec: { bck?: BucketRef; src?: BucketRef; dst?: BucketRef; ctlMsg?: string; idles?: boolean };
}

/** Every xaction kind AIStore has (xact/api_table.go Table): a query may name any; others are invalid. */
export const JOB_KINDS: readonly string[] = [
  'election', 'rebalance', 'etl-inline', 'lru', 'cleanup-store', 'summary-bck', 'summary-shard', 'resilver', 'rechunk',
  'index-shard', 'ec-get', 'ec-put', 'ec-resp', 'put-copies', 'archive', 'copy-listrange', 'etl-listrange',
  'blob-download', 'download', 'dsort', 'promote', 'evict-listrange', 'evict-remote-bck', 'delete-listrange',
  'prefetch-listrange', 'ec-encode', 'make-n-copies', 'move-bck', 'copy-bck', 'etl-bck', 'list', 'get-batch',
  'create-inventory', 'load-lom-cache',
];

/** nl.Status: {kind, uuid, err, end_time (Unix ns, 0 while running), aborted}. */
export function jobStatusJson(j: JobView): Record<string, unknown> {
  return { kind: j.kind, uuid: j.id, err: j.err, end_time: j.endTime * 1_000_000, aborted: j.aborted };
}

/** Go's zero time.Time as JSON. */
const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

function bckOrEmpty(ref?: BucketRef): Record<string, unknown> {
  return ref ? bckJson(ref) : { name: '', provider: '', namespace: { uuid: '', name: '' } };
}

/** core.Snap as JSON: times RFC 3339, the stats int64 `,string`, empty buckets as zero cmn.Bck. */
export function jobSnapJson(j: JobView): Record<string, unknown> {
  const snap: Record<string, unknown> = {
    ext: null,
    'start-time': new Date(j.startTime).toISOString(),
    'end-time': j.endTime ? new Date(j.endTime).toISOString() : GO_ZERO_TIME,
    bck: bckOrEmpty(j.spec.bck ?? j.spec.src),
    'src-bck': bckOrEmpty(j.spec.src),
    'dst-bck': bckOrEmpty(j.spec.dst),
    id: j.id,
    kind: j.kind,
  };
  if (j.spec.ctlMsg) snap.ctlmsg = j.spec.ctlMsg;
  Object.assign(snap, {
    'abort-err': j.abortErr,
    err: j.err,
    'glob.id': '0',
    stats: {
      'loc-objs': String(j.objs),
      'loc-bytes': String(j.bytes),
      'out-objs': '0',
      'out-bytes': '0',
      'in-objs': '0',
      'in-bytes': '0',
    },
    aborted: j.aborted,
    // xact.Base.IsIdle is "not running"; a demand job (copy-listrange) is idle once its work is done.
    is_idle: j.endTime !== 0,
  });
  return snap;
}
