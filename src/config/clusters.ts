// The cluster registry as pure data: what one cluster entry holds, how an imported entry merges into the
// list, and validation. The extension stores `ClusterSettings` in settings and the keys in SecretStorage;
// nothing here touches either, so all of it is testable in plain Node.
import type { ClusterConnection, ClusterKind } from '../client/cluster';

/**
 * How a cluster proves who the user is. S3: keys typed in (accessKey/secretKey/sessionToken, secrets), an
 * AWS profile of the shared files, the AWS SDK's default chain (environment, ...), or unsigned requests.
 * AIStore: nothing, a token (pasted: a secret; or read from a file, as the `ais` CLI does), or AuthN
 * sign-in (the token it issued is a secret; the password is never kept).
 */
export type ClusterAuth =
  | { method: 'keys' }
  | { method: 'profile'; profile: string }
  | { method: 'environment' }
  | { method: 'anonymous' }
  | { method: 'none' }
  | { method: 'token' }
  | { method: 'tokenFile'; file: string }
  | { method: 'authn'; url: string; user: string };

export type AuthMethod = ClusterAuth['method'];

export interface ClusterSpec {
  /** Unique in the registry; what the tree shows. */
  name: string;
  kind: ClusterKind;
  /** AIS: native API root (http://host:51080). S3: the service endpoint. */
  endpoint: string;
  /** AIS: its S3 side (`${endpoint}/s3` unless imported otherwise). */
  s3Endpoint?: string;
  /** Absent in settings saved before it existed: keys if there are any, else none/anonymous. */
  auth?: ClusterAuth;
  accessKey?: string;
  secretKey?: string;
  /** S3 temporary credentials' session token (secret). */
  sessionToken?: string;
  region?: string;
  /** S3: path-style (default) or virtual-hosted-style requests (AWS itself). */
  addressing?: 'path' | 'virtual';
  multipartChunkSizeMb?: number;
  tls?: { verify: boolean; verifyHostname?: boolean; caFile?: string };
  proxy?: { host: string; port: number };
  signatureV2?: boolean;
  /** Where the entry came from, e.g. "~/.s3cfg"; re-imports from the same file update it. */
  source?: string;
  /** AIS: Bearer token for the native API: pasted, issued by AuthN, or the embedded gateway's (secret). */
  authToken?: string;
}

const SECRET_FIELDS = ['accessKey', 'secretKey', 'sessionToken', 'authToken'] as const;
type SecretField = (typeof SECRET_FIELDS)[number];

/** The part of a ClusterSpec that goes into settings (no keys, no tokens). */
export type ClusterSettings = Omit<ClusterSpec, SecretField>;

export type ClusterSecrets = Partial<Pick<ClusterSpec, SecretField>>;

export function splitSecrets(spec: ClusterSpec): { settings: ClusterSettings; secrets: ClusterSecrets } {
  const settings: Record<string, unknown> = { ...spec };
  const secrets: ClusterSecrets = {};
  for (const field of SECRET_FIELDS) {
    if (spec[field]) secrets[field] = spec[field];
    delete settings[field];
  }
  return { settings: settings as ClusterSettings, secrets };
}

export function joinSecrets(settings: ClusterSettings, secrets: ClusterSecrets | undefined): ClusterSpec {
  const spec: ClusterSpec = { ...settings };
  for (const field of SECRET_FIELDS) if (secrets?.[field]) spec[field] = secrets[field];
  return spec;
}

/** The auth method in effect: the saved one, or what an entry saved before `auth` existed meant. */
export function authOf(spec: ClusterSpec): ClusterAuth {
  if (spec.auth) return spec.auth;
  if (spec.kind === 's3') return spec.accessKey ? { method: 'keys' } : { method: 'anonymous' };
  return spec.authToken ? { method: 'token' } : { method: 'none' };
}

/** What createClusterClient needs to talk to this cluster. */
export function toConnection(spec: ClusterSpec, options: Partial<ClusterConnection> = {}): ClusterConnection {
  return {
    kind: spec.kind,
    endpoint: spec.endpoint,
    s3Endpoint: spec.s3Endpoint,
    accessKey: spec.accessKey,
    secretKey: spec.secretKey,
    sessionToken: spec.sessionToken,
    authToken: spec.authToken,
    region: spec.region,
    addressing: spec.addressing,
    tls: spec.tls ? { ...spec.tls } : undefined,
    proxy: spec.proxy ? { host: spec.proxy.host, port: spec.proxy.port } : undefined,
    ...options,
  };
}

