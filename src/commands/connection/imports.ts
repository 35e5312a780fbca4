// Clusters from the config other tools already have: s3cmd's ~/.s3cfg, the AWS shared files' profiles
// (with their endpoint_url and services sections), and the `ais` CLI's config and token file. A first
// start offers, once, to import whatever of these it finds.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { listAwsProfiles, type AwsProfile } from '../../config/awsprofiles';
import { readAisCliConfig, type AisCliImport } from '../../config/aiscli';
import type { ClusterSpec } from '../../config/clusters';
import { defaultAddressing, defaultClusterName } from '../../config/draft';
import { defaultS3cfgPath, displayPath, readS3cfgFile, S3cfgError } from '../../config/s3cfg';
import { errorText } from '../../objects/errors';
import type { ClusterRegistry } from '../../registry';

const OFFERED_KEY = 'aisBuckets.importOffered';

export function registerImportCommands(context: vscode.ExtensionContext, registry: ClusterRegistry, log: vscode.LogOutputChannel) {
  context.subscriptions.push(
    vscode.commands.registerCommand('aisBuckets.importS3cfg', async (file?: string | vscode.Uri) => importS3cfg(registry, log, file)),
    // From a view's title menu the command gets the view's own argument, not a list of names.
    vscode.commands.registerCommand('aisBuckets.importAwsProfiles', async (names?: unknown) =>
      importAwsProfiles(registry, log, Array.isArray(names) && names.every((n) => typeof n === 'string') ? names : undefined),
    ),
    vscode.commands.registerCommand('aisBuckets.importAisCli', async (quiet?: boolean) => importAisCli(registry, log, quiet === true)),
  );
}

/** The spec an AWS profile becomes: its endpoint_url, else Amazon's endpoint for its region. */
export function specOfProfile(p: AwsProfile): ClusterSpec {
  const region = p.region ?? 'us-east-1';
  const endpoint = (p.endpointUrl ?? `https://s3.${region}.amazonaws.com`).replace(/\/+$/, '');
  const addressing = p.addressingStyle === 'path' || p.addressingStyle === 'virtual' ? p.addressingStyle : defaultAddressing(endpoint);
  return {
    name: defaultClusterName({ kind: 's3', endpoint, profile: p.name }),
    kind: 's3',
    endpoint,
    auth: { method: 'profile', profile: p.name },
    region,
    ...(addressing === 'virtual' ? { addressing } : {}),
    source: 'AWS profile',
  };
}

/** The spec the `ais` CLI's config becomes: its cluster URL, and its token file when it has one. */
export function specOfAisCli(cli: AisCliImport): ClusterSpec {
  return {
    name: defaultClusterName({ kind: 'ais', endpoint: cli.endpoint, via: 'ais CLI' }),
    kind: 'ais',
    endpoint: cli.endpoint,
    auth: cli.tokenFile && (cli.hasToken || cli.authnUrl) ? { method: 'tokenFile', file: cli.tokenFile } : { method: 'none' },
    ...(cli.tls ? { tls: cli.tls } : {}),
    source: cli.source,
  };
}

async function importAwsProfiles(registry: ClusterRegistry, log: vscode.LogOutputChannel, names?: string[]): Promise<string[]> {
  const listing = await listAwsProfiles();
  for (const p of listing.problems) log.warn(`AWS profiles: ${p}`);
  if (listing.profiles.length === 0) {
    const why = listing.problems[0] ?? vscode.l10n.t('There are no AWS profiles in {0} or {1}: run "aws configure" first.', listing.files.config.shown, listing.files.credentials.shown);
    if (names) throw new Error(why);
    void vscode.window.showWarningMessage(why);
    return [];
  }
  let chosen = names ? listing.profiles.filter((p) => names.includes(p.name)) : undefined;
  if (names && chosen!.length !== names.length) {
    const missing = names.filter((n) => !listing.profiles.some((p) => p.name === n));
    throw new Error(vscode.l10n.t('No AWS profile named {0}; there are: {1}.', missing.join(', '), listing.profiles.map((p) => p.name).join(', ')));
  }
  if (!chosen) {
    const picks = await vscode.window.showQuickPick(
      listing.profiles.map((p) => ({
        label: p.name,
        description: [p.current ? vscode.l10n.t('named by AWS_PROFILE') : undefined, p.description, p.region].filter(Boolean).join(' · '),
        detail: p.endpointUrl ?? vscode.l10n.t('Amazon S3'),
        picked: p.current,
        profile: p,
      })),
      { title: vscode.l10n.t('Import AWS Profiles'), placeHolder: vscode.l10n.t('Which profiles become clusters? (credentials stay in ~/.aws and are read through the AWS SDK)'), canPickMany: true },
    );
    if (!picks?.length) return [];
    chosen = picks.map((p) => p.profile);
  }
  const imported: string[] = [];
  for (const p of chosen) {
    const result = await registry.import(specOfProfile(p));
    log.info(`${result.action} cluster "${result.name}" from AWS profile ${p.name}`);
    imported.push(result.name);
  }
  if (!names) void vscode.window.showInformationMessage(vscode.l10n.t('Imported {0} from AWS profiles.', imported.map((n) => `"${n}"`).join(', ')));
  return imported;
}

