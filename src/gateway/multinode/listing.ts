// Listing a bucket across targets, as AIStore's proxy does (ais/plstcx.go, ais/proxy.go listObjects): every
// target lists its own objects from the same position, the proxy merges the pages in name order, keeps
// the first page-size entries, and the next continuation token is the last name kept. Tokens are names
// on every target (a native token is the last name; an S3 V2 token its base64url), so one token resumes
// all of them. A target that is down is not asked: its objects are missing from the listing, as they
// are from a real cluster once keepalive drops the target from the cluster map.
import type * as http from 'node:http';
import { ENTRY, LS, type LsoEntry, type LsoResult } from '../../common/aisapi';
import { splitAtExtension } from '../../common/archive/formats';
import { lsoJson, lsoMsgpack, MAX_PAGE_SIZE } from '../native/wire';
import { compareKeys } from '../store/keys';
import { decodeXmlEntities, escapeXml } from '../s3/xml';
import { Buffered, requestBuffered } from './forward';

/** Asks one target; a target that cannot be reached yields undefined (and is reported down). */
export type AskTarget = (method: string, pathAndQuery: string, headers: http.IncomingHttpHeaders, body?: Buffer) => Promise<Buffered | undefined>;

export interface ListTargets {
  /** One asker per target that is up. */
  askers: AskTarget[];
}

/** Wraps requestBuffered for one target: unreachable → onDown and undefined. */
export function asker(url: string, onDown: (e: Error) => void): AskTarget {
  return async (method, pathAndQuery, headers, body) => {
    try {
      return await requestBuffered(url, method, pathAndQuery, headers, body);
    } catch (e) {
      onDown(e as Error);
      return undefined;
    }
  };
}

const isOk = (b: Buffered) => b.status >= 200 && b.status < 300;

/**
 * GET /v1/buckets/NAME {"action": "list", "value": LsoMsg}: merged over the targets. Answers JSON or msgpack
 * as the client asked; an error from any target is the answer (a partial listing is never passed off as whole).
 */
export async function mergeNativeListing(
  targets: ListTargets,
  req: http.IncomingMessage,
  msg: { action?: string; value?: Record<string, unknown> | null; name?: string },
  provider: string,
): Promise<Buffered> {
  const value = { ...(msg.value ?? {}) };
  const max = MAX_PAGE_SIZE[provider as keyof typeof MAX_PAGE_SIZE] ?? 1000;
  const asked = Number(value.pagesize ?? 0);
  const pageSize = Number.isSafeInteger(asked) && asked > 0 ? Math.min(asked, max) : max;
  value.pagesize = pageSize;
  const body = Buffer.from(JSON.stringify({ ...msg, action: msg.action || 'list', value }));
  const headers = { ...req.headers, accept: 'application/json', 'content-type': 'application/json' };
  const answers = (await Promise.all(targets.askers.map((ask) => ask('GET', req.url ?? '/', headers, body)))).filter((a): a is Buffered => !!a);
  if (!answers.length) throw new Error('no target answered the listing');
  const failed = answers.find((a) => !isOk(a));
  if (failed) return failed;
  const pages = answers.map((a) => JSON.parse(a.body.toString('utf8')) as LsoResult);
  const byName = new Map<string, LsoEntry>();
  let truncated = false;
  for (const p of pages) {
    if (p.continuation_token) truncated = true;
    for (const e of p.entries ?? []) if (!byName.has(e.name)) byName.set(e.name, e);
  }
  // With LsArchDir a shard's members follow the shard (each target lists them so, and resumes so from a
  // token): merged in that order, "s.tar/m" before "s.tar.bak", a page's last name resumes every target.
  const archDir = (Number(value.flags ?? 0) & LS.archDir) !== 0;
  const order = (e: LsoEntry): [string, string] => (archDir && (e.flags ?? 0) & ENTRY.inArch ? splitAtExtension(e.name) : [e.name, '']);
  const all = [...byName.values()].sort((a, b) => {
    const [as, am] = order(a);
    const [bs, bm] = order(b);
    return compareKeys(as, bs) || compareKeys(am, bm);
  });
  const entries = all.slice(0, pageSize);
  if (all.length > pageSize) truncated = true;
  const result: LsoResult = {
    uuid: pages[0].uuid ?? '',
    continuation_token: truncated && entries.length ? entries[entries.length - 1].name : '',
    entries,
    flags: 0,
  };
  if ((req.headers.accept ?? '').includes('application/msgpack')) {
    return { status: 200, headers: { 'content-type': 'application/msgpack' }, body: Buffer.from(lsoMsgpack(result)) };
  }
  return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(lsoJson(result)) };
}

