// Small XML writer for S3 responses and a bounded parser for S3 request bodies.
import { XMLParser } from 'fast-xml-parser';
import { GatewayError } from '../errors';

export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };

/** Escapes text for XML. A raw CR would reach the client as LF (XML end-of-line handling): keys keep it as &#13;. */
export function escapeXml(value: string): string {
  return value.replace(/[&<>"'\r]/g, (c) => ENTITIES[c]);
}

/** A node is [tag, text] or [tag, children]; undefined children are skipped, which keeps optional fields easy. */
export type XmlNode = [string, string | number | boolean | XmlNode[]] | undefined;

function render(node: XmlNode, out: string[]): void {
  if (!node) return;
  const [tag, body] = node;
  const name = tag.split(' ', 1)[0]; // a tag may carry attributes: 'Grantee xsi:type="..."'
  if (Array.isArray(body)) {
    out.push(`<${tag}>`);
    for (const child of body) render(child, out);
    out.push(`</${name}>`);
  } else {
    out.push(`<${tag}>${escapeXml(String(body))}</${name}>`);
  }
}

export function xmlDocument(root: string, children: XmlNode[], namespace = true): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>\n', namespace ? `<${root} xmlns="${S3_NS}">` : `<${root}>`];
  for (const child of children) render(child, out);
  out.push(`</${root}>`);
  return out.join('');
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => name === 'Part' || name === 'Object',
  // Entities are decoded below in one pass: the parser leaves numeric references (&#13;, &#x0A;, which
  // the SDKs write for CR, LF, U+0085, U+2028 in keys) undecoded, and decoding them after its own pass
  // would turn a literal "&amp;#13;" into a CR.
  processEntities: false,
});

const XML_ENTITY = /&(?:(amp|lt|gt|quot|apos)|#x([0-9a-fA-F]{1,6})|#([0-9]{1,7}));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeXmlEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(XML_ENTITY, (whole, name: string | undefined, hex: string | undefined, dec: string | undefined) => {
    if (name) return NAMED[name];
    const cp = hex !== undefined ? parseInt(hex, 16) : Number(dec);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp === 0) throw new GatewayError(400, 'MalformedXML', `Invalid character reference ${whole}`);
    return String.fromCodePoint(cp);
  });
}

function decodeTree(value: unknown): unknown {
  if (typeof value === 'string') return decodeXmlEntities(value);
  if (Array.isArray(value)) return value.map(decodeTree);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = decodeTree(v);
    return out;
  }
  return value;
}

export function parseXml(text: string): Record<string, unknown> {
  if (!text.trim()) throw new GatewayError(400, 'MalformedXML', 'The request body is empty; an XML document was expected');
  let doc: unknown;
  try {
    doc = parser.parse(text, true);
  } catch (e) {
    throw new GatewayError(400, 'MalformedXML', `The XML you provided was not well-formed: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== 'object') throw new GatewayError(400, 'MalformedXML', 'The XML you provided was not well-formed');
  return decodeTree(doc) as Record<string, unknown>;
}
