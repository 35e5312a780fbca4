// The clusters the user has: settings hold their descriptions (aisBuckets.clusters), SecretStorage their
// keys. The embedded gateway, when running, is one more cluster named "local" that is never saved.
import * as vscode from 'vscode';
import type { ClusterClient } from './client/cluster';
import { createClusterClient } from './client';
import type { ClusterConnection } from './client/cluster';
import { readAisTokenFile } from './config/aiscli';
import { environmentCredentials, profileCredentials } from './config/awscredentials';
import { authOf, ClusterSecrets, ClusterSettings, ClusterSpec, joinSecrets, mergeImported, MergeResult, splitSecrets, toConnection, validateSpec } from './config/clusters';

import { nativeToken } from './common/token';

export const LOCAL_CLUSTER = 'local';
const SECRET_PREFIX = 'aisBuckets.cluster:';

export interface ClusterEntry {
  spec: ClusterSpec;
  /** The embedded gateway (not in settings, cannot be edited or removed, only stopped). */
  embedded?: boolean;
  /** Given by the environment (AIS_BUCKETS_CLUSTER_URL), not in settings. */
  transient?: boolean;
}

export class ClusterRegistry implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly clients = new Map<string, { key: string; client: ClusterClient }>();
  private local?: ClusterSpec;
  private readonly transient: ClusterSpec[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  /** Every secret value this session handled: what a test checks never reached the log. */
  private readonly handledSecrets = new Set<string>();

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('aisBuckets.clusters')) this.changed.fire();
      }),
      secrets.onDidChange((e) => {
        if (e.key.startsWith(SECRET_PREFIX)) {
          this.dropClient(e.key.slice(SECRET_PREFIX.length));
          this.changed.fire();
        }
      }),
    );
    // A cluster handed over by the environment: test harnesses and `npm start` use it.
    const url = process.env.AIS_BUCKETS_CLUSTER_URL;
    if (url) this.transient.push({ name: process.env.AIS_BUCKETS_CLUSTER_NAME || 'dev', kind: 'ais', endpoint: url.replace(/\/+$/, '') });
  }

  private saved(): ClusterSettings[] {
    const list = vscode.workspace.getConfiguration('aisBuckets').get<ClusterSettings[]>('clusters') ?? [];
    return Array.isArray(list) ? list.filter((c) => c && typeof c.name === 'string' && typeof c.endpoint === 'string') : [];
  }

  /** Every cluster, the embedded one first, with keys from SecretStorage. */
  async entries(): Promise<ClusterEntry[]> {
    const out: ClusterEntry[] = [];
    if (this.local) out.push({ spec: this.local, embedded: true });
    for (const spec of this.transient) out.push({ spec, transient: true });
    for (const settings of this.saved()) {
      out.push({ spec: joinSecrets({ ...settings, kind: settings.kind ?? 'ais' }, await this.readSecrets(settings.name)) });
    }
    return out;
  }

  async entry(name: string): Promise<ClusterEntry | undefined> {
    return (await this.entries()).find((e) => e.spec.name === name);
  }

  hasSavedClusters(): boolean {
    return this.saved().length > 0;
  }

  private async readSecrets(name: string): Promise<ClusterSecrets | undefined> {
    const raw = await this.secrets.get(SECRET_PREFIX + name);
    if (!raw) return undefined;
    try {
      const secrets = JSON.parse(raw) as ClusterSecrets;
      this.noteSecrets(secrets);
      return secrets;
    } catch {
      return undefined;
    }
  }

  private noteSecrets(secrets: ClusterSecrets): void {
    for (const [field, value] of Object.entries(secrets)) if (value && field !== 'accessKey') this.handledSecrets.add(value);
  }

  /** A secret that passed through without being stored (a password typed to sign in). */
  noteHandled(secret: string): void {
    if (secret) this.handledSecrets.add(secret);
  }

  /** The secret keys and tokens this session has handled (for the test that greps the log for them). */
  sessionSecrets(): string[] {
    return [...this.handledSecrets];
  }

  /**
   * A client for a cluster, reused until its description, keys or token change. A token file is read
   * again each time (the `ais` CLI may have signed in anew), as is an AWS profile's chain when it expires.
   */
  async client(name: string): Promise<ClusterClient> {
    const entry = await this.entry(name);
    if (!entry) throw new Error(vscode.l10n.t('There is no cluster named "{0}".', name));
    const { connection, key } = await this.connectionFor(entry.spec);
    const cached = this.clients.get(name);
    if (cached && cached.key === key) return cached.client;
    cached?.client.dispose();
    const client = createClusterClient(connection);
    this.clients.set(name, { key, client });
    return client;
  }

  /** A client for a spec that is not saved yet (Add Cluster checks the endpoint and keys with it). */
  async clientFor(spec: ClusterSpec): Promise<ClusterClient> {
    this.noteSecrets(splitSecrets(spec).secrets);
    return createClusterClient((await this.connectionFor(spec)).connection);
  }

  /** What a spec's auth method resolves to; `key` changes whenever the client must be made anew. */
  private async connectionFor(spec: ClusterSpec): Promise<{ connection: ClusterConnection; key: string }> {
    const auth = authOf(spec);
    const base = toConnection(spec, { timeoutMs: this.timeoutMs() });
    switch (auth.method) {
      case 'profile':
      case 'environment':
      case 'anonymous': {
        // Keys left in an entry from another method are not what this one signs with.
        const credentials = auth.method === 'profile' ? profileCredentials(auth.profile) : auth.method === 'environment' ? environmentCredentials() : undefined;
        return { connection: { ...base, accessKey: undefined, secretKey: undefined, sessionToken: undefined, credentials }, key: JSON.stringify(spec) };
      }
      case 'tokenFile': {
        const token = await readAisTokenFile(auth.file);
        return { connection: { ...base, authToken: token }, key: JSON.stringify({ ...spec, authToken: token }) };
      }
      case 'none':
        return { connection: { ...base, authToken: undefined }, key: JSON.stringify(spec) };
      default:
        return { connection: base, key: JSON.stringify(spec) };
    }
  }

  private timeoutMs(): number {
    const s = vscode.workspace.getConfiguration('aisBuckets').get<number>('requestTimeoutSeconds') ?? 30;
    return Math.max(1, s) * 1000;
  }

  private dropClient(name: string) {
    this.clients.get(name)?.client.dispose();
    this.clients.delete(name);
  }

  /** Saves a cluster: description to user settings, keys to SecretStorage. */
  async save(spec: ClusterSpec): Promise<void> {
    const problems = validateSpec(spec);
    if (problems.length) throw new Error(problems.join(' '));
    if (spec.name === LOCAL_CLUSTER) throw new Error(vscode.l10n.t('"{0}" is the embedded gateway\'s name: choose another.', LOCAL_CLUSTER));
    const { settings, secrets } = splitSecrets(spec);
    this.noteSecrets(secrets);
    const list = this.saved().filter((c) => c.name !== spec.name);
    const prior = this.saved().findIndex((c) => c.name === spec.name);
    const clean = JSON.parse(JSON.stringify(settings)) as ClusterSettings;
    if (prior >= 0) list.splice(prior, 0, clean);
    else list.push(clean);
    if (Object.keys(secrets).length > 0) await this.secrets.store(SECRET_PREFIX + spec.name, JSON.stringify(secrets));
    else await this.secrets.delete(SECRET_PREFIX + spec.name);
    await this.writeList(list);
  }

  /**
   * Replaces the saved cluster `name` with `spec` (Edit Connection), in its place in the list. Under a new
   * name the old entry's secrets go with it. Validated before anything is written.
   */
  async replace(name: string, spec: ClusterSpec): Promise<void> {
    const problems = validateSpec(spec);
    if (problems.length) throw new Error(problems.join(' '));
    if (spec.name === LOCAL_CLUSTER) throw new Error(vscode.l10n.t('"{0}" is the embedded gateway\'s name: choose another.', LOCAL_CLUSTER));
    const list = this.saved();
    const at = list.findIndex((c) => c.name === name);
    if (at < 0) throw new Error(vscode.l10n.t('There is no saved cluster named "{0}".', name));
    if (spec.name !== name && list.some((c) => c.name.toLowerCase() === spec.name.toLowerCase())) throw new Error(vscode.l10n.t('There is already a cluster named "{0}".', spec.name));
    const { settings, secrets } = splitSecrets(spec);
    this.noteSecrets(secrets);
    if (Object.keys(secrets).length > 0) await this.secrets.store(SECRET_PREFIX + spec.name, JSON.stringify(secrets));
    else await this.secrets.delete(SECRET_PREFIX + spec.name);
    if (spec.name !== name) {
      await this.secrets.delete(SECRET_PREFIX + name);
      this.dropClient(name);
    }
    const next = list.slice();
    next[at] = JSON.parse(JSON.stringify(settings)) as ClusterSettings;
    await this.writeList(next);
  }

  /** Stores a new token for a saved cluster (sign-in again), leaving the rest of it as it is. */
  async storeToken(name: string, token: string): Promise<void> {
    const secrets = (await this.readSecrets(name)) ?? {};
    this.handledSecrets.add(token);
    await this.secrets.store(SECRET_PREFIX + name, JSON.stringify({ ...secrets, authToken: token }));
    this.dropClient(name);
    this.changed.fire();
  }

  /** The saved cluster whose endpoint (native or S3 side) an error names, for "sign in again". */
  async byEndpoint(endpoint: string): Promise<ClusterEntry | undefined> {
    const norm = endpoint.replace(/\/+$/, '');
    return (await this.entries()).find((e) => e.spec.endpoint.replace(/\/+$/, '') === norm || (e.spec.s3Endpoint ?? `${e.spec.endpoint}/s3`).replace(/\/+$/, '') === norm);
  }

  /** Merges an imported spec (re-import updates the same endpoint rather than adding a duplicate). */
  async import(spec: ClusterSpec): Promise<MergeResult> {
    const current = (await this.entries()).filter((e) => !e.embedded && !e.transient).map((e) => e.spec);
    const merged = mergeImported(current, spec);
    const result = merged.clusters.find((c) => c.name === merged.name)!;
    await this.save(result);
    return merged;
  }

  async remove(name: string): Promise<boolean> {
    const list = this.saved();
    const next = list.filter((c) => c.name !== name);
    if (next.length === list.length) return false;
    await this.secrets.delete(SECRET_PREFIX + name);
    this.dropClient(name);
    await this.writeList(next);
    return true;
  }

  private async writeList(list: ClusterSettings[]): Promise<void> {
    await vscode.workspace.getConfiguration('aisBuckets').update('clusters', list, vscode.ConfigurationTarget.Global);
    this.changed.fire();
  }

  /**
   * The embedded gateway came up (url) or went down (undefined). With credentials, its clients sign S3
   * requests with the keys and send the native API the Bearer token derived from them.
   */
  setLocal(url: string | undefined, credentials?: { accessKey: string; secretKey: string }, authn?: { url: string; user: string; token: string }): void {
    this.dropClient(LOCAL_CLUSTER);
    const authToken = authn?.token ?? (credentials ? nativeToken(credentials) : undefined);
    if (credentials) this.noteSecrets({ secretKey: credentials.secretKey });
    if (authToken) this.noteSecrets({ authToken });
    this.local = url
      ? {
          name: LOCAL_CLUSTER,
          kind: 'ais',
          endpoint: url,
          ...(credentials ?? {}),
          ...(authToken ? { authToken } : {}),
          ...(authn ? { auth: { method: 'authn' as const, url: authn.url, user: authn.user } } : {}),
        }
      : undefined;
    this.changed.fire();
  }

  dispose(): void {
    for (const { client } of this.clients.values()) client.dispose();
    this.clients.clear();
    this.changed.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
