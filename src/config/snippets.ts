// How other tools reach a cluster, as text to copy: its endpoints, the access key, an .s3cfg section, aws
// CLI environment or profile lines, the `ais` CLI command. Each snippet has a preview with the secret
// masked (what a screen shows) and the text with it (what the clipboard gets). Plain data: a unit test
// feeds the snippets to the real s3cmd and aws CLI.
import * as l10n from '@vscode/l10n';
import { authOf, type ClusterSpec } from './clusters';

/** The embedded gateway's cluster name (registry.ts LOCAL_CLUSTER). */
const LOCAL_CLUSTER = 'local';

export interface ConnectionSnippet {
  id: 'native' | 's3' | 'accessKey' | 's3cfg' | 'awsEnv' | 'awsProfile' | 'aisCli';
  label: string;
  /** What the row shows: the text with the secret masked. */
  preview: string;
  /** What Copy puts on the clipboard. */
  text: string;
}

function hostPortPath(url: string): { hostPort: string; https: boolean } {
  const u = new URL(url);
  return { hostPort: `${u.host}${u.pathname.replace(/\/+$/, '')}`, https: u.protocol === 'https:' };
}

const mask = (secret: string) => (secret ? `${'•'.repeat(8)}${secret.length > 12 ? secret.slice(-2) : ''}` : '');

/** The snippets for one cluster, from its spec (keys included). Pure: a test checks what they say. */
export function connectionSnippets(spec: ClusterSpec): ConnectionSnippet[] {
  const s3 = spec.kind === 'ais' ? spec.s3Endpoint ?? `${spec.endpoint}/s3` : spec.endpoint;
  const out: ConnectionSnippet[] = [];
  if (spec.kind === 'ais') out.push({ id: 'native', label: l10n.t('AIStore endpoint (native API)'), preview: spec.endpoint, text: spec.endpoint });
  out.push({ id: 's3', label: l10n.t('S3 endpoint'), preview: s3, text: s3 });
  const keys = spec.accessKey && spec.secretKey ? { accessKey: spec.accessKey, secretKey: spec.secretKey } : undefined;
  if (keys) out.push({ id: 'accessKey', label: l10n.t('Access key'), preview: keys.accessKey, text: keys.accessKey });
  const { hostPort, https } = hostPortPath(s3);
  const region = spec.region ?? 'us-east-1';
  const s3cfg = (secret: string) =>
    [
      '[default]',
      ...(keys ? [`access_key = ${keys.accessKey}`, `secret_key = ${secret}`] : []),
      `host_base = ${hostPort}`,
      `host_bucket = ${spec.addressing === 'virtual' ? `%(bucket)s.${hostPort}` : hostPort}`,
      `bucket_location = ${region}`,
      `use_https = ${https ? 'True' : 'False'}`,
      '',
    ].join('\n');
  out.push({ id: 's3cfg', label: l10n.t('.s3cfg section (s3cmd)'), preview: s3cfg(mask(keys?.secretKey ?? '')).split('\n').filter((l) => l.trim() && !l.startsWith('#')).join(' · '), text: s3cfg(keys?.secretKey ?? '') });
  const env = (secret: string) =>
    [
      ...(keys ? [`export AWS_ACCESS_KEY_ID=${keys.accessKey}`, `export AWS_SECRET_ACCESS_KEY=${secret}`] : []),
      `export AWS_ENDPOINT_URL=${s3}`,
      `export AWS_DEFAULT_REGION=${region}`,
      // The aws CLI before 1.29 / 2.13 (Debian 12 has 1.27) ignores AWS_ENDPOINT_URL; the flag works in all.
      `alias aws='aws --endpoint-url ${s3}'`,
      '',
    ].join('\n');
  out.push({ id: 'awsEnv', label: l10n.t('aws CLI environment'), preview: env(mask(keys?.secretKey ?? '')).split('\n').filter((l) => l.trim() && !l.startsWith('#')).join(' · '), text: env(keys?.secretKey ?? '') });
  const profileName = spec.name === LOCAL_CLUSTER ? 'ais-local' : spec.name.replace(/[^A-Za-z0-9_-]+/g, '-').toLowerCase();
  const profile = (secret: string) =>
    [
      `# ~/.aws/config`,
      `[profile ${profileName}]`,
      `region = ${region}`,
      `endpoint_url = ${s3}`,
      ...(spec.addressing !== 'virtual' ? ['s3 =', '  addressing_style = path'] : []),
      ...(keys ? ['', `# ~/.aws/credentials`, `[${profileName}]`, `aws_access_key_id = ${keys.accessKey}`, `aws_secret_access_key = ${secret}`] : []),
      '',
      // endpoint_url in the config needs the aws CLI 1.29 / 2.13 or later; the flag works in all.
      `# then: aws --profile ${profileName} --endpoint-url ${s3} s3 ls`,
      '',
    ].join('\n');
  out.push({ id: 'awsProfile', label: l10n.t('aws CLI profile (then: aws --profile {0} s3 ls)', profileName), preview: profile(mask(keys?.secretKey ?? '')).split('\n').filter((l) => l.trim() && !l.startsWith('#')).join(' · '), text: profile(keys?.secretKey ?? '') });
  if (spec.kind === 'ais') {
    const auth = authOf(spec);
    const cmd = [`AIS_ENDPOINT=${spec.endpoint}`, ...(auth.method === 'authn' ? [`AIS_AUTHN_URL=${auth.url}`] : []), ...(auth.method === 'tokenFile' ? [`AIS_AUTHN_TOKEN_FILE=${auth.file}`] : []), 'ais ls'].join(' ');
    out.push({ id: 'aisCli', label: l10n.t('ais CLI command'), preview: cmd, text: cmd });
  }
  return out;
}

