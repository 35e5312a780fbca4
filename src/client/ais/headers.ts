// What AIStore's object headers say (cmn/objattrs.go ToHeader): HEAD, GET and PUT answers decoded into
// an ObjectHead, and AIStore's times in the forms it writes them.
import type * as http from 'node:http';
import { Checksum, ObjectHead } from '../cluster';
import { fromUtf8HeaderValue } from '../headerbytes';
import { CUSTOM_KEY, HDR, SYSTEM_CUSTOM_KEYS } from '../../common/aisapi';

/** AIStore times: RFC3339 (what we ask for), RFC822/1123 (its default), or Unix nanoseconds. */
export function parseAisTime(value: string | number | undefined): Date | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'number' || /^\d+$/.test(value)) {
    const n = Number(value);
    // nanoseconds (AIStore's Ais-Atime), else milliseconds
    const ms = n > 1e15 ? n / 1e6 : n;
    const d = new Date(ms);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function header(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

export function headOf(headers: http.IncomingHttpHeaders): ObjectHead {
  const head: ObjectHead = { size: Number(header(headers, 'content-length') ?? 0), userMeta: {} };
  const lastModified = header(headers, 'last-modified');
  const mtime = lastModified ? parseAisTime(lastModified) : parseAisTime(header(headers, HDR.atime));
  if (mtime) head.mtime = mtime;
  const atime = parseAisTime(header(headers, HDR.atime));
  if (atime) head.atime = atime;
  const etag = header(headers, 'etag');
  if (etag) head.etag = etag.replace(/"/g, '');
  const type = header(headers, HDR.checksumType);
  const value = header(headers, HDR.checksumValue);
  if (type && value && type !== 'none') head.checksum = { type, value } satisfies Checksum;
  const version = header(headers, HDR.version);
  if (version) head.version = version;
  const contentType = header(headers, 'content-type');
  if (contentType) head.contentType = contentType;
  // Ais-Custom-Md: repeated "k=v" (joined with ", " by Node)
  const customRaw = header(headers, HDR.customMd);
  const custom = customRaw && fromUtf8HeaderValue(customRaw);
  if (custom) {
    for (const kv of custom.split(/,\s*/)) {
      const i = kv.indexOf('=');
      if (i <= 0) continue;
      const [k, v] = [kv.slice(0, i), kv.slice(i + 1)];
      // The object's own content type (a GET's Content-Type is always octet-stream), as backends and
      // the S3 side keep it; user metadata from S3 as "X-Amz-Meta-Name" (ais/backend/aws.go).
      if (k.toLowerCase() === CUSTOM_KEY.contentType.toLowerCase()) head.contentType = v;
      else if (k.toLowerCase().startsWith('x-amz-meta-')) head.userMeta[k.slice('x-amz-meta-'.length).toLowerCase()] = v;
      // AIStore keeps what it learned from a backend there too (cmn/objattrs.go): not the user's metadata.
      else if (!SYSTEM_CUSTOM_KEYS.has(k)) head.userMeta[k] = v;
    }
  }
  for (const [name, v] of Object.entries(headers)) {
    if (name.startsWith('x-amz-meta-') && typeof v === 'string') head.userMeta[name.slice('x-amz-meta-'.length)] = fromUtf8HeaderValue(v);
  }
  return head;
}
