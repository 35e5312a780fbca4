// Edit Metadata: an object's Content-Type and user metadata, asked in two steps (Content-Type (1/2),
// Metadata (2/2), Back between them, each prefilled with what the object has) or given as arguments.
import * as vscode from 'vscode';
import type { ObjectHead, ObjectMetadataUpdate } from '../client/cluster';
import { DEFAULT_CONTENT_TYPE, isContentType } from '../client/transfer/contenttype';
import { objectUri } from '../objects/location';
import type { ClusterRegistry } from '../registry';
import type { ObjectNode, TreeNode } from '../views/model';
import { pickTarget, showFailure } from './common';
import { MultiStepInput } from './input/multistep';
import { reportMetadata } from './outcome';

/** "k=v, k2=v2" → { k: 'v', k2: 'v2' }; returns a message for bad input. */
export function parseUserMeta(text: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const part of text.split(/[,;\n]/).map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) return vscode.l10n.t('"{0}" is not key=value', part);
    const k = part.slice(0, eq).trim().toLowerCase();
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(k)) return vscode.l10n.t('"{0}": metadata keys are letters, digits, ".", "_" and "-"', k);
    out[k] = part.slice(eq + 1).trim();
  }
  return out;
}

/** "k=v, k2=v2" as the Metadata step shows the object's user metadata. */
export function formatUserMeta(meta: Record<string, string>): string {
  return Object.entries(meta)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** Why a typed Content-Type is refused; undefined when it is a type/subtype. */
export function contentTypeProblem(value: string): string | undefined {
  if (!value.trim() || isContentType(value)) return undefined;
  return vscode.l10n.t('"{0}" is not a media type: write it as type/subtype, such as image/png or application/json.', value.trim());
}

/** The two steps, prefilled from the object's HEAD; undefined when the user closed them. */
async function askMetadata(node: ObjectNode, head: ObjectHead): Promise<ObjectMetadataUpdate | undefined> {
  const uri = objectUri(node.bucket, node.key);
  // What each step holds, kept across Back.
  let contentType = head.contentType ?? DEFAULT_CONTENT_TYPE;
  let metaText = formatUserMeta(head.userMeta);
  const done = await MultiStepInput.run(vscode.l10n.t('Edit Metadata'), () => 2, async (input) => {
    await input.inputBox({
      title: vscode.l10n.t('Content-Type'),
      prompt: vscode.l10n.t('The Content-Type of {0}, as type/subtype (image/png, application/pdf, text/plain; charset=utf-8)', uri),
      value: contentType,
      validate: contentTypeProblem,
      remember: (v) => (contentType = v.trim()),
    });
    return async (next) => {
      await next.inputBox({
        title: vscode.l10n.t('Metadata'),
        prompt: vscode.l10n.t('The user metadata of {0}, as key=value pairs separated by commas (empty: none)', uri),
        placeholder: 'owner=team-a, stage=raw',
        value: metaText,
        allowEmpty: true,
        validate: (v) => {
          const r = parseUserMeta(v);
          return typeof r === 'string' ? r : undefined;
        },
        remember: (v) => (metaText = v),
      });
    };
  });
  if (!done) return undefined;
  return { contentType, userMeta: parseUserMeta(metaText) as Record<string, string> };
}

export function registerMetadataCommands(context: vscode.ExtensionContext, registry: ClusterRegistry, log: vscode.LogOutputChannel, refresh: (node?: TreeNode) => void) {
  const fail = (what: string, e: unknown) => showFailure(log, what, e);
  context.subscriptions.push(
    vscode.commands.registerCommand('aisBuckets.editMetadata', async (given?: TreeNode, update?: ObjectMetadataUpdate) => {
      // From the palette: the object, browsed.
      const node = given ?? (await pickTarget(registry, vscode.l10n.t('Edit Metadata'), { objects: true }));
      if (!given && !node) return undefined;
      if (!node || node.type !== 'object') {
        void vscode.window.showInformationMessage(vscode.l10n.t('Choose an object in the AIS Buckets view to edit its metadata.'));
        return undefined;
      }
      const client = await registry.client(node.clusterName);
      const ref = node.bucket;
      let next = update;
      try {
        if (!next) {
          next = await askMetadata(node, await client.headObject(ref, node.key));
          if (!next) return undefined;
        }
        await client.setObjectMetadata(ref, node.key, next);
        log.info(`metadata of ${objectUri(node.bucket, node.key)} set: ${JSON.stringify(next)}`);
        refresh(node);
        if (!update) reportMetadata(node, next);
        return next;
      } catch (e) {
        if (update) throw e;
        fail(vscode.l10n.t('Edit Metadata'), e);
        return undefined;
      }
    }),
  );
}
