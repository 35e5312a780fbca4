// Credentials for an S3 cluster from an AWS profile or from the environment, resolved the way the aws
// CLI and the AWS SDK resolve them, and one sentence for every way that fails. The SDK's providers do
// the work (fromIni: static keys, SSO, assume-role, web identity; fromNodeProviderChain for the
// environment); a profile's own credential_process is run here instead, because the SDK runs it with
// exec and no time limit: a process that hangs would hang the connection and stay behind. Here it is
// killed after timeoutMs, and its exit code and first stderr line make the message.
import { spawn } from 'node:child_process';
import { fromIni, fromNodeProviderChain, fromSSO } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { AuthProblem } from '../client/cluster';
import { redactSecrets } from '../common/secrets';
import { awsConfigPaths, credentialKindOf, readAwsSharedFiles, type AwsCredentialKind } from './awsprofiles';

export const DEFAULT_CREDENTIAL_TIMEOUT_MS = 15_000;

export type AwsCredentialReason =
  | 'no-profile' // the profile is in neither file
  | 'no-credentials' // the profile exists and holds nothing to sign with
  | 'process-failed' // credential_process exited non-zero or printed no valid credentials
  | 'process-timeout'
  | 'sso-login' // no SSO token, or it expired: `aws sso login`
  | 'mfa' // assume-role with mfa_serial: we cannot ask for the code
  | 'assume-role' // STS refused or could not be reached
  | 'environment' // the default chain found nothing
  | 'timeout'
  | 'other';

