// Import of s3cmd's ~/.s3cfg into a ClusterSpec. s3cmd reads "key = value" lines and keeps everything
// after '=' (a '#' or ';' inside a secret key is part of it); `ini` parses the structure and we take the
// raw value where ini would have cut it at what it thinks is a comment. Errors name the file, the line and
// the key, because the user fixes them in an editor.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ini from 'ini';
import { isAwsEndpoint } from '../client/detect';
import type { ClusterSpec } from './clusters';
import { defaultClusterName } from './draft';
import { displayPath, expandHome } from './homepaths';

export class S3cfgError extends Error {
  override readonly name = 'S3cfgError';
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    readonly key?: string,
  ) {
    super(message);
  }
}

export interface S3cfgImport {
  spec: ClusterSpec;
  /** Things that work but may surprise: an ignored host_bucket, a default that was assumed. */
  warnings: string[];
}

export interface ParseOptions {
  /** Shown in messages and kept as the spec's `source` (default "~/.s3cfg"). */
  fileName?: string;
  /** ini section to read (default "default"; keys before any section count as part of it). */
  section?: string;
  /** Name for the cluster; default derived from the host. */
  name?: string;
}

interface RawEntry {
  line: number;
  value: string;
}

const AWS_HOST = 's3.amazonaws.com';

export function defaultS3cfgPath(): string {
  return path.join(os.homedir(), '.s3cfg');
}

export { displayPath } from './homepaths';

/** Reads and parses an s3cmd config file (default ~/.s3cfg). */
export async function readS3cfgFile(file: string = defaultS3cfgPath(), options: Omit<ParseOptions, 'fileName'> = {}): Promise<S3cfgImport> {
  const shown = displayPath(file);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new S3cfgError(`${shown} does not exist. Run "s3cmd --configure" to create it, or choose another file.`, shown);
    if (code === 'EISDIR') throw new S3cfgError(`${shown} is a directory, not an s3cmd config file.`, shown);
    throw new S3cfgError(`Cannot read ${shown}: ${(err as Error).message}`, shown);
  }
  return parseS3cfg(text, { ...options, fileName: shown });
}

