// Add Cluster and Edit Connection as one guided flow: endpoint → what it is → how to authenticate → the
// method's own steps → (S3) region and addressing → name. The endpoint is checked when it is typed, the
// credentials right after they are given, each failure said on the step it belongs to with the input kept;
// Enter again on a failed check goes on anyway (an offline cluster). Nothing is saved before the end.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { signIn } from '../../client/ais/authn';
import type { ClusterKind } from '../../client/cluster';
import { detectEndpoint, type DetectedEndpoint } from '../../client/detect';
import { listAwsProfiles, type AwsProfile } from '../../config/awsprofiles';
import { aisCliConfigDir, readAisCliConfig, readAisTokenFile } from '../../config/aiscli';
import { type AuthMethod, type ClusterSpec, normalizeEndpoint } from '../../config/clusters';
import { expandHome } from '../../config/homepaths';
import { ConnectionDraft, defaultAddressing, defaultClusterName, defaultRegion, specFromDraft } from '../../config/draft';
import { errorText } from '../../objects/errors';
import { ClusterRegistry, LOCAL_CLUSTER } from '../../registry';
import { CheckResult, goBack, MultiStepInput, PickItem, Step } from '../input/multistep';

/** The user's endpoint text as a URL: "10.0.0.1:51080" → "http://10.0.0.1:51080"; a problem as a sentence. */
export function parseEndpointInput(input: string): { endpoint?: string; problem?: string } {
  let text = input.trim();
  if (!text) return { problem: vscode.l10n.t('Enter the endpoint address, e.g. http://10.10.0.1:51080 or https://s3.example.com') };
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `http://${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: vscode.l10n.t('"{0}" is not a URL: expected e.g. http://10.10.0.1:51080', input.trim()) };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: vscode.l10n.t('The endpoint must start with http:// or https://, not {0}//', url.protocol) };
  if (!url.hostname) return { problem: vscode.l10n.t('The endpoint needs a host name.') };
  if (url.search || url.hash) return { problem: vscode.l10n.t('The endpoint must not have a query (?) or fragment (#).') };
  if (url.username || url.password) return { problem: vscode.l10n.t('Do not put credentials in the URL: the next steps ask for them.') };
  return { endpoint: text.replace(/\/+$/, '') };
}

interface FlowContext {
  registry: ClusterRegistry;
  log: vscode.LogOutputChannel;
  draft: ConnectionDraft;
  /** Editing: the saved name (the cluster to replace). */
  editing?: string;
  /** What the connection being edited has saved now: its pickers list those values first, marked. */
  saved?: Readonly<ConnectionDraft>;
  detected?: DetectedEndpoint;
  profiles?: AwsProfile[];
  /** The draft's connection fields when its credentials last passed the check. */
  checkedKey?: string;
  /** The endpoint as typed (the draft holds what it resolved to). */
  typed?: string;
  /** The endpoint whose duplicate was pointed out already. */
  warnedDuplicate?: string;
}

/**
 * Runs the flow; resolves with the spec to save, or undefined when the user cancelled it. The last step's
 * check (or its override) has run by then.
 */
export async function runConnectionFlow(registry: ClusterRegistry, log: vscode.LogOutputChannel, draft: ConnectionDraft, editing?: string): Promise<ClusterSpec | undefined> {
  const ctx: FlowContext = { registry, log, draft, editing, ...(editing ? { saved: { ...draft } } : {}) };
  const title = editing ? vscode.l10n.t('Edit Connection: {0}', editing) : vscode.l10n.t('Add Cluster');
  const finished = await MultiStepInput.run(title, () => totalSteps(ctx), (input) => endpointStep(ctx, input));
  return finished ? specFromDraft(ctx.draft) : undefined;
}

function methodSteps(method: AuthMethod | undefined): number {
  switch (method) {
    case 'keys':
      return 3;
    case 'authn':
      return 3;
    case 'profile':
    case 'token':
    case 'tokenFile':
      return 1;
    default:
      return 0;
  }
}

/** The steps of the path chosen so far; before a choice is made, the likely one (what was detected). */
function totalSteps(ctx: FlowContext): number {
  const kind = ctx.draft.kind ?? ctx.detected?.kind ?? 's3';
  const method = ctx.draft.method ?? (kind === 's3' ? 'keys' : ctx.detected?.needsCredentials ? 'authn' : 'none');
  return 3 + methodSteps(method) + (kind === 's3' ? 2 : 0) + 1;
}

function connectionKey(draft: ConnectionDraft): string {
  const { name: _n, base: _b, ...rest } = draft;
  return JSON.stringify(rest);
}

// ---------------------------------------------------------------------------------------------------
// Steps

async function endpointStep(ctx: FlowContext, input: MultiStepInput): Promise<Step> {
  const { draft } = ctx;
  await input.inputBox({
    prompt: vscode.l10n.t('Endpoint: an AIStore gateway (http://10.10.0.1:51080) or any S3 service (https://s3.eu-west-1.amazonaws.com, http://minio:9000). Enter checks it.'),
    placeholder: 'http://10.10.0.1:51080',
    value: ctx.typed ?? draft.endpoint,
    validate: (v) => (v.trim() ? parseEndpointInput(v).problem : undefined),
    remember: (v) => (ctx.typed = v.trim()),
    accept: async (v) => {
      const endpoint = parseEndpointInput(v).endpoint!;
      // The same endpoint saved already: say so once (a second identity on it is fine: Enter again).
      const same = (await ctx.registry.entries()).find((e) => !e.embedded && !e.transient && e.spec.name !== ctx.editing && normalizeEndpoint(e.spec.endpoint) === normalizeEndpoint(endpoint.replace(/\/s3$/i, '')));
      if (same && ctx.warnedDuplicate !== endpoint) {
        ctx.warnedDuplicate = endpoint;
        // A plain message: Enter again runs this check anew, which then goes on to ask the endpoint.
        return vscode.l10n.t('Cluster "{0}" already uses {1}. Press Enter again to add another connection to it (other keys, say).', same.spec.name, same.spec.endpoint);
      }
      try {
        ctx.detected = await detectEndpoint(endpoint, { tls: draft.base?.tls });
        ctx.log.info(`add cluster: ${endpoint} is ${ctx.detected.summary}`);
        return undefined;
      } catch (e) {
        ctx.detected = undefined;
        ctx.log.warn(`add cluster: ${endpoint}: ${errorText(e)}`);
        return { message: vscode.l10n.t('{0} Press Enter again to go on without checking (an offline cluster).', errorText(e)), overridable: true };
      }
    },
  });
  draft.endpoint = ctx.detected?.endpoint ?? parseEndpointInput(ctx.typed ?? '').endpoint ?? draft.endpoint;
  return (i) => kindStep(ctx, i);
}

async function kindStep(ctx: FlowContext, input: MultiStepInput): Promise<Step> {
  const { draft, detected } = ctx;
  const found = vscode.l10n.t('detected');
  const mark = (kind: ClusterKind) => (detected?.kind === kind ? `$(check) ${found}: ${detected.summary}` : undefined);
  const kind = await input.quickPick<ClusterKind>({
    placeholder: detected ? vscode.l10n.t('{0} looks like {1}. What is it?', draft.endpoint, detected.summary) : vscode.l10n.t('What is {0}?', draft.endpoint),
    items: [
      { label: vscode.l10n.t('AIStore cluster'), description: mark('ais') ?? vscode.l10n.t('native API (/v1): providers, bucket props, jobs'), value: 'ais' },
      { label: vscode.l10n.t('S3-compatible endpoint'), description: mark('s3') ?? vscode.l10n.t('AWS S3, MinIO, Ceph, R2, Wasabi, …'), value: 's3' },
    ],
    active: draft.kind ?? detected?.kind,
    current: ctx.saved?.kind,
  });
  if (kind !== draft.kind) {
    draft.kind = kind;
    draft.method = undefined;
  }
  // An AIStore gateway reached as a plain S3 endpoint: its S3 side, /s3; as AIStore, its native root.
  if (detected?.kind === 'ais') draft.endpoint = kind === 's3' ? `${detected.endpoint}/s3` : detected.endpoint;
  else if (!detected && kind === 'ais' && /\/s3$/i.test(draft.endpoint)) draft.endpoint = draft.endpoint.slice(0, -3);
  return (i) => methodStep(ctx, i);
}

async function methodStep(ctx: FlowContext, input: MultiStepInput): Promise<Step> {
  const { draft, detected } = ctx;
  const s3 = draft.kind === 's3';
  const items: PickItem<AuthMethod>[] = s3
    ? [
        { label: vscode.l10n.t('Access key and secret'), description: vscode.l10n.t('typed here, kept in VS Code\'s secret storage'), value: 'keys' },
        { label: vscode.l10n.t('AWS profile'), description: vscode.l10n.t('from ~/.aws/config and ~/.aws/credentials (SSO, credential_process, roles)'), value: 'profile' },
        { label: vscode.l10n.t('Environment'), description: vscode.l10n.t('AWS_ACCESS_KEY_ID…, AWS_PROFILE, instance roles: as the aws CLI finds them'), value: 'environment' },
        { label: vscode.l10n.t('Anonymous'), description: vscode.l10n.t('unsigned requests: public buckets, open gateways'), value: 'anonymous' },
      ]
    : [
        { label: vscode.l10n.t('No authentication'), description: vscode.l10n.t('the cluster runs without AuthN'), value: 'none' },
        { label: vscode.l10n.t('Sign in with AuthN'), description: vscode.l10n.t('user and password; the token is kept, the password is not'), value: 'authn' },
        { label: vscode.l10n.t('Token'), description: vscode.l10n.t('paste an AuthN token (ais auth login prints one)'), value: 'token' },
        { label: vscode.l10n.t('Token file'), description: vscode.l10n.t('read at each connect, like the ais CLI (~/.config/ais/cli/auth.token)'), value: 'tokenFile' },
      ];
  const fallback: AuthMethod = s3 ? (detected?.needsCredentials === false ? 'anonymous' : 'keys') : detected?.needsCredentials ? 'authn' : 'none';
  const method = await input.quickPick<AuthMethod>({
    placeholder: vscode.l10n.t('How does {0} authenticate?', draft.endpoint),
    items,
    active: draft.method ?? fallback,
    current: ctx.saved?.kind === draft.kind ? ctx.saved?.method : undefined,
    // Methods with nothing more to ask are checked here, right away.
    accept: async (m) => (m === 'none' || m === 'anonymous' || m === 'environment' ? checkCredentials(ctx, { ...draft, method: m }) : undefined),
  });
  draft.method = method;
  switch (method) {
    case 'keys':
      return (i) => accessKeyStep(ctx, i);
    case 'profile':
      return (i) => profileStep(ctx, i);
    case 'authn':
      return (i) => authnUrlStep(ctx, i);
    case 'token':
      return (i) => tokenStep(ctx, i);
    case 'tokenFile':
      return (i) => tokenFileStep(ctx, i);
    default:
      return afterCredentials(ctx);
  }
}

function afterCredentials(ctx: FlowContext): Step {
  return ctx.draft.kind === 's3' ? (i) => regionStep(ctx, i) : (i) => nameStep(ctx, i);
}

async function accessKeyStep(ctx: FlowContext, input: MultiStepInput): Promise<Step> {
  const { draft } = ctx;
  await input.inputBox({
    prompt: vscode.l10n.t('Access key ID'),
    placeholder: 'AKIAIOSFODNN7EXAMPLE',
    value: draft.accessKey,
    validate: (v) => (/\s/.test(v.trim()) ? vscode.l10n.t('An access key has no spaces.') : undefined),
    remember: (v) => (draft.accessKey = v.trim()),
  });
  return (i) => secretKeyStep(ctx, i);
}

async function secretKeyStep(ctx: FlowContext, input: MultiStepInput): Promise<Step> {
  const { draft } = ctx;
  await input.inputBox({
    prompt: vscode.l10n.t('Secret access key for {0}', draft.accessKey ?? ''),
    password: true,
    value: draft.secretKey,
    remember: (v) => (draft.secretKey = v),
  });
  return (i) => sessionTokenStep(ctx, i);
}

async function sessionTokenStep(ctx: FlowContext, input: MultiStepInput): Promise<Step> {
  const { draft } = ctx;
  await input.inputBox({
    prompt: vscode.l10n.t('Session token, for temporary credentials (optional: press Enter to skip). Enter checks the keys.'),
    password: true,
    value: draft.sessionToken,
    allowEmpty: true,
    remember: (v) => (draft.sessionToken = v.trim() || undefined),
    accept: async (v) => checkCredentials(ctx, { ...draft, sessionToken: v.trim() || undefined }),
  });
  return afterCredentials(ctx);
}

async function profileStep(ctx: FlowContext, input: MultiStepInput): Promise<Step> {
  const { draft } = ctx;
  const listing = await listAwsProfiles();
  for (const p of listing.problems) ctx.log.warn(`AWS profiles: ${p}`);
  ctx.profiles = listing.profiles;
  if (listing.profiles.length === 0) {
    const why = listing.problems[0] ?? vscode.l10n.t('There are no profiles in {0} or {1}: run "aws configure" or choose another method.', listing.files.config.shown, listing.files.credentials.shown);
    await input.quickPick<string>({ placeholder: why, items: [{ label: vscode.l10n.t('Back to the methods'), value: '' }] });
    goBack();
  }
  const profile = await input.quickPick<string>({
    placeholder: listing.problems.length ? listing.problems[0] : vscode.l10n.t('Which AWS profile? Picking one checks it.'),
    items: listing.profiles.map((p) => ({
      label: p.name,
      description: [p.current ? vscode.l10n.t('named by AWS_PROFILE') : undefined, p.description, p.region].filter(Boolean).join(' · '),
      detail: p.endpointUrl ? vscode.l10n.t('endpoint {0}', p.endpointUrl) : undefined,
      value: p.name,
    })),
    active: draft.profile ?? listing.profiles.find((p) => p.current)?.name,
    current: ctx.saved?.method === 'profile' ? ctx.saved.profile : undefined,
    accept: async (name) => {
      const info = listing.profiles.find((p) => p.name === name);
      return checkCredentials(ctx, { ...draft, profile: name, region: draft.region ?? info?.region, addressing: draft.addressing ?? styleOf(info?.addressingStyle, draft.endpoint) });
    },
  });
  const info = listing.profiles.find((p) => p.name === profile);
  if (profile !== draft.profile) {
    draft.region = info?.region ?? draft.region;
    draft.addressing = styleOf(info?.addressingStyle, draft.endpoint) ?? draft.addressing;
  }
  draft.profile = profile;
  return afterCredentials(ctx);
}

/** A profile's addressing_style as a choice; 'auto' (botocore's default) is what the endpoint suggests. */
function styleOf(style: 'path' | 'virtual' | 'auto' | undefined, endpoint: string): 'path' | 'virtual' | undefined {
  if (style === 'path' || style === 'virtual') return style;
  return style === 'auto' ? defaultAddressing(endpoint) : undefined;
}

async function authnUrlStep(ctx: FlowContext, input: MultiStepInput): Promise<Step> {
  const { draft } = ctx;
  if (!draft.authnUrl) {
    const cli = await readAisCliConfig().catch(() => undefined);
    draft.authnUrl = cli?.authnUrl ?? authnGuess(draft.endpoint);
  }
  await input.inputBox({
    prompt: vscode.l10n.t('AuthN URL: the AIStore authentication server (the ais CLI\'s auth.url; port 52001 by default)'),
    value: draft.authnUrl,
    validate: (v) => (v.trim() ? parseEndpointInput(v).problem : undefined),
    remember: (v) => (draft.authnUrl = parseEndpointInput(v).endpoint ?? v.trim()),
  });
  return (i) => authnUserStep(ctx, i);
}

function authnGuess(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    return `${url.protocol}//${url.hostname.includes(':') ? `[${url.hostname}]` : url.hostname}:52001`;
  } catch {
    return 'http://127.0.0.1:52001';
  }
}

