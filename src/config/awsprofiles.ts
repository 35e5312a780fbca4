// The AWS shared config files (~/.aws/config, ~/.aws/credentials) as the aws CLI and the AWS SDK read
// them: which profiles exist, their region, endpoint and addressing, and what kind of credentials each
// has. The SDK's own loader parses the files (so what we list is what its providers will resolve); it
// skips lines it does not understand, so a line scan here reports them, as the aws CLI would refuse them.
// Nothing secret leaves this file: the listing has no secret key, no session token, and the access key
// id only masked.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import type { ParsedIniData } from '@smithy/types';
import { maskAccessKey } from '../common/secrets';
import { displayPath, expandHome } from './homepaths';

export type AwsCredentialKind = 'static' | 'process' | 'sso' | 'assume-role' | 'web-identity' | 'login' | 'none';

export interface AwsProfile {
  name: string;
  /** The files that have a section for it, as shown to users ("~/.aws/config"). */
  sources: string[];
  /** True for the profile AWS_PROFILE names, or "default" when it is unset. */
  current: boolean;
  region?: string;
  /** `endpoint_url` of its [services] section's `s3 =` block, else its own `endpoint_url`. */
  endpointUrl?: string;
  /** `s3 =\n  addressing_style = …` ('auto' is botocore's default: virtual where it can). */
  addressingStyle?: 'virtual' | 'path' | 'auto';
  /** Which of the SDK's providers resolves it, in the SDK's own order (assume-role before static keys). */
  credentialKind: AwsCredentialKind;
  /** 'static': the access key id, masked ("AKIA…WXYZ"). */
  accessKeyId?: string;
  /** One line for a picker: "keys AKIA…WXYZ", "role arn:… via base", "SSO session corp", … */
  description: string;
}

export interface AwsConfigFile {
  /** Absolute path. */
  path: string;
  /** For messages: "~/.aws/config". */
  shown: string;
  exists: boolean;
  /** One sentence: why the file is (partly) ignored. */
  problem?: string;
}

export interface AwsProfilesResult {
  /** Sorted by name, "default" first. */
  profiles: AwsProfile[];
  /** AWS_PROFILE, or "default". */
  current: string;
  files: { config: AwsConfigFile; credentials: AwsConfigFile };
  /** One sentence each (a malformed line, an unreadable file, a missing [services] section, …). */
  problems: string[];
}

/** Where the SDK and the aws CLI look, honouring AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE and HOME. */
export function awsConfigPaths(env: NodeJS.ProcessEnv = process.env): { config: string; credentials: string; home: string } {
  const home = env.HOME || env.USERPROFILE || (env.HOMEPATH ? `${env.HOMEDRIVE ?? `C:${path.sep}`}${env.HOMEPATH}` : '') || os.homedir();
  const expand = (p: string) => expandHome(p, home);
  return {
    config: expand(env.AWS_CONFIG_FILE || path.join(home, '.aws', 'config')),
    credentials: expand(env.AWS_SHARED_CREDENTIALS_FILE || path.join(home, '.aws', 'credentials')),
    home,
  };
}


/** The shared files as the SDK parses them, plus what is wrong with them. */
export interface AwsSharedFiles {
  files: { config: AwsConfigFile; credentials: AwsConfigFile };
  /** Profiles merged as the SDK merges them (credentials file over config file). */
  profiles: ParsedIniData;
  /** [services x] sections, by name. */
  services: ParsedIniData;
  /** Which file has a section for which profile. */
  sectionsIn: { config: Set<string>; credentials: Set<string> };
  problems: string[];
}

