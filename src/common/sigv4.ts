// Pieces of AWS Signature V4 that both sides use (vscode-free): the gateway checks signatures with the
// SDK's SignatureV4, the S3 client's direct path signs with it, and both need its hash over node:crypto
// and RFC 3986 escaping as SigV4 canonicalizes a path segment or a query.
import * as crypto from 'node:crypto';

type SourceData = string | ArrayBuffer | ArrayBufferView;

const bytes = (d: SourceData): string | Uint8Array =>
  typeof d === 'string' ? d : ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : new Uint8Array(d);

/** SHA-256, or HMAC-SHA256 with a secret, from node:crypto: the hash constructor SignatureV4 takes (`sha256`). */
export class NodeSha256 {
  private h: crypto.Hash | crypto.Hmac;
  constructor(private readonly secret?: SourceData) {
    this.h = this.make();
  }
  private make() {
    return this.secret !== undefined ? crypto.createHmac('sha256', bytes(this.secret)) : crypto.createHash('sha256');
  }
  update(data: SourceData): void {
    this.h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {
    this.h = this.make();
  }
}

/** RFC 3986 escaping of one component (everything but unreserved characters), as SigV4 and the AWS SDK escape. */
export const uriEscape = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