async function authnUserStep(ctx: FlowContext, input: MultiStepInput): Promise<Step> {
  const { draft } = ctx;
  await input.inputBox({
    prompt: vscode.l10n.t('AuthN user name'),
    value: draft.authnUser ?? 'admin',
    remember: (v) => (draft.authnUser = v.trim()),
  });
  return (i) => passwordStep(ctx, i);
}

async function passwordStep(ctx: FlowContext, input: MultiStepInput): Promise<Step> {
  const { draft } = ctx;
  await input.inputBox({
    prompt: draft.authToken
      ? vscode.l10n.t('Password of {0} at {1} to sign in anew (not kept), or empty to keep the current token', draft.authnUser ?? '', draft.authnUrl ?? '')
      : vscode.l10n.t('Password of {0} at {1} (not kept: Enter signs in and keeps only the token)', draft.authnUser ?? '', draft.authnUrl ?? ''),
    password: true,
    allowEmpty: Boolean(draft.authToken),
    accept: async (password) => {
      if (!password) return checkCredentials(ctx, draft);
      ctx.registry.noteHandled(password);
      try {
        const issued = await signIn(draft.authnUrl!, draft.authnUser!, password, { tls: draft.base?.tls });
        draft.authToken = issued.token;
        ctx.log.info(`signed in to ${draft.authnUrl} as ${draft.authnUser}${issued.expiresAt ? ` (token valid until ${issued.expiresAt.toISOString()})` : ''}`);
      } catch (e) {
        return errorText(e);
      }
      return checkCredentials(ctx, draft);
    },
  });
  return afterCredentials(ctx);
}

