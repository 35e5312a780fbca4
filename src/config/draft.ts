// What Add Cluster and Edit Connection collect, step by step, before anything is saved: a draft that
// starts empty (or from the saved cluster being edited) and becomes a ClusterSpec only at the end, so a
// flow that is cancelled or fails changes nothing. Also the short default names clusters get.
import type { ClusterKind } from '../client/cluster';
import { isAwsEndpoint, regionOfAwsEndpoint } from '../client/detect';
import { authOf, AuthMethod, ClusterAuth, ClusterSpec } from './clusters';

export interface ConnectionDraft {
  endpoint: string;
  kind?: ClusterKind;
  method?: AuthMethod;
  accessKey?: string;
  secretKey?: string;
  sessionToken?: string;
  profile?: string;
  /** AIS: a pasted token, or the one AuthN issued at sign-in. */
  authToken?: string;
  tokenFile?: string;
  authnUrl?: string;
  authnUser?: string;
  region?: string;
  addressing?: 'path' | 'virtual';
  name?: string;
  /** The cluster being edited: what the draft does not ask for (TLS, proxy, chunk size, source) carries over. */
  base?: ClusterSpec;
}

/** An auth method as the draft's fields for it (the inverse of what specFromDraft makes of them). */
export function draftAuthFields(auth: ClusterAuth): Pick<ConnectionDraft, 'method' | 'profile' | 'tokenFile' | 'authnUrl' | 'authnUser'> {
  return {
    method: auth.method,
    profile: auth.method === 'profile' ? auth.profile : undefined,
    tokenFile: auth.method === 'tokenFile' ? auth.file : undefined,
    authnUrl: auth.method === 'authn' ? auth.url : undefined,
    authnUser: auth.method === 'authn' ? auth.user : undefined,
  };
}

export function draftFromSpec(spec: ClusterSpec): ConnectionDraft {
  return {
    endpoint: spec.endpoint,
    kind: spec.kind,
    ...draftAuthFields(authOf(spec)),
    accessKey: spec.accessKey,
    secretKey: spec.secretKey,
    sessionToken: spec.sessionToken,
    authToken: spec.authToken,
    region: spec.region,
    addressing: spec.addressing,
    name: spec.name,
    base: spec,
  };
}

/** The spec a finished draft describes: only the secrets of the chosen method are kept. */
export function specFromDraft(draft: ConnectionDraft): ClusterSpec {
  const kind = draft.kind ?? 'ais';
  const method = draft.method ?? (kind === 's3' ? 'anonymous' : 'none');
  const {
    accessKey: _a,
    secretKey: _s,
    sessionToken: _t,
    authToken: _k,
    auth: _auth,
    region: _r,
    addressing: _ad,
    s3Endpoint,
    ...kept
  } = draft.base ?? ({} as Partial<ClusterSpec>);
  const spec: ClusterSpec = {
    ...kept,
    name: (draft.name ?? '').trim(),
    kind,
    endpoint: draft.endpoint,
    ...(kind === 'ais' && s3Endpoint && draft.base?.endpoint === draft.endpoint ? { s3Endpoint } : {}),
  };
  switch (method) {
    case 'keys':
      spec.auth = { method };
      spec.accessKey = draft.accessKey?.trim();
      spec.secretKey = draft.secretKey;
      if (draft.sessionToken) spec.sessionToken = draft.sessionToken.trim();
      break;
    case 'profile':
      spec.auth = { method, profile: draft.profile ?? 'default' };
      break;
    case 'token':
      spec.auth = { method };
      spec.authToken = draft.authToken?.trim();
      break;
    case 'tokenFile':
      spec.auth = { method, file: draft.tokenFile ?? '' };
      break;
    case 'authn':
      spec.auth = { method, url: (draft.authnUrl ?? '').replace(/\/+$/, ''), user: draft.authnUser ?? '' };
      if (draft.authToken) spec.authToken = draft.authToken;
      break;
    default:
      spec.auth = { method };
  }
  if (kind === 's3') {
    const region = draft.region?.trim();
    if (region) spec.region = region;
    const addressing = draft.addressing ?? defaultAddressing(draft.endpoint);
    if (addressing === 'virtual') spec.addressing = 'virtual';
  }
  return spec;
}

/** Amazon wants virtual-hosted requests; everything S3-compatible takes path-style. */
export function defaultAddressing(endpoint: string): 'path' | 'virtual' {
  return isAwsEndpoint(endpoint) ? 'virtual' : 'path';
}

/** The region to offer: the typed one, the endpoint's own (s3.eu-west-1.amazonaws.com), else us-east-1. */
export function defaultRegion(draft: Pick<ConnectionDraft, 'region' | 'endpoint'>, profileRegion?: string): string {
  return draft.region || profileRegion || regionOfAwsEndpoint(draft.endpoint) || 'us-east-1';
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return endpoint;
  }
}

/**
 * A short, tidy default name: "AIStore (10.0.0.5)", "AWS (eu-west-1)", "S3 (minio.lab)"; with `via`,
 * where it came from: "s3cmd (127.0.0.1)", "ais CLI (10.0.0.5)". A profile's own name is used as is.
 */
export function defaultClusterName(options: { kind: ClusterKind; endpoint: string; via?: string; profile?: string; region?: string }): string {
  if (options.profile) return options.profile;
  if (isAwsEndpoint(options.endpoint)) return `AWS (${regionOfAwsEndpoint(options.endpoint) ?? options.region ?? 'us-east-1'})`;
  const host = hostOf(options.endpoint);
  if (options.via) return `${options.via} (${host})`;
  return `${options.kind === 'ais' ? 'AIStore' : 'S3'} (${host})`;
}
