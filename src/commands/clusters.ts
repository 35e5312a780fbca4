// Add, edit, sign in to and remove clusters. Each command also takes its answers as arguments, so tests and
// other extensions run it without UI: aisBuckets.addCluster({name, endpoint, kind, accessKey, secretKey}).
import * as vscode from 'vscode';
import { signIn } from '../client/ais/authn';
import type { ClusterKind } from '../client/cluster';
import { authOf, type ClusterAuth, type ClusterSpec } from '../config/clusters';
import { ConnectionDraft, draftAuthFields, draftFromSpec, specFromDraft } from '../config/draft';
import { errorText } from '../objects/errors';
import { clusterAuthority, FS_SCHEME } from '../objects/location';
import { ClusterRegistry, LOCAL_CLUSTER } from '../registry';
import { runConnectionFlow } from './connection/flow';
import { signInAgain, type SignInTarget } from './connection/signin';

export interface AddClusterArgs {
  name?: string;
  endpoint?: string;
  kind?: ClusterKind;
  auth?: ClusterAuth;
  accessKey?: string;
  secretKey?: string;
  sessionToken?: string;
  /** AIS: a token (auth method 'token'), or the password to sign in with (method 'authn'). */
  authToken?: string;
  password?: string;
  region?: string;
  addressing?: 'path' | 'virtual';
  /** Save even if the endpoint does not answer (default: fail). */
  skipProbe?: boolean;
}

/** "10.0.0.1:51080" → "http://10.0.0.1:51080"; a trailing /s3 means the S3 side of an AIS gateway. */
export function normalizeUserEndpoint(input: string, kind?: ClusterKind): { endpoint: string; kind?: ClusterKind } {
  let text = input.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `http://${text}`;
  text = text.replace(/\/+$/, '');
  // Asked for a plain S3 endpoint, the /s3 side of an AIS gateway is what the user means.
  if (/\/s3$/i.test(text) && kind !== 's3') return { endpoint: text.slice(0, -3), kind: 'ais' };
  return { endpoint: text };
}

type ClusterTarget = string | { clusterName?: string; endpoint?: string } | undefined;

export function registerClusterCommands(context: vscode.ExtensionContext, registry: ClusterRegistry, log: vscode.LogOutputChannel) {
  context.subscriptions.push(
    vscode.commands.registerCommand('aisBuckets.addCluster', async (args?: AddClusterArgs) => (args?.endpoint !== undefined ? addWithArgs(registry, log, args) : addWithFlow(registry, log))),
    vscode.commands.registerCommand('aisBuckets.editConnection', async (target?: ClusterTarget, changes?: AddClusterArgs) => editConnection(registry, log, target, changes)),
    vscode.commands.registerCommand('aisBuckets.signIn', async (target?: SignInTarget) => signInAgain(registry, log, target)),
    vscode.commands.registerCommand('aisBuckets.removeCluster', async (target?: ClusterTarget) => {
      const name = (await savedClusterOf(registry, target, vscode.l10n.t('Remove Cluster'))) ?? undefined;
      if (!name) return false;
      // Named by a caller (a test, another extension): no dialog. From the UI: say what goes and what stays.
      if (typeof target !== 'string') {
        const endpoint = (await registry.entry(name))?.spec.endpoint ?? '';
        const remove = vscode.l10n.t('Remove');
        const ok = await vscode.window.showWarningMessage(
          vscode.l10n.t('Remove cluster "{0}" ({1})?', name, endpoint),
          { modal: true, detail: vscode.l10n.t('Its buckets and objects are not touched; its keys and tokens are forgotten, and its open editors close.') },
          remove,
        );
        if (ok !== remove) return false;
      }
      const removed = await registry.remove(name);
      if (removed) {
        log.info(`removed cluster ${name}`);
        await closeEditorsOf(name);
      }
      return removed;
    }),
  );
}

/** The saved cluster a command is about: named, clicked, found by endpoint, or picked. */
async function savedClusterOf(registry: ClusterRegistry, target: ClusterTarget, title: string): Promise<string | undefined> {
  let name = typeof target === 'string' ? target : target?.clusterName;
  if (!name && typeof target === 'object' && target.endpoint) name = (await registry.byEndpoint(target.endpoint))?.spec.name;
  if (name === LOCAL_CLUSTER) {
    void vscode.window.showInformationMessage(vscode.l10n.t('The local cluster is the embedded gateway: its connection is fixed; "Show Connection Details" shows it, and "AIS Buckets: Stop Local Gateway" stops it.'));
    return undefined;
  }
  if (name) return name;
  const entries = (await registry.entries()).filter((e) => !e.embedded && !e.transient);
  if (entries.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('There are no saved clusters: add one first.'));
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    entries.map((e) => ({ label: e.spec.name, description: e.spec.endpoint })),
    { title, placeHolder: vscode.l10n.t('Which cluster? (its objects are not touched)') },
  );
  return pick?.label;
}