interface S3Item {
  /** The decoded key or prefix: the merge order. */
  name: string;
  xml: string;
}

const tagText = (xml: string, tag: string): string | undefined => {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  return m ? decodeXmlEntities(m[1]) : undefined;
};

/**
 * GET /s3/BUCKET (ListObjects V1 or, with list-type=2, V2): merged over the targets. Contents and
 * CommonPrefixes are kept as each target rendered them; the header is the first target's with the
 * counts, truncation and next marker/token of the merged page.
 */
export async function mergeS3Listing(targets: ListTargets, req: http.IncomingMessage): Promise<Buffered> {
  const url = new URL(req.url ?? '/', 'http://proxy');
  const q = url.searchParams;
  const v2 = q.get('list-type') === '2';
  const urlEncoded = q.get('encoding-type') === 'url';
  const rawMax = q.get('max-keys');
  const maxKeys = rawMax !== null && /^\d+$/.test(rawMax) ? Math.min(Number(rawMax), 1000) : 1000;
  const answers = (await Promise.all(targets.askers.map((ask) => ask('GET', req.url ?? '/', req.headers)))).filter((a): a is Buffered => !!a);
  if (!answers.length) throw new Error('no target answered the listing');
  const failed = answers.find((a) => !isOk(a));
  if (failed) return failed;
  const byName = new Map<string, S3Item>();
  let truncated = false;
  const texts = answers.map((a) => a.body.toString('utf8'));
  for (const xml of texts) {
    if (tagText(xml, 'IsTruncated') === 'true') truncated = true;
    for (const m of xml.matchAll(/<(Contents|CommonPrefixes)>[\s\S]*?<\/\1>/g)) {
      const raw = tagText(m[0], m[1] === 'Contents' ? 'Key' : 'Prefix') ?? '';
      const name = urlEncoded ? decodeURIComponent(raw) : raw;
      if (!byName.has(name)) byName.set(name, { name, xml: m[0] });
    }
  }
  const all = [...byName.values()].sort((a, b) => compareKeys(a.name, b.name));
  const page = all.slice(0, maxKeys);
  if (all.length > maxKeys) truncated = true;
  const last = page.length ? page[page.length - 1].name : undefined;
  // The first target's header (Name, Prefix, Marker, MaxKeys, ...), without what depends on its own page.
  const first = texts[0];
  const open = first.indexOf('<ListBucketResult');
  const bodyStart = first.indexOf('>', open) + 1;
  const header = first
    .slice(bodyStart)
    .replace(/<(Contents|CommonPrefixes)>[\s\S]*?<\/\1>/g, '')
    .replace(/<\/ListBucketResult>[\s\S]*$/, '')
    .replace(/<(KeyCount|IsTruncated|NextMarker|NextContinuationToken)>[\s\S]*?<\/\1>/g, '');
  const enc = (s: string) => escapeXml(urlEncoded ? encodeURIComponent(s).replace(/%2F/g, '/') : s);
  let extra = `<IsTruncated>${truncated && last !== undefined}</IsTruncated>`;
  if (v2) extra = `<KeyCount>${page.length}</KeyCount>` + extra;
  if (truncated && last !== undefined) {
    extra += v2 ? `<NextContinuationToken>${Buffer.from(last, 'utf8').toString('base64url')}</NextContinuationToken>` : `<NextMarker>${enc(last)}</NextMarker>`;
  }
  const xml = first.slice(0, bodyStart) + header + extra + page.map((i) => i.xml).join('') + '</ListBucketResult>';
  return { status: 200, headers: { ...answers[0].headers, 'content-type': answers[0].headers['content-type'] ?? 'application/xml' }, body: Buffer.from(xml) };
}