/** A credential failure already described: `message` is the one sentence to show; no secret in it. */
export class AwsCredentialError extends Error {
  override readonly name = 'AwsCredentialError';
  constructor(
    message: string,
    readonly reason: AwsCredentialReason,
    readonly authProblem: AuthProblem,
    readonly profile?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ProfileCredentialOptions {
  /** Where the files are (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, HOME); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Give up (and kill a credential_process) after this long; default 15 s. */
  timeoutMs?: number;
}

/**
 * The credentials of one profile of the shared files, read afresh each time the SDK asks (it asks once,
 * and again when temporary credentials near their expiry). Fails with an AwsCredentialError.
 * SSO's token cache (~/.aws/sso/cache) is where the SDK looks: under this process's HOME.
 */
export function profileCredentials(profile: string, opts: ProfileCredentialOptions = {}): AwsCredentialIdentityProvider {
  const env = opts.env ?? process.env;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_CREDENTIAL_TIMEOUT_MS;
  return async (props) => {
    let kind: AwsCredentialKind = 'none';
    try {
      const shared = await readAwsSharedFiles(env);
      const data = shared.profiles[profile];
      if (!data) {
        const names = Object.keys(shared.profiles).sort();
        const where = `${shared.files.config.shown} or ${shared.files.credentials.shown}`;
        const known = names.length ? `; the profiles there are ${names.map((n) => `"${n}"`).join(', ')}` : ', which have no profiles';
        throw new AwsCredentialError(`There is no AWS profile "${profile}" in ${where}${known}. Choose one of them, or add it with \`aws configure --profile ${profile}\`.`, 'no-profile', 'no-credentials', profile);
      }
      kind = credentialKindOf(data);
      if (kind === 'none') {
        throw new AwsCredentialError(
          `AWS profile "${profile}" has no credentials (no keys, credential_process, SSO or role): add them with \`aws configure --profile ${profile}\`, or choose another profile.`,
          'no-credentials',
          'no-credentials',
          profile,
        );
      }
      if (kind === 'process') return await runCredentialProcess(data.credential_process!, { profile, env, timeoutMs, accountId: data.aws_account_id });
      const paths = awsConfigPaths(env);
      const files = { profile, configFilepath: paths.config, filepath: paths.credentials, ignoreCache: true };
      // fromIni hands SSO profiles to fromSSO without the file paths; given directly, it reads ours.
      const provider = kind === 'sso' ? fromSSO(files) : fromIni(files);
      return await withTimeout(provider(props), timeoutMs, () => new AwsCredentialError(`Getting the credentials of AWS profile "${profile}" (${kind}) took longer than ${seconds(timeoutMs)}: check the network and retry.`, 'timeout', 'no-credentials', profile));
    } catch (err) {
      throw asCredentialError(err, profile, kind);
    }
  };
}

/** The AWS SDK's default chain (environment variables, AWS_PROFILE, SSO, web identity, container, instance metadata). */
export function environmentCredentials(opts: { timeoutMs?: number } = {}): AwsCredentialIdentityProvider {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_CREDENTIAL_TIMEOUT_MS;
  const chain = fromNodeProviderChain({ ignoreCache: true });
  return async (props) => {
    try {
      return await withTimeout(chain(props), timeoutMs, () => new AwsCredentialError(`Looking for AWS credentials in the environment took longer than ${seconds(timeoutMs)}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or choose a profile.`, 'timeout', 'no-credentials'));
    } catch (err) {
      throw asCredentialError(err, undefined, 'none');
    }
  };
}

/** One sentence naming the cause and the fix, for any error our providers or the SDK's throw. No secret in it. */
export function describeCredentialError(err: unknown, profile?: string): string {
  return asCredentialError(err, profile, 'none').message;
}

function asCredentialError(err: unknown, profile: string | undefined, kind: AwsCredentialKind): AwsCredentialError {
  if (err instanceof AwsCredentialError) return err;
  // The S3 client's ClientError('auth') around one of ours.
  if (err instanceof Error && err.cause instanceof AwsCredentialError) return err.cause;
  const e = (err ?? {}) as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const message = String(e.message ?? err);
  const make = (text: string, reason: AwsCredentialReason, problem: AuthProblem = 'no-credentials') => new AwsCredentialError(text, reason, problem, profile, { cause: err });
  const who = profile ? `AWS profile "${profile}"` : 'the environment';
  const login = `\`aws sso login${profile ? ` --profile ${profile}` : ''}\``;
  if (/^Sso session '([^']*)' could not be found/i.test(message)) {
    const name = /^Sso session '([^']*)'/i.exec(message)![1];
    return make(`${capital(who)} names sso_session "${name}", but there is no [sso-session ${name}] section: run \`aws configure sso${profile ? ` --profile ${profile}` : ''}\`.`, 'no-credentials');
  }
  if (/SSO session .*(expired|invalid)|SSO session token .*(not found|invalid)|Token is expired|in SSO Token/i.test(message)) {
    // "Value not present for 'clientId' in SSO Token. Cannot refresh": an expired token it cannot renew.
    const expired = /expired|Cannot refresh/i.test(message);
    return make(`The SSO sign-in of ${who} ${expired ? 'has expired' : 'is missing'}: run ${login} and retry.`, 'sso-login', expired ? 'token-expired' : 'no-credentials');
  }
  if (/requires multi-factor authentication/i.test(message)) {
    return make(`${capital(who)} assumes a role with mfa_serial, and AIS Buckets cannot ask for the MFA code: use a profile without mfa_serial (or temporary keys from \`aws sts get-session-token\`).`, 'mfa');
  }
  if (/Could not load credentials from any providers|Unable to find environment variable credentials/i.test(message)) {
    return make('No AWS credentials were found in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ~/.aws, SSO, container or instance metadata): set them, or choose a profile or keys for this cluster.', 'environment');
  }
  if (/could not be found in shared credentials file|Profile .* was not found|Could not resolve credentials using profile/i.test(message)) {
    return make(`${capital(who)} has no credentials the AWS SDK can use: check it with \`aws configure list${profile ? ` --profile ${profile}` : ''}\`.`, 'no-credentials');
  }
  // The SDK's fromProcess: "Command failed: <the command>\n<its stderr>"; the command line may hold secrets.
  if (/credential_process/i.test(message) || /^Command failed:/.test(message)) {
    return make(`The credential_process of ${who} failed (${firstLine(message.replace(/^Command failed:[^\n]*\n?/, '')) || 'no reason given'}): run it by hand to see why.`, 'process-failed');
  }
  if (/Detected a cycle/i.test(message)) return make(`The source_profile chain of ${who} loops back on itself: fix source_profile.`, 'assume-role');
  if (/Unsupported credential source/i.test(message)) return make(`${capital(who)} has a credential_source the AWS SDK does not support: use Environment, Ec2InstanceMetadata or EcsContainer.`, 'assume-role');
  if (kind === 'assume-role' || kind === 'web-identity' || /AssumeRole|sts:/i.test(message)) {
    const status = e.$metadata?.httpStatusCode;
    const denied = e.name === 'AccessDenied' || status === 403;
    const reason = status ? `${e.name ?? 'error'}${status ? ` ${status}` : ''}: ${firstLine(message)}` : firstLine(message);
    return make(`${capital(who)} could not assume its role (${reason}): check role_arn and that the source credentials may assume it.`, 'assume-role', denied ? 'denied' : 'no-credentials');
  }
  if (kind === 'sso') return make(`Getting SSO credentials for ${who} failed (${firstLine(message)}): run ${login} and retry.`, 'sso-login');
  return make(`Could not get credentials from ${who} (${firstLine(message)}).`, 'other');
}