async function addWithFlow(registry: ClusterRegistry, log: vscode.LogOutputChannel): Promise<string | undefined> {
  const spec = await runConnectionFlow(registry, log, { endpoint: '' });
  if (!spec) return undefined;
  try {
    await registry.save(spec);
  } catch (e) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Could not save the cluster: {0}', errorText(e)));
    return undefined;
  }
  log.info(`added cluster ${spec.name} (${spec.kind}, ${spec.endpoint}, auth ${spec.auth?.method})`);
  void vscode.window.showInformationMessage(vscode.l10n.t('Added cluster "{0}" ({1}).', spec.name, spec.endpoint));
  return spec.name;
}

async function editConnection(registry: ClusterRegistry, log: vscode.LogOutputChannel, target: ClusterTarget, changes?: AddClusterArgs): Promise<boolean> {
  const name = await savedClusterOf(registry, target, vscode.l10n.t('Edit Connection'));
  if (!name) return false;
  const entry = await registry.entry(name);
  if (!entry) throw new Error(vscode.l10n.t('There is no cluster named "{0}".', name));
  let spec: ClusterSpec | undefined;
  if (changes) {
    // Without UI: the changes over the saved cluster, checked like Add Cluster's arguments.
    spec = await specFromArgs(registry, { ...argsOf(entry.spec), ...changes, name: changes.name ?? name }, entry.spec);
    if (!changes.skipProbe) await probe(registry, log, spec);
  } else {
    spec = await runConnectionFlow(registry, log, draftFromSpec(entry.spec), name);
    if (!spec) return false;
  }
  try {
    await registry.replace(name, spec);
  } catch (e) {
    if (changes) throw e;
    void vscode.window.showErrorMessage(vscode.l10n.t('Could not save the cluster: {0}', errorText(e)));
    return false;
  }
  log.info(`edited cluster ${name}${spec.name !== name ? ` (now "${spec.name}")` : ''}: ${spec.kind}, ${spec.endpoint}, auth ${spec.auth?.method}`);
  // Documents of the old name would point at a cluster that no longer exists.
  if (spec.name !== name) await closeEditorsOf(name);
  if (!changes) void vscode.window.showInformationMessage(vscode.l10n.t('Saved the connection of "{0}".', spec.name));
  return true;
}

/** Closes the editors of a cluster's objects (VS Code asks about unsaved changes). */
async function closeEditorsOf(clusterName: string): Promise<void> {
  const authority = clusterAuthority(clusterName);
  const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => {
    const uri = t.input instanceof vscode.TabInputText ? t.input.uri : undefined;
    return uri?.scheme === FS_SCHEME && uri.authority === authority;
  });
  if (tabs.length) await vscode.window.tabGroups.close(tabs);
}

function argsOf(spec: ClusterSpec): AddClusterArgs {
  return {
    name: spec.name,
    endpoint: spec.endpoint,
    kind: spec.kind,
    auth: authOf(spec),
    accessKey: spec.accessKey,
    secretKey: spec.secretKey,
    sessionToken: spec.sessionToken,
    authToken: spec.authToken,
    region: spec.region,
    addressing: spec.addressing,
  };
}

async function specFromArgs(registry: ClusterRegistry, args: AddClusterArgs, base?: ClusterSpec): Promise<ClusterSpec> {
  const guessed = normalizeUserEndpoint(args.endpoint ?? '', args.kind);
  const kind = args.kind ?? guessed.kind ?? 'ais';
  const auth: ClusterAuth = args.auth ?? (args.accessKey ? { method: 'keys' } : kind === 's3' ? { method: 'anonymous' } : args.authToken ? { method: 'token' } : { method: 'none' });
  const draft: ConnectionDraft = {
    ...(base ? draftFromSpec(base) : {}),
    endpoint: guessed.endpoint,
    kind,
    ...draftAuthFields(auth),
    accessKey: args.accessKey,
    secretKey: args.secretKey,
    sessionToken: args.sessionToken,
    authToken: args.authToken,
    region: args.region,
    addressing: args.addressing,
    name: args.name ?? guessed.endpoint,
  };
  if (auth.method === 'authn' && args.password) {
    registry.noteHandled(args.password);
    draft.authToken = (await signIn(auth.url, auth.user, args.password)).token;
  }
  const spec = specFromDraft(draft);
  // An AIS cluster given keys (its S3 side signs with them) keeps them whatever its native auth is.
  if (kind === 'ais' && args.accessKey && auth.method !== 'keys') Object.assign(spec, { accessKey: args.accessKey, secretKey: args.secretKey });
  return spec;
}

async function probe(registry: ClusterRegistry, log: vscode.LogOutputChannel, spec: ClusterSpec): Promise<void> {
  const client = await registry.clientFor(spec);
  try {
    const result = await client.probe();
    log.info(`probe ${spec.endpoint}: ${result.summary} (${result.latencyMs} ms)`);
  } catch (e) {
    const message = errorText(e);
    log.warn(`probe ${spec.endpoint} failed: ${message}`);
    throw new Error(message, { cause: e });
  } finally {
    client.dispose();
  }
}

async function addWithArgs(registry: ClusterRegistry, log: vscode.LogOutputChannel, args: AddClusterArgs): Promise<string> {
  const spec = await specFromArgs(registry, args);
  if (!args.skipProbe) await probe(registry, log, spec);
  await registry.save(spec);
  log.info(`added cluster ${spec.name} (${spec.kind}, ${spec.endpoint}, auth ${spec.auth?.method})`);
  return spec.name;
}