/** Lower-case scheme and host, default port dropped, no trailing slash: two spellings of one endpoint compare equal. */
export function normalizeEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    const path = url.pathname.replace(/\/+$/, '');
    return `${url.protocol}//${url.host}${path}`.toLowerCase();
  } catch {
    return endpoint.trim().replace(/\/+$/, '').toLowerCase();
  }
}

/** Problems that make a spec unusable, as sentences; empty when it is fine. */
export function validateSpec(spec: ClusterSpec): string[] {
  const problems: string[] = [];
  if (!spec.name || !spec.name.trim()) problems.push('The cluster needs a name.');
  if (spec.kind !== 'ais' && spec.kind !== 's3') problems.push(`Kind must be "ais" or "s3", not "${String(spec.kind)}".`);
  for (const [field, value] of [['endpoint', spec.endpoint], ['s3Endpoint', spec.s3Endpoint]] as const) {
    if (value === undefined && field === 's3Endpoint') continue;
    const problem = endpointProblem(value);
    if (problem) problems.push(`${field === 'endpoint' ? 'Endpoint' : 'S3 endpoint'} ${problem}`);
  }
  if (Boolean(spec.accessKey) !== Boolean(spec.secretKey)) problems.push('Give both the access key and the secret key, or neither (anonymous access).');
  if (spec.multipartChunkSizeMb !== undefined && !(Number.isInteger(spec.multipartChunkSizeMb) && spec.multipartChunkSizeMb >= 5 && spec.multipartChunkSizeMb <= 5120)) {
    problems.push('Multipart chunk size must be a whole number of MB from 5 to 5120.');
  }
  if (spec.proxy && (!spec.proxy.host || !(Number.isInteger(spec.proxy.port) && spec.proxy.port > 0 && spec.proxy.port < 65536))) {
    problems.push('The proxy needs a host and a port from 1 to 65535.');
  }
  return problems;
}

function endpointProblem(value: string | undefined): string | undefined {
  if (!value) return 'is empty.';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not a URL (expected e.g. http://10.10.0.1:51080).`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `"${value}" must start with http:// or https://.`;
  if (url.search || url.hash) return `"${value}" must not have a query or fragment.`;
  return undefined;
}

/** `base`, or `base (2)`, `base (3)`, ... whichever is not taken (case-insensitive). */
export function uniqueName(base: string, taken: Iterable<string>): string {
  const names = new Set([...taken].map((n) => n.toLowerCase()));
  if (!names.has(base.toLowerCase())) return base;
  for (let i = 2; ; i++) {
    const candidate = `${base} (${i})`;
    if (!names.has(candidate.toLowerCase())) return candidate;
  }
}

export interface MergeResult {
  clusters: ClusterSpec[];
  action: 'added' | 'updated';
  /** The name the imported cluster has in the list (an updated entry keeps its own name). */
  name: string;
}

/**
 * Merges an imported cluster into the registry. The same endpoint (in any spelling), or the same name
 * imported from the same file, updates that entry in place and keeps the user's name for it; anything
 * else is added under a name no other entry has. The input list is not modified.
 */
export function mergeImported(clusters: readonly ClusterSpec[], imported: ClusterSpec): MergeResult {
  const endpoint = normalizeEndpoint(imported.endpoint);
  // Two AWS profiles on one endpoint are two identities, not one cluster imported twice.
  const profileOf = (c: ClusterSpec) => (c.auth?.method === 'profile' ? c.auth.profile : undefined);
  let index = clusters.findIndex((c) => normalizeEndpoint(c.endpoint) === endpoint && profileOf(c) === profileOf(imported));
  if (index < 0 && imported.source) {
    index = clusters.findIndex((c) => c.source === imported.source && c.name.toLowerCase() === imported.name.toLowerCase());
  }
  if (index >= 0) {
    const existing = clusters[index];
    const updated: ClusterSpec = { ...imported, name: existing.name };
    const next = clusters.slice();
    next[index] = updated;
    return { clusters: next, action: 'updated', name: existing.name };
  }
  const name = uniqueName(imported.name, clusters.map((c) => c.name));
  return { clusters: [...clusters, { ...imported, name }], action: 'added', name };
}

/** Names that occur more than once (case-insensitive): settings edited by hand can have them. */
export function duplicateNames(clusters: readonly ClusterSpec[]): string[] {
  const seen = new Map<string, number>();
  for (const c of clusters) seen.set(c.name.toLowerCase(), (seen.get(c.name.toLowerCase()) ?? 0) + 1);
  return clusters.filter((c, i) => (seen.get(c.name.toLowerCase()) ?? 0) > 1 && clusters.findIndex((d) => d.name.toLowerCase() === c.name.toLowerCase()) === i).map((c) => c.name);
}
