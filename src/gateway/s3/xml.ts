// Small XML writer for S3 responses and a bounded parser for S3 request bodies.
import { XMLParser } from 'fast-xml-parser';
import { GatewayError } from '../errors';

export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
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
  processEntities: true,
});

export function parseXml(text: string): Record<string, unknown> {
  if (!text.trim()) throw new GatewayError(400, 'MalformedXML', 'The request body is empty; an XML document was expected');
  let doc: unknown;
  try {
    doc = parser.parse(text, true);
  } catch (e) {
    throw new GatewayError(400, 'MalformedXML', `The XML you provided was not well-formed: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== 'object') throw new GatewayError(400, 'MalformedXML', 'The XML you provided was not well-formed');
  return doc as Record<string, unknown>;
}
