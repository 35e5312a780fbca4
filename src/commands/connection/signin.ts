// Signing in again when a cluster refuses the credentials it has: an AuthN token that expired or was
// revoked asks for the password (the user name and AuthN URL are kept), a pasted token asks for a new
// one, a token file points at `ais auth login`, and keys or profiles open Edit Connection. What failed
// can then run again: the tree reloads, a transfer resumes from its journal.
import * as vscode from 'vscode';
import { signIn } from '../../client/ais/authn';
import { authOf } from '../../config/clusters';
import { errorText } from '../../objects/errors';
import type { ClusterRegistry } from '../../registry';

export type SignInTarget = string | { clusterName?: string; endpoint?: string; auth?: { clusterName: string }; parent?: unknown } | undefined;

async function clusterOf(registry: ClusterRegistry, target: SignInTarget): Promise<string | undefined> {
  if (typeof target === 'string') return target;
  if (target?.auth?.clusterName) return target.auth.clusterName;
  if (target?.clusterName) return target.clusterName;
  if (target?.endpoint) return (await registry.byEndpoint(target.endpoint))?.spec.name;
  const entries = (await registry.entries()).filter((e) => !e.embedded && !e.transient);
  const pick = await vscode.window.showQuickPick(
    entries.map((e) => ({ label: e.spec.name, description: `${e.spec.endpoint} · ${authOf(e.spec).method}` })),
    { title: vscode.l10n.t('Sign In'), placeHolder: vscode.l10n.t('Which cluster?') },
  );
  return pick?.label;
}

/** Signs in to a cluster again; true when it has new credentials (then the caller may retry). */
export async function signInAgain(registry: ClusterRegistry, log: vscode.LogOutputChannel, target: SignInTarget): Promise<boolean> {
  const name = await clusterOf(registry, target);
  if (!name) return false;
  const entry = await registry.entry(name);
  if (!entry) return false;
  if (entry.embedded) return Boolean(await vscode.commands.executeCommand('aisBuckets.signInLocalGateway'));
  const auth = authOf(entry.spec);
  const title = vscode.l10n.t('Sign in to {0}', name);
  if (auth.method === 'authn') {
    const password = await vscode.window.showInputBox({
      title,
      prompt: vscode.l10n.t('Password of {0} at {1} (not kept: only the new token is)', auth.user, auth.url),
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v ? undefined : vscode.l10n.t('Enter the password')),
    });
    if (!password) return false;
    registry.noteHandled(password);
    try {
      const issued = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Signing in to {0}…', auth.url) }, () =>
        signIn(auth.url, auth.user, password, { tls: entry.spec.tls }),
      );
      await registry.storeToken(name, issued.token);
      log.info(`signed in to ${name} as ${auth.user}${issued.expiresAt ? ` (token valid until ${issued.expiresAt.toISOString()})` : ''}`);
      return true;
    } catch (e) {
      const message = errorText(e);
      log.error(`sign in to ${name}: ${message}`);
      const again = vscode.l10n.t('Try Again');
      if ((await vscode.window.showErrorMessage(vscode.l10n.t('Could not sign in to {0}: {1}', name, message), again)) === again) return signInAgain(registry, log, name);
      return false;
    }
  }
  if (auth.method === 'token') {
    const token = await vscode.window.showInputBox({ title, prompt: vscode.l10n.t('A new AuthN token for {0} (ais auth login prints one)', name), password: true, ignoreFocusOut: true });
    if (!token?.trim()) return false;
    await registry.storeToken(name, token.trim());
    log.info(`new token for ${name}`);
    return true;
  }
  if (auth.method === 'tokenFile') {
    const retry = vscode.l10n.t('Retry');
    const pick = await vscode.window.showWarningMessage(
      vscode.l10n.t('{0} reads its token from {1}. Sign in with "ais auth login" (it writes that file), then retry.', name, auth.file),
      retry,
    );
    return pick === retry;
  }
  if (auth.method === 'profile') {
    const retry = vscode.l10n.t('Retry');
    const edit = vscode.l10n.t('Edit Connection…');
    const pick = await vscode.window.showWarningMessage(
      vscode.l10n.t('{0} uses the AWS profile "{1}". For an SSO profile run "aws sso login --profile {1}"; otherwise fix the profile, then retry.', name, auth.profile),
      retry,
      edit,
    );
    if (pick === edit) return Boolean(await vscode.commands.executeCommand('aisBuckets.editConnection', name));
    return pick === retry;
  }
  return Boolean(await vscode.commands.executeCommand('aisBuckets.editConnection', name));
}
