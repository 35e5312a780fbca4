// The bucket properties page: one webview panel per bucket, reused when opened again. Thin glue: the
// page's HTML comes from objects/bucketpropspage.ts, the rows from objects/bucketprops.ts, and reading and
// saving the props from the actions the props commands hand in (the same code path as their command).
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import type { BucketProps, BucketRef, ChecksumConf } from '../client/cluster';
import { bucketPropsSections } from '../objects/bucketprops';
import { PageState, parsePageMessage, renderBucketPropsPage } from '../objects/bucketpropspage';
import { errorText } from '../objects/errors';
import { objectUri } from '../objects/location';

export interface BucketPropsActions {
  load(clusterName: string, bucket: BucketRef): Promise<{ props: BucketProps; kind: 'ais' | 's3'; editable: boolean }>;
  /** Sets the checksum; resolves with the sentence that says what changed. */
  saveChecksum(clusterName: string, bucket: BucketRef, checksum: Required<ChecksumConf>): Promise<string>;
  showRaw(clusterName: string, bucket: BucketRef): Promise<unknown>;
}

const keyOf = (clusterName: string, b: BucketRef) => JSON.stringify([clusterName, b.provider, b.name, b.namespace?.uuid ?? '', b.namespace?.name ?? '']);

export class BucketPropsPanel {
  readonly panel: vscode.WebviewPanel;
  /** What the page shows now (tests read it). */
  state: PageState;
  private readonly uri: string;

  constructor(
    readonly clusterName: string,
    readonly bucket: BucketRef,
    private readonly actions: BucketPropsActions,
    private readonly log: vscode.LogOutputChannel,
    onDispose: () => void,
  ) {
    this.uri = objectUri(bucket);
    this.state = { bucketUri: this.uri, clusterName, sections: [] };
    this.panel = vscode.window.createWebviewPanel('aisBuckets.bucketProps', vscode.l10n.t('Properties: {0}', this.uri), vscode.ViewColumn.Active, {
      enableScripts: true,
      enableFindWidget: true,
      localResourceRoots: [],
    });
    this.panel.webview.onDidReceiveMessage((m) => void this.receive(m));
    this.panel.onDidDispose(onDispose);
  }

  /** Reads the props again and redraws the page, with `banner` on top. */
  async refresh(banner?: PageState['banner']): Promise<void> {
    try {
      const { props, kind, editable } = await this.actions.load(this.clusterName, this.bucket);
      this.state = {
        bucketUri: this.uri,
        clusterName: this.clusterName,
        sections: bucketPropsSections(props, { name: this.bucket.name, provider: this.bucket.provider, namespace: this.bucket.namespace, kind }),
        checksum: editable ? props.checksum : undefined,
        banner,
      };
    } catch (e) {
      const text = vscode.l10n.t('Could not read the properties of {0}: {1}', this.uri, errorText(e));
      this.log.warn(text);
      this.state = { bucketUri: this.uri, clusterName: this.clusterName, sections: [], banner: banner?.kind === 'error' ? banner : { kind: 'error', text } };
    }
    this.panel.webview.html = renderBucketPropsPage(this.state, { nonce: crypto.randomBytes(16).toString('hex'), lang: vscode.env.language });
  }

  /** A message from the page (the test hook too): Save, Show Raw JSON, Refresh. Anything else is ignored. */
  async receive(raw: unknown): Promise<void> {
    const m = parsePageMessage(raw);
    if (!m) return;
    if (m.type === 'raw') {
      await this.actions.showRaw(this.clusterName, this.bucket);
      return;
    }
    if (m.type === 'refresh') return this.refresh();
    try {
      const message = await this.actions.saveChecksum(this.clusterName, this.bucket, m.checksum);
      await this.refresh({ kind: 'info', text: message });
      void vscode.window.showInformationMessage(message);
    } catch (e) {
      const text = vscode.l10n.t('Could not change the checksum of {0}: {1}', this.uri, errorText(e));
      await this.refresh({ kind: 'error', text });
      void vscode.window.showErrorMessage(text);
    }
  }
}

export class BucketPropsPanels implements vscode.Disposable {
  private readonly panels = new Map<string, BucketPropsPanel>();

  constructor(
    private readonly actions: BucketPropsActions,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Opens the bucket's page, or brings its open one to the front and reads the props again. */
  async show(clusterName: string, bucket: BucketRef): Promise<BucketPropsPanel> {
    const key = keyOf(clusterName, bucket);
    let p = this.panels.get(key);
    if (p) p.panel.reveal();
    else {
      p = new BucketPropsPanel(clusterName, bucket, this.actions, this.log, () => this.panels.delete(key));
      this.panels.set(key, p);
    }
    await p.refresh();
    return p;
  }

  get(clusterName: string, bucket: BucketRef): BucketPropsPanel | undefined {
    return this.panels.get(keyOf(clusterName, bucket));
  }

  /** Redraws an open page after its bucket changed elsewhere (the checksum command). */
  async changed(clusterName: string, bucket: BucketRef): Promise<void> {
    await this.get(clusterName, bucket)?.refresh();
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.panel.dispose();
    this.panels.clear();
  }
}