/** Parses .s3cfg text. Throws S3cfgError naming the line and key of the first problem. */
export function parseS3cfg(text: string, options: ParseOptions = {}): S3cfgImport {
  const file = options.fileName ?? '~/.s3cfg';
  const section = options.section ?? 'default';
  const fail = (message: string, entry?: RawEntry, key?: string): never => {
    throw new S3cfgError(`${file}${entry ? ` line ${entry.line}` : ''}: ${message}`, file, entry?.line, key);
  };

  if (text.includes('\u0000')) fail('this is not a text file; choose an s3cmd config file (~/.s3cfg).');
  const raw = scanLines(text, section, fail);
  const parsed = ini.decode(text) as Record<string, unknown>;
  const sectionValues = (parsed[section] && typeof parsed[section] === 'object' ? parsed[section] : {}) as Record<string, unknown>;
  if (raw.size === 0) {
    fail(parsed && Object.keys(parsed).length > 0 ? `no [${section}] section with settings.` : 'no settings found; is this an s3cmd config file?');
  }

  const warnings: string[] = [];
  // ini's value, unless ini cut it at '#' or ';' (s3cmd keeps those).
  const get = (key: string): { value: string; entry: RawEntry } | undefined => {
    const entry = raw.get(key);
    if (!entry) return undefined;
    const fromIni = key in sectionValues ? sectionValues[key] : parsed[key];
    let value = typeof fromIni === 'string' ? fromIni : typeof fromIni === 'boolean' ? String(fromIni) : entry.value;
    if (/[#;]/.test(entry.value)) value = stripQuotes(entry.value);
    return { value: value.trim(), entry };
  };
  const bool = (key: string, dflt: boolean): boolean => {
    const got = get(key);
    if (!got || got.value === '') return dflt;
    const v = got.value.toLowerCase();
    if (['true', 'yes', 'on', '1'].includes(v)) return true;
    if (['false', 'no', 'off', '0'].includes(v)) return false;
    return fail(`${key} must be True or False, not "${got.value}".`, got.entry, key);
  };
  const int = (key: string): number | undefined => {
    const got = get(key);
    if (!got || got.value === '') return undefined;
    if (!/^\d+$/.test(got.value)) fail(`${key} must be a whole number, not "${got.value}".`, got.entry, key);
    return Number(got.value);
  };
  const str = (key: string): string | undefined => {
    const v = get(key)?.value;
    return v ? v : undefined;
  };

  // host_base: s3cmd's default is Amazon; an empty value is a mistake, not a default.
  const hostBase = get('host_base');
  if (hostBase && hostBase.value === '') fail('host_base is empty; set it to the endpoint, e.g. host_base = 10.10.0.1:51080/s3', hostBase.entry, 'host_base');
  if (!hostBase) warnings.push(`${file} has no host_base; assuming Amazon S3 (${AWS_HOST}) as s3cmd does.`);
  const useHttps = bool('use_https', true);
  const base = parseHostBase(hostBase?.value ?? AWS_HOST, useHttps, (m) => fail(m, hostBase?.entry, 'host_base'));
  if (base.explicitScheme && base.explicitScheme !== (useHttps ? 'https' : 'http') && get('use_https')) {
    warnings.push(`host_base says ${base.explicitScheme}:// but use_https = ${useHttps ? 'True' : 'False'}; using ${base.explicitScheme}://.`);
  }

  const hostBucket = get('host_bucket');
  if (hostBucket && hostBucket.value !== '') {
    const template = hostBucket.value;
    const bucketHost = template.replace(/%\(bucket\)s\.?/g, '').replace(/%\(location\)s/g, 'us-east-1');
    const baseNoScheme = (hostBase?.value ?? AWS_HOST).replace(/^https?:\/\//i, '').replace(/\/+$/, '');
    if (!template.includes('%(bucket)s') && bucketHost.replace(/^https?:\/\//i, '').replace(/\/+$/, '') !== baseNoScheme) {
      warnings.push(`host_bucket (${template}) differs from host_base; AIS Buckets sends path-style requests to host_base.`);
    }
  }

  const accessKey = str('access_key');
  const secretKey = str('secret_key');
  if (Boolean(accessKey) !== Boolean(secretKey)) {
    const missing = accessKey ? 'secret_key' : 'access_key';
    const entry = raw.get(missing);
    fail(`${missing} is ${entry ? 'empty' : 'missing'} while ${missing === 'secret_key' ? 'access_key' : 'secret_key'} is set; give both or neither.`, entry, missing);
  }

  const chunk = int('multipart_chunk_size_mb');
  if (chunk !== undefined && (chunk < 5 || chunk > 5120)) {
    fail(`multipart_chunk_size_mb must be from 5 to 5120 (S3 part size limits), not ${chunk}.`, raw.get('multipart_chunk_size_mb'), 'multipart_chunk_size_mb');
  }

  const verify = bool('check_ssl_certificate', true);
  const verifyHostname = bool('check_ssl_hostname', true);
  const caFile = str('ca_certs_file');
  const proxyHost = str('proxy_host');
  let proxy: ClusterSpec['proxy'];
  if (proxyHost) {
    const port = int('proxy_port') ?? 3128;
    if (port < 1 || port > 65535) fail(`proxy_port must be from 1 to 65535, not ${port}.`, raw.get('proxy_port'), 'proxy_port');
    proxy = { host: proxyHost, port };
  }
  const signatureV2 = bool('signature_v2', false);
  const region = regionOf(str('bucket_location'));

  const kind = base.isAis ? 'ais' : 's3';
  const spec: ClusterSpec = {
    name: options.name ?? defaultClusterName({ kind, endpoint: base.isAis ? base.nativeUrl : base.url, via: 's3cmd', region }),
    kind,
    endpoint: base.isAis ? base.nativeUrl : base.url,
    ...(base.isAis ? { s3Endpoint: base.url } : {}),
    ...(accessKey ? { accessKey } : {}),
    ...(secretKey ? { secretKey } : {}),
    ...(region ? { region } : {}),
    ...(chunk !== undefined ? { multipartChunkSizeMb: chunk } : {}),
    tls: { verify, ...(verify && !verifyHostname ? { verifyHostname: false } : {}), ...(caFile ? { caFile: expandHome(caFile) } : {}) },
    ...(proxy ? { proxy } : {}),
    ...(signatureV2 ? { signatureV2 } : {}),
    ...(isAwsEndpoint(base.url) ? { addressing: 'virtual' as const } : {}),
    source: file,
  };
  if (signatureV2) warnings.push('signature_v2 = True: AIS Buckets signs requests with AWS Signature Version 4, which every current S3 service accepts.');
  if (caFile && base.scheme === 'http') warnings.push('ca_certs_file is set but use_https is False; the CA is used only for https.');
  return { spec, warnings };
}

/** Every key of one section with its (last) line, as s3cmd reads them. Lines that are not settings are errors. */
function scanLines(text: string, section: string, fail: (message: string, entry?: RawEntry, key?: string) => never): Map<string, RawEntry> {
  const out = new Map<string, RawEntry>();
  let current: string | undefined; // undefined = before any section header: s3cmd reads those too
  const lines = text.split(/\r?\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const n = i + 1;
    if (/^\s*$/.test(line) || /^\s*[#;]/.test(line)) continue;
    const header = /^\s*\[([^\]]*)\]\s*$/.exec(line);
    if (header) {
      current = header[1].trim();
      continue;
    }
    const setting = /^\s*(\w+)\s*=(.*)$/.exec(line);
    if (!setting) {
      const shown = line.length > 60 ? line.slice(0, 57) + '...' : line;
      fail(`expected "key = value" or "[section]", found "${shown}".`, { line: n, value: line });
    }
    if (current === undefined || current === section) out.set(setting[1], { line: n, value: setting[2].trim() });
  }
  return out;
}

function stripQuotes(value: string): string {
  const v = value.trim();
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

interface HostBase {
  scheme: 'http' | 'https';
  explicitScheme?: 'http' | 'https';
  hostPort: string;
  /** The S3 endpoint exactly as configured (with /s3 for AIS). */
  url: string;
  isAis: boolean;
  /** AIS only: the native API root (same host, path without /s3). */
  nativeUrl: string;
}

function parseHostBase(value: string, useHttps: boolean, fail: (message: string) => never): HostBase {
  const schemeMatch = /^(https?):\/\//i.exec(value);
  const explicitScheme = schemeMatch ? (schemeMatch[1].toLowerCase() as 'http' | 'https') : undefined;
  const scheme = explicitScheme ?? (useHttps ? 'https' : 'http');
  const rest = schemeMatch ? value.slice(schemeMatch[0].length) : value;
  if (/\s/.test(rest)) fail(`host_base "${value}" contains spaces; expected host[:port][/path].`);
  if (rest.includes('%(')) fail(`host_base "${value}" contains a template; only host_bucket may use %(bucket)s.`);
  let url: URL;
  try {
    url = new URL(`${scheme}://${rest}`);
  } catch {
    return fail(`host_base "${value}" is not a host[:port][/path].`);
  }
  if (!url.hostname) fail(`host_base "${value}" has no host name.`);
  const pathPart = url.pathname.replace(/\/+$/, '');
  const isAis = /(^|\/)s3$/i.test(pathPart);
  const origin = `${scheme}://${url.host}`;
  return {
    scheme,
    explicitScheme,
    hostPort: url.host,
    url: origin + pathPart,
    isAis,
    nativeUrl: origin + pathPart.replace(/\/s3$/i, ''),
  };
}

/** s3cmd's bucket_location uses the legacy names US and EU. */
function regionOf(location: string | undefined): string | undefined {
  if (!location) return undefined;
  if (location.toUpperCase() === 'US') return 'us-east-1';
  if (location.toUpperCase() === 'EU') return 'eu-west-1';
  return location;
}