/** The first line of a message, short, with anything shaped like a secret key or a token cut out. */
function firstLine(text: string): string {
  const line = text.split('\n').map((l) => l.trim()).find(Boolean) ?? '';
  return redactSecrets(line).slice(0, 200).replace(/[.:;,\s]+$/, '');
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function withTimeout<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), ms);
    timer.unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * credential_process as the aws CLI documents it: the command (run by the shell, as the SDK does) prints
 * {"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?, "Expiration"?} on stdout. stdout is
 * never quoted in a message (it holds the secret); stderr's first line is, as the program's own words.
 */
export function runCredentialProcess(
  command: string,
  opts: { profile: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; accountId?: string },
): Promise<AwsCredentialIdentity> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_CREDENTIAL_TIMEOUT_MS;
  const who = `AWS profile "${opts.profile}"`;
  const fail = (text: string, reason: AwsCredentialReason = 'process-failed', cause?: unknown) => new AwsCredentialError(text, reason, 'no-credentials', opts.profile, { cause });
  return new Promise((resolve, reject) => {
    // Its own process group, so a timeout ends the shell and whatever it started.
    const child = spawn(command, { shell: true, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32', windowsHide: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outSize = 0;
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const kill = () => {
      try {
        if (process.platform !== 'win32' && child.pid) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      kill();
      finish(() => reject(fail(`The credential_process of ${who} did not finish within ${seconds(timeoutMs)} and was stopped: run it by hand to see whether it waits for input (a browser sign-in, a prompt).`, 'process-timeout')));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      outSize += chunk.length;
      if (outSize <= 1024 * 1024) out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (err.reduce((n, b) => n + b.length, 0) < 64 * 1024) err.push(chunk);
    });
    child.on('error', (e) => finish(() => reject(fail(`The credential_process of ${who} could not be started (${(e as NodeJS.ErrnoException).code ?? e.message}): check the command.`, 'process-failed', e))));
    child.on('close', (code, signal) => {
      finish(() => {
        const said = firstLine(Buffer.concat(err).toString('utf8'));
        if (code !== 0) {
          const how = code === null ? `was killed by ${signal}` : `exited with code ${code}`;
          return reject(fail(`The credential_process of ${who} ${how}${said ? ` (${said})` : ''}: run it by hand to see why.`));
        }
        let data: Record<string, unknown>;
        try {
          data = JSON.parse(Buffer.concat(out).toString('utf8').trim()) as Record<string, unknown>;
        } catch {
          return reject(fail(`The credential_process of ${who} printed something that is not JSON: it must print {"Version": 1, "AccessKeyId": …, "SecretAccessKey": …}.`));
        }
        if (!data || typeof data !== 'object' || data.Version !== 1) return reject(fail(`The credential_process of ${who} printed JSON without "Version": 1, which the aws CLI requires.`));
        if (typeof data.AccessKeyId !== 'string' || typeof data.SecretAccessKey !== 'string' || !data.AccessKeyId || !data.SecretAccessKey) {
          return reject(fail(`The credential_process of ${who} printed no AccessKeyId and SecretAccessKey.`));
        }
        const creds: { -readonly [K in keyof AwsCredentialIdentity]: AwsCredentialIdentity[K] } = { accessKeyId: data.AccessKeyId, secretAccessKey: data.SecretAccessKey };
        if (typeof data.SessionToken === 'string' && data.SessionToken) creds.sessionToken = data.SessionToken;
        if (data.Expiration !== undefined) {
          const expiration = new Date(String(data.Expiration));
          if (isNaN(expiration.getTime())) return reject(fail(`The credential_process of ${who} printed an Expiration that is not a date.`));
          if (expiration.getTime() <= Date.now()) return reject(fail(`The credential_process of ${who} printed credentials that expired at ${expiration.toISOString()}: it must print fresh ones.`, 'process-failed'));
          creds.expiration = expiration;
        }
        const accountId = typeof data.AccountId === 'string' ? data.AccountId : opts.accountId;
        if (accountId) creds.accountId = accountId;
        resolve(creds);
      });
    });
  });
}