async function tokenStep(ctx: FlowContext, input: MultiStepInput): Promise<Step> {
  const { draft } = ctx;
  await input.inputBox({
    prompt: vscode.l10n.t('AuthN token (ais auth login prints one; kept in VS Code\'s secret storage). Enter checks it.'),
    password: true,
    value: draft.authToken,
    remember: (v) => (draft.authToken = v.trim()),
    accept: async (v) => checkCredentials(ctx, { ...draft, authToken: v.trim() }),
  });
  return afterCredentials(ctx);
}

async function tokenFileStep(ctx: FlowContext, input: MultiStepInput): Promise<Step> {
  const { draft } = ctx;
  if (!draft.tokenFile) {
    const cli = await readAisCliConfig().catch(() => undefined);
    draft.tokenFile = cli?.tokenFile ?? path.join(aisCliConfigDir(), 'auth.token');
  }
  await input.inputBox({
    prompt: vscode.l10n.t('Token file (what "ais auth login" writes); read again at each connect. Enter checks it.'),
    value: draft.tokenFile,
    remember: (v) => (draft.tokenFile = v.trim()),
    accept: async (v) => {
      try {
        await readAisTokenFile(expandHome(v.trim()));
      } catch (e) {
        return errorText(e);
      }
      return checkCredentials(ctx, { ...draft, tokenFile: expandHome(v.trim()) });
    },
  });
  draft.tokenFile = expandHome(draft.tokenFile ?? '');
  return afterCredentials(ctx);
}


