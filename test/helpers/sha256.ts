// SHA-256 / HMAC-SHA256 in the shape @smithy/signature-v4 takes (a hash constructor), from node:crypto:
// the tests' own signer, a client independent of the gateway's.
import { createHash, createHmac } from 'node:crypto';

type Source = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: Source) => (typeof d === 'string' ? d : ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : new Uint8Array(d));

export class Sha256 {
  private h;
  constructor(secret?: Source) {
    this.h = secret !== undefined ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(d: Source) {
    this.h.update(bytes(d));
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
  reset() {}
}
