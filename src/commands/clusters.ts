// Add, import and remove clusters. Every command also takes its answers as arguments, so tests and other
// extensions can run it without UI: aisBuckets.addCluster({name, endpoint, kind, accessKey, secretKey}).
import * as vscode from 'vscode';
import type { ClusterKind } from '../client/cluster';
import type { ClusterSpec } from '../config/clusters';
import { defaultS3cfgPath, readS3cfgFile, S3cfgError } from '../config/s3cfg';
import { errorText } from '../objects/errors';
import { ClusterRegistry, LOCAL_CLUSTER } from '../registry';

export interface AddClusterArgs {
  name?: string;
  endpoint?: string;
  kind?: ClusterKind;
  accessKey?: string;
  secretKey?: string;
  /** Save even if the endpoint does not answer (default: ask). */
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

export function clusterNameFromEndpoint(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}

export function registerClusterCommands(context: vscode.ExtensionContext, registry: ClusterRegistry, log: vscode.LogOutputChannel) {
  context.subscriptions.push(
    vscode.commands.registerCommand('aisBuckets.addCluster', async (args?: AddClusterArgs) => addCluster(registry, log, args ?? {})),
    vscode.commands.registerCommand('aisBuckets.importS3cfg', async (file?: string | vscode.Uri) => importS3cfg(registry, log, file)),
    vscode.commands.registerCommand('aisBuckets.removeCluster', async (target?: string | { clusterName?: string }) => {
      const name = typeof target === 'string' ? target : target?.clusterName ?? (await pickSavedCluster(registry));
      if (!name) return false;
      if (name === LOCAL_CLUSTER) {
        void vscode.window.showInformationMessage(vscode.l10n.t('The local cluster is the embedded gateway: stop it with "AIS Buckets: Stop Local Gateway".'));
        return false;
      }
      const removed = await registry.remove(name);
      if (removed) log.info(`removed cluster ${name}`);
      return removed;
    }),
  );
}

async function pickSavedCluster(registry: ClusterRegistry): Promise<string | undefined> {
  const entries = (await registry.entries()).filter((e) => !e.embedded && !e.transient);
  if (entries.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('There are no saved clusters to remove.'));
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    entries.map((e) => ({ label: e.spec.name, description: e.spec.endpoint })),
    { title: vscode.l10n.t('Remove Cluster'), placeHolder: vscode.l10n.t('Which cluster? (its objects are not touched)') },
  );
  return pick?.label;
}