async function regionStep(ctx: FlowContext, input: MultiStepInput): Promise<Step> {
  const { draft } = ctx;
  const profileRegion = ctx.profiles?.find((p) => p.name === draft.profile)?.region;
  await input.inputBox({
    prompt: vscode.l10n.t('Region (buckets in other regions are followed; S3-compatible servers mostly ignore it)'),
    value: defaultRegion(draft, profileRegion),
    validate: (v) => (/^[a-z0-9-]*$/i.test(v.trim()) ? undefined : vscode.l10n.t('A region looks like us-east-1: letters, digits and dashes.')),
    remember: (v) => (draft.region = v.trim() || undefined),
  });
  return (i) => addressingStep(ctx, i);
}

async function addressingStep(ctx: FlowContext, input: MultiStepInput): Promise<Step> {
  const { draft } = ctx;
  draft.addressing = await input.quickPick<'path' | 'virtual'>({
    placeholder: vscode.l10n.t('How are buckets addressed?'),
    items: [
      { label: vscode.l10n.t('Path-style'), description: 'https://host/bucket/key', detail: vscode.l10n.t('MinIO, Ceph, AIStore and most S3-compatible servers'), value: 'path' },
      { label: vscode.l10n.t('Virtual-hosted'), description: 'https://bucket.host/key', detail: vscode.l10n.t('Amazon S3 and services that want DNS-style bucket names'), value: 'virtual' },
    ],
    active: draft.addressing ?? defaultAddressing(draft.endpoint),
    // Saved without one means path-style: that is how the client connects (s3.ts forcePathStyle).
    current: ctx.saved?.kind === 's3' ? (ctx.saved.addressing ?? 'path') : undefined,
  });
  return (i) => nameStep(ctx, i);
}