export async function readAwsSharedFiles(env: NodeJS.ProcessEnv = process.env): Promise<AwsSharedFiles> {
  const paths = awsConfigPaths(env);
  const problems: string[] = [];
  const config = await inspect(paths.config, displayPath(paths.config, paths.home), true);
  const credentials = await inspect(paths.credentials, displayPath(paths.credentials, paths.home), false);
  for (const f of [config, credentials]) if (f.file.problem) problems.push(f.file.problem);
  // Absolute paths: the loader's own env lookups (process.env) never come into it.
  const loaded = await loadSharedConfigFiles({ configFilepath: paths.config, filepath: paths.credentials, ignoreCache: true });
  const profiles: ParsedIniData = {};
  const services: ParsedIniData = {};
  const sectionsIn = { config: new Set<string>(), credentials: new Set<string>() };
  for (const [key, values] of Object.entries(loaded.configFile)) {
    if (key.startsWith('services.')) services[key.slice('services.'.length)] = values;
    else if (!key.startsWith('sso-session.')) {
      profiles[key] = { ...values };
      sectionsIn.config.add(key);
    }
  }
  for (const [key, values] of Object.entries(loaded.credentialsFile)) {
    profiles[key] = { ...(profiles[key] ?? {}), ...values };
    sectionsIn.credentials.add(key);
  }
  // Sections that hold no setting are not in the parsed data; they are still profiles to the aws CLI.
  for (const [found, into] of [[config, sectionsIn.config], [credentials, sectionsIn.credentials]] as const) {
    for (const name of found.emptySections) {
      profiles[name] ??= {};
      into.add(name);
    }
  }
  return { files: { config: config.file, credentials: credentials.file }, profiles, services, sectionsIn, problems };
}

export async function listAwsProfiles(env: NodeJS.ProcessEnv = process.env): Promise<AwsProfilesResult> {
  const shared = await readAwsSharedFiles(env);
  const { files, profiles, services, sectionsIn } = shared;
  const problems = [...shared.problems];
  const current = env.AWS_PROFILE || 'default';
  const list: AwsProfile[] = [];
  for (const [name, data] of Object.entries(profiles)) {
    const sources = [sectionsIn.config.has(name) ? files.config.shown : '', sectionsIn.credentials.has(name) ? files.credentials.shown : ''].filter(Boolean);
    const profile: AwsProfile = { name, sources, current: name === current, credentialKind: credentialKindOf(data), description: '' };
    if (data.region) profile.region = data.region;
    const ignoreEndpoints = /^true$/i.test(data.ignore_configured_endpoint_urls ?? '');
    let endpoint = ignoreEndpoints ? undefined : data.endpoint_url;
    if (data.services && !ignoreEndpoints) {
      const section = services[data.services];
      if (!section) {
        problems.push(`${files.config.shown}: profile "${name}" names services "${data.services}", but there is no [services ${data.services}] section. Add the section or remove the line.`);
      } else if (section['s3.endpoint_url']) endpoint = section['s3.endpoint_url'];
    }
    if (endpoint) profile.endpointUrl = endpoint;
    const style = data['s3.addressing_style'];
    if (style === 'virtual' || style === 'path' || style === 'auto') profile.addressingStyle = style;
    if (profile.credentialKind === 'static') profile.accessKeyId = maskAccessKey(data.aws_access_key_id!);
    profile.description = describeProfile(profile, data);
    list.push(profile);
  }
  list.sort((a, b) => (a.name === 'default' ? -1 : b.name === 'default' ? 1 : a.name.localeCompare(b.name)));
  if (env.AWS_PROFILE && !profiles[env.AWS_PROFILE]) {
    problems.push(`AWS_PROFILE names profile "${env.AWS_PROFILE}", which is in neither ${files.config.shown} nor ${files.credentials.shown}. Add it, or unset AWS_PROFILE.`);
  }
  return { profiles: list, current, files, problems };
}

/** The SDK's order (credential-provider-ini resolveProfileData): a role to assume wins over keys beside it. */
export function credentialKindOf(data: Record<string, string | undefined> | undefined): AwsCredentialKind {
  if (!data) return 'none';
  if (data.role_arn && (data.source_profile !== undefined) !== (data.credential_source !== undefined)) return 'assume-role';
  if (data.aws_access_key_id !== undefined && data.aws_secret_access_key !== undefined) return 'static';
  if (data.web_identity_token_file && data.role_arn) return 'web-identity';
  if (data.credential_process !== undefined) return 'process';
  if (['sso_start_url', 'sso_account_id', 'sso_session', 'sso_region', 'sso_role_name'].some((k) => data[k] !== undefined)) return 'sso';
  if (data.login_session) return 'login';
  return 'none';
}