async function addCluster(registry: ClusterRegistry, log: vscode.LogOutputChannel, args: AddClusterArgs): Promise<string | undefined> {
  const rawEndpoint =
    args.endpoint ??
    (await vscode.window.showInputBox({
      title: vscode.l10n.t('Add Cluster (1/3): endpoint'),
      prompt: vscode.l10n.t('An AIStore gateway (http://10.10.0.1:51080) or any S3 endpoint (https://s3.example.com). A trailing /s3 means an AIStore gateway.'),
      placeHolder: 'http://10.10.0.1:51080',
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter the endpoint address')),
    }));
  if (!rawEndpoint) return undefined;
  const guessed = normalizeUserEndpoint(rawEndpoint, args.kind);
  let kind = args.kind ?? guessed.kind;
  if (!kind) {
    const pick = await vscode.window.showQuickPick(
      [
        { label: vscode.l10n.t('AIStore cluster'), description: vscode.l10n.t('native API (/v1): providers, bucket props, checksums'), clusterKind: 'ais' as const },
        { label: vscode.l10n.t('S3-compatible endpoint'), description: vscode.l10n.t('AWS S3, MinIO, Ceph, …'), clusterKind: 's3' as const },
      ],
      { title: vscode.l10n.t('Add Cluster (2/3): what is it?'), ignoreFocusOut: true },
    );
    if (!pick) return undefined;
    kind = pick.clusterKind;
  }
  const name =
    args.name ??
    (await vscode.window.showInputBox({
      title: vscode.l10n.t('Add Cluster (3/3): name'),
      value: clusterNameFromEndpoint(guessed.endpoint),
      ignoreFocusOut: true,
      validateInput: (v) => (!v.trim() ? vscode.l10n.t('Enter a name') : v.trim() === LOCAL_CLUSTER ? vscode.l10n.t('"{0}" is the embedded gateway', LOCAL_CLUSTER) : undefined),
    }));
  if (!name) return undefined;
  const spec: ClusterSpec = {
    name: name.trim(),
    kind,
    endpoint: guessed.endpoint,
    ...(args.accessKey ? { accessKey: args.accessKey, secretKey: args.secretKey } : {}),
  };
  if (!args.skipProbe) {
    const client = registry.clientFor(spec);
    try {
      const probe = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Testing {0}…', spec.endpoint) },
        () => client.probe(),
      );
      log.info(`probe ${spec.endpoint}: ${probe.summary} (${probe.latencyMs} ms)`);
    } catch (e) {
      const message = errorText(e);
      log.warn(`probe ${spec.endpoint} failed: ${message}`);
      if (args.endpoint !== undefined) throw new Error(message, { cause: e }); // called with arguments: no dialog to answer
      const saveAnyway = vscode.l10n.t('Save Anyway');
      const choice = await vscode.window.showWarningMessage(message, { modal: true, detail: vscode.l10n.t('Save the cluster anyway?') }, saveAnyway);
      if (choice !== saveAnyway) return undefined;
    } finally {
      client.dispose();
    }
  }
  await registry.save(spec);
  log.info(`added cluster ${spec.name} (${spec.kind}, ${spec.endpoint})`);
  return spec.name;
}

async function importS3cfg(registry: ClusterRegistry, log: vscode.LogOutputChannel, target?: string | vscode.Uri): Promise<string | undefined> {
  let file = typeof target === 'string' ? target : target?.fsPath;
  if (!file) {
    const choice = await vscode.window.showQuickPick(
      [
        { label: '~/.s3cfg', description: defaultS3cfgPath(), file: defaultS3cfgPath() },
        { label: vscode.l10n.t('Choose a file…'), file: '' },
      ],
      { title: vscode.l10n.t('Import from s3cmd config') },
    );
    if (!choice) return undefined;
    file = choice.file;
    if (!file) {
      const picked = await vscode.window.showOpenDialog({ title: vscode.l10n.t('Choose an s3cmd config file'), canSelectMany: false, openLabel: vscode.l10n.t('Import') });
      if (!picked?.[0]) return undefined;
      file = picked[0].fsPath;
    }
  }
  try {
    const { spec, warnings } = await readS3cfgFile(file);
    for (const w of warnings) log.warn(w);
    const result = await registry.import(spec);
    const from = spec.source ?? file;
    log.info(`${result.action} cluster "${result.name}" (${spec.endpoint}) from ${from}`);
    const msg =
      result.action === 'added'
        ? vscode.l10n.t('Added cluster "{0}" ({1}) from {2}.', result.name, spec.endpoint, from)
        : vscode.l10n.t('Updated cluster "{0}" ({1}) from {2}.', result.name, spec.endpoint, from);
    void vscode.window.showInformationMessage(warnings.length ? vscode.l10n.t('{0} {1} note(s) in the log.', msg, warnings.length) : msg);
    return result.name;
  } catch (e) {
    const message = e instanceof S3cfgError ? e.message : vscode.l10n.t('Cannot import {0}: {1}', file, (e as Error).message);
    log.error(message);
    if (typeof target === 'string') throw new Error(message, { cause: e });
    const openFile = vscode.l10n.t('Open File');
    const pick = await vscode.window.showErrorMessage(message, openFile);
    if (pick === openFile && e instanceof S3cfgError) {
      const doc = await vscode.workspace.openTextDocument(file);
      const line = Math.max(0, (e.line ?? 1) - 1);
      await vscode.window.showTextDocument(doc, { selection: new vscode.Range(line, 0, line, 0) });
    }
    return undefined;
  }
}