async function nameStep(ctx: FlowContext, input: MultiStepInput): Promise<void> {
  const { draft, registry } = ctx;
  const taken = new Set((await registry.entries()).map((e) => e.spec.name.toLowerCase()).filter((n) => n !== ctx.editing?.toLowerCase()));
  const suggested =
    draft.name ??
    uniqueAmong(defaultClusterName({ kind: draft.kind ?? 'ais', endpoint: draft.endpoint, profile: draft.method === 'profile' ? draft.profile : undefined, region: draft.region }), taken);
  await input.inputBox({
    prompt: vscode.l10n.t('Name, as the tree shows it (any text). Enter saves.'),
    value: suggested,
    validate: (v) => {
      const name = v.trim();
      if (name === LOCAL_CLUSTER) return vscode.l10n.t('"{0}" is the embedded gateway\'s name: choose another.', LOCAL_CLUSTER);
      if (taken.has(name.toLowerCase())) return vscode.l10n.t('There is already a cluster named "{0}".', name);
      return undefined;
    },
    remember: (v) => (draft.name = v.trim()),
    // Region or addressing changed since the keys were checked (or they never were): check once more.
    accept: async () => (ctx.checkedKey === connectionKey(draft) ? undefined : withSaveAnyway(await checkCredentials(ctx, draft))),
  });
}

