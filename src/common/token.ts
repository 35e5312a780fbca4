// The Bearer token the embedded gateway's native API (/v1) accepts when it runs with credentials: AIStore
// clients authenticate with `Authorization: Bearer <token>` (AuthN), not by signing. It is derived from
// the keys, so whoever holds them (the extension, which generated them) can compute it and nobody else can.
import * as crypto from 'node:crypto';

export function nativeToken(c: { accessKey: string; secretKey: string }): string {
  return `aisb1.${crypto.createHmac('sha256', c.secretKey).update(`ais-buckets native token\n${c.accessKey}`).digest('base64url')}`;
}