async function importAisCli(registry: ClusterRegistry, log: vscode.LogOutputChannel, quiet: boolean): Promise<string | undefined> {
  let cli: AisCliImport | undefined;
  try {
    cli = await readAisCliConfig();
  } catch (e) {
    if (quiet) throw e;
    void vscode.window.showErrorMessage(errorText(e));
    return undefined;
  }
  if (!cli) {
    const why = vscode.l10n.t('There is no ais CLI config (~/.config/ais/cli/cli.json) and no AIS_ENDPOINT in the environment.');
    if (quiet) throw new Error(why);
    void vscode.window.showWarningMessage(why);
    return undefined;
  }
  for (const w of cli.warnings) log.warn(`ais CLI config: ${w}`);
  const result = await registry.import(specOfAisCli(cli));
  log.info(`${result.action} cluster "${result.name}" (${cli.endpoint}) from ${cli.source}`);
  if (!quiet) void vscode.window.showInformationMessage(vscode.l10n.t('{0} cluster "{1}" ({2}) from {3}.', result.action === 'added' ? vscode.l10n.t('Added') : vscode.l10n.t('Updated'), result.name, cli.endpoint, cli.source));
  return result.name;
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

/** What could be imported on this machine, each with how to import it. */
async function findImportable(): Promise<{ label: string; detail: string; run: () => Thenable<unknown> }[]> {
  const found: { label: string; detail: string; run: () => Thenable<unknown> }[] = [];
  if (fs.existsSync(defaultS3cfgPath())) found.push({ label: vscode.l10n.t('s3cmd config'), detail: displayPath(defaultS3cfgPath()), run: () => vscode.commands.executeCommand('aisBuckets.importS3cfg', defaultS3cfgPath()) });
  const aws = await listAwsProfiles().catch(() => undefined);
  if (aws?.profiles.length) {
    found.push({
      label: vscode.l10n.t('AWS profiles'),
      detail: aws.profiles.map((p) => p.name).join(', '),
      run: () => vscode.commands.executeCommand('aisBuckets.importAwsProfiles'),
    });
  }
  const cli = await readAisCliConfig().catch(() => undefined);
  if (cli) found.push({ label: vscode.l10n.t('ais CLI config'), detail: `${cli.endpoint} (${cli.source})`, run: () => vscode.commands.executeCommand('aisBuckets.importAisCli') });
  return found;
}

/**
 * On a first start with no saved clusters, offers once to import what this machine's other tools know.
 * Set aisBuckets.offerImport to false to never be asked.
 */
export async function offerImportOnce(context: vscode.ExtensionContext, registry: ClusterRegistry, log: vscode.LogOutputChannel): Promise<void> {
  if (context.globalState.get<boolean>(OFFERED_KEY) || registry.hasSavedClusters()) return;
  if (!vscode.workspace.getConfiguration('aisBuckets').get<boolean>('offerImport', true)) return;
  const found = await findImportable();
  await context.globalState.update(OFFERED_KEY, true);
  if (found.length === 0) return;
  log.info(`found to import: ${found.map((f) => `${f.label} (${f.detail})`).join('; ')}`);
  const importThem = vscode.l10n.t('Import…');
  const pick = await vscode.window.showInformationMessage(vscode.l10n.t('AIS Buckets found {0} on this machine. Import them as clusters?', found.map((f) => f.label).join(', ')), importThem, vscode.l10n.t('Not Now'));
  if (pick !== importThem) return;
  const chosen = found.length === 1 ? found : await vscode.window.showQuickPick(found.map((f) => ({ ...f, picked: true })), { title: vscode.l10n.t('Import Clusters'), canPickMany: true });
  for (const f of chosen ?? []) await f.run();
}