function describeProfile(p: AwsProfile, data: Record<string, string | undefined>): string {
  switch (p.credentialKind) {
    case 'static':
      return `keys ${p.accessKeyId}${data.aws_session_token ? ' with a session token' : ''}`;
    case 'process':
      return 'keys from credential_process';
    case 'sso':
      return data.sso_session ? `SSO session ${data.sso_session}` : `SSO ${data.sso_start_url ?? ''}`.trim();
    case 'assume-role':
      return `role ${data.role_arn} via ${data.source_profile ? `profile ${data.source_profile}` : data.credential_source}`;
    case 'web-identity':
      return `role ${data.role_arn} with a web identity token`;
    case 'login':
      return `console sign-in ${data.login_session}`;
    default:
      return 'no credentials';
  }
}

/** What we read of one file ourselves: does it exist, its first malformed line, its sections with no settings. */
async function inspect(file: string, shown: string, isConfig: boolean): Promise<{ file: AwsConfigFile; emptySections: string[] }> {
  const info: AwsConfigFile = { path: file, shown, exists: false };
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { file: info, emptySections: [] };
    info.exists = true;
    info.problem =
      code === 'EISDIR'
        ? `${shown} is a directory, not an AWS ${isConfig ? 'config' : 'credentials'} file: remove it or point ${isConfig ? 'AWS_CONFIG_FILE' : 'AWS_SHARED_CREDENTIALS_FILE'} at the file.`
        : `${shown} cannot be read (${code ?? (err as Error).message}): check its permissions.`;
    return { file: info, emptySections: [] };
  }
  info.exists = true;
  const scan = scanIni(text, isConfig);
  if (scan.badLine) info.problem = `${shown} line ${scan.badLine}: ${scan.why} Fix the line or remove it.`;
  return { file: info, emptySections: scan.emptySections };
}

/**
 * The line structure the aws CLI accepts: [section] headers, key = value settings, indented lines under
 * a key (continuations and `s3 =` sub-settings), comments (# or ;) and blank lines. The first line that
 * is none of these, and the profile sections with no setting at all (the SDK's parser drops them).
 * Messages never quote the line: it may hold a secret.
 */
export function scanIni(text: string, isConfig: boolean): { badLine?: number; why?: string; emptySections: string[] } {
  const lines = text.split(/\r?\n/);
  const empty = new Map<string, boolean>();
  let section: string | undefined;
  let afterKey = false;
  let bad: { badLine: number; why: string } | undefined;
  for (let i = 0; i < lines.length && !bad; i++) {
    const raw = lines[i];
    const trimmed = raw.split(/(^|\s)[;#]/)[0].trim();
    if (!trimmed) continue;
    const at = (why: string) => (bad = { badLine: i + 1, why });
    if (trimmed.startsWith('[')) {
      afterKey = false;
      const name = trimmed.endsWith(']') ? trimmed.slice(1, -1).trim() : undefined;
      if (name === undefined) at('a [section] header without its closing "]".');
      else if (!name) at('a [section] header with no name.');
      else {
        section = name;
        const profile = profileOfSection(name, isConfig);
        if (profile !== undefined && !empty.has(profile)) empty.set(profile, true);
      }
      continue;
    }
    // Indented under a key: a continuation, or a sub-setting of an `s3 =` block.
    if (/^\s/.test(raw) && afterKey) continue;
    const eq = trimmed.indexOf('=');
    if (section === undefined) at('a setting before any [section] header; put it under [default] or [profile NAME].');
    else if (eq === 0) at('a setting with no name before "=".');
    else if (eq < 0) at('neither a [section] header, a "key = value" setting, an indented continuation nor a comment.');
    else {
      afterKey = true;
      const profile = profileOfSection(section, isConfig);
      if (profile !== undefined) empty.set(profile, false);
    }
  }
  const emptySections = [...empty].filter(([, isEmpty]) => isEmpty).map(([name]) => name);
  return { ...(bad ?? {}), emptySections };
}

/** The profile a section header names, as the SDK reads it; undefined for [services x], [sso-session x], … */
function profileOfSection(name: string, isConfig: boolean): string | undefined {
  if (!isConfig) return name;
  if (name === 'default') return name;
  const m = /^profile\s+["']?([^"']+?)["']?$/.exec(name);
  return m ? m[1] : undefined;
}