function withSaveAnyway(result: CheckResult): CheckResult {
  if (!result) return undefined;
  const message = typeof result === 'string' ? result : result.message.replace(/ ?Press Enter again.*$/, '');
  return { message: vscode.l10n.t('{0} Press Enter again to save anyway.', message), overridable: true };
}

function uniqueAmong(base: string, taken: Set<string>): string {
  if (!taken.has(base.toLowerCase())) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base} (${i})`.toLowerCase())) return `${base} (${i})`;
}

/**
 * Talks to the cluster with what the draft says (one cheap listing). A failure names the cause (unknown
 * key, wrong secret, clock skew, token expired, access denied, unreachable, TLS, not S3/AIStore) and can
 * be overridden by pressing Enter again.
 */
async function checkCredentials(ctx: FlowContext, draft: ConnectionDraft): Promise<CheckResult> {
  const spec = specFromDraft({ ...draft, name: draft.name || 'draft' });
  let client;
  try {
    client = await ctx.registry.clientFor(spec);
    const probe = await client.probe();
    ctx.log.info(`check ${spec.endpoint} (${spec.auth?.method}): ${probe.summary} (${probe.latencyMs} ms)`);
    ctx.checkedKey = connectionKey(draft);
    return undefined;
  } catch (e) {
    const message = errorText(e);
    ctx.log.warn(`check ${spec.endpoint} (${spec.auth?.method}) failed: ${message}`);
    return { message: vscode.l10n.t('{0} Press Enter again to go on anyway.', message), overridable: true };
  } finally {
    client?.dispose();
  }
}
