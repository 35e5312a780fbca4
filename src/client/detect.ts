// What kind of server an endpoint is, asked before any credentials are given: AIStore answers its
// unauthenticated `GET /v1/health` with 200 (AuthN does not guard it), any S3 service answers an unsigned
// `GET /` with S3 XML (ListAllMyBucketsResult, or an <Error> such as AccessDenied). Anything else (an HTML
// page, nothing at all) is named as what it is, so Add Cluster can say it on the endpoint's own step.
import { ClientError, ClusterKind, describeAnswer, TlsOptions } from './cluster';
import { HttpTransport, readText } from './http';

export interface DetectedEndpoint {
  kind: ClusterKind;
  /** The endpoint to save: an AIStore gateway's native root even when its /s3 side was typed. */
  endpoint: string;
  /** Amazon's own S3 (virtual-hosted addressing, regions). */
  aws: boolean;
  /** For the step's detail line: "AIStore (answers /v1/health)", "S3 (AccessDenied without keys)". */
  summary: string;
  /** The server wants credentials (S3 said AccessDenied to an unsigned request, AIStore 401 on a listing). */
  needsCredentials?: boolean;
}

export interface DetectOptions {
  tls?: TlsOptions;
  timeoutMs?: number;
}

/** Amazon's S3 endpoints: s3.amazonaws.com, s3.eu-west-1.amazonaws.com, s3.dualstack.…, s3-fips.… */
export function isAwsEndpoint(endpoint: string): boolean {
  try {
    return /(^|\.)s3([.-][a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/i.test(new URL(endpoint).hostname);
  } catch {
    return false;
  }
}

/** The region an AWS endpoint names (s3.eu-west-1.amazonaws.com → eu-west-1), if any. */
export function regionOfAwsEndpoint(endpoint: string): string | undefined {
  try {
    const m = /^s3[.-](?:dualstack\.)?([a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com/i.exec(new URL(endpoint).hostname);
    return m?.[1].toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Asks the endpoint what it is. Rejects with the ClientError of the first request when nothing answers
 * (kind 'unreachable', 'tls', 'timeout'), and with kind 'protocol' when something answers that is
 * neither AIStore nor S3.
 */
export async function detectEndpoint(endpoint: string, options: DetectOptions = {}): Promise<DetectedEndpoint> {
  const typed = endpoint.replace(/\/+$/, '');
  const transport = new HttpTransport({ tls: options.tls, timeoutMs: options.timeoutMs ?? 8000, connectTimeoutMs: options.timeoutMs ?? 8000 });
  try {
    const aws = isAwsEndpoint(typed);
    // A typed ".../s3" is an AIStore gateway's S3 side: its native API is the same address without it.
    const nativeRoot = /\/s3$/i.test(typed) ? typed.slice(0, -3) : typed;
    if (!aws) {
      const health = await get(transport, `${nativeRoot}/v1/health`, typed);
      if (health.status === 200 && !/xml|html/i.test(health.type)) {
        const listing = await get(transport, `${nativeRoot}/v1/buckets`, typed).catch(() => undefined);
        return {
          kind: 'ais',
          endpoint: nativeRoot,
          aws: false,
          summary: 'AIStore (answers /v1/health)',
          needsCredentials: listing?.status === 401 || listing?.status === 403,
        };
      }
    }
    const root = await get(transport, `${typed}/`, typed);
    const s3 = s3Answer(root.text);
    if (s3) {
      const needsCredentials = s3.code === 'AccessDenied' || root.status === 403 || root.status === 401;
      return { kind: 's3', endpoint: typed, aws, summary: needsCredentials ? 'S3 (asks for credentials)' : s3.code ? `S3 (${s3.code})` : 'S3', needsCredentials };
    }
    throw new ClientError(
      'protocol',
      `${typed} answered with ${describeAnswer(root.text, root.type, 'is neither S3 nor AIStore')} (${root.status}): it is not an S3 or AIStore endpoint. Check the address and port.`,
      typed,
      root.status,
    );
  } finally {
    transport.dispose();
  }
}

async function get(transport: HttpTransport, url: string, endpoint: string): Promise<{ status: number; type: string; text: string }> {
  const res = await transport.request({ method: 'GET', url: new URL(url), endpoint, maxRedirects: 2 });
  const text = await readText(res, 64 * 1024);
  return { status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), text };
}

/** S3's XML: a bucket list or an <Error> with a <Code>. */
function s3Answer(text: string): { code?: string } | undefined {
  const body = text.trim();
  if (/<ListAllMyBucketsResult[\s>]/.test(body)) return {};
  const error = /^(?:<\?xml[^>]*>\s*)?<Error>[\s\S]*?<Code>([^<]+)<\/Code>/.exec(body);
  return error ? { code: error[1] } : undefined;
}
