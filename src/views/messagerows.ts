// The rows of messages in the Clusters tree: an empty state's next step (Create Bucket, Upload, Clear Filter,
// List the Whole Shard) as what a click does, and the words of a refused sign-in. Plain data.
import * as l10n from '@vscode/l10n';
import type { AuthProblem } from '../client/cluster';
import { objectUri } from '../objects/location';
import type { ItemData, MessageNode } from './model';

/** A message row; an empty state's next step is what a click on it does. */
export function messageItem(n: MessageNode): Omit<ItemData, 'accessibilityLabel'> {
  const plain = { label: n.message, tooltip: n.detail ?? n.message, collapsible: false, icon: 'info', contextValue: 'message' };
  const parent = n.parent;
  if (n.action === 'createBucket' && parent?.type === 'provider')
    return {
      ...plain,
      tooltip: l10n.t('Click to create a bucket on {0}', parent.clusterName),
      icon: 'add',
      contextValue: 'message.createBucket',
      command: { command: 'aisBuckets.createBucket', title: l10n.t('Create Bucket…'), arguments: [parent] },
    };
  if (n.action === 'upload' && (parent?.type === 'bucket' || parent?.type === 'folder'))
    return {
      ...plain,
      description: l10n.t('or drop files'),
      tooltip: l10n.t('Nothing in {0} yet: click to upload files, or drop files or folders on this row', objectUri(parent.bucket, parent.type === 'folder' ? parent.prefix : '')),
      icon: 'cloud-upload',
      contextValue: 'message.upload',
      command: { command: 'aisBuckets.upload', title: l10n.t('Upload Files…'), arguments: [parent] },
    };
  if (n.action === 'clearFilter' && (parent?.type === 'bucket' || parent?.type === 'folder'))
    return {
      ...plain,
      description: l10n.t('click to clear the filter'),
      tooltip: l10n.t('No name in {0} starts with the filter: click to show all', objectUri(parent.bucket, parent.type === 'folder' ? parent.prefix : '')),
      icon: 'filter',
      contextValue: 'message.clearFilter',
      command: { command: 'aisBuckets.clearFilter', title: l10n.t('Clear Filter'), arguments: [parent] },
    };
  if (n.action === 'fullRead' && parent?.type === 'object')
    return {
      ...plain,
      tooltip: l10n.t('{0} is a compressed TAR, which has no index to read by ranges: listing its files reads all of it once', objectUri(parent.bucket, parent.key)),
      icon: 'cloud-download',
      contextValue: 'message.fullRead',
      command: { command: 'aisBuckets.listWholeShard', title: l10n.t('List the Whole Shard'), arguments: [parent] },
    };
  return plain;
}

/** The label of the row where refused credentials were: the problem in two words, and what a click does. */
export function authRowLabel(problem: AuthProblem | undefined): string {
  switch (problem) {
    case 'token-expired':
      return l10n.t('Token expired: click to sign in');
    case 'token-invalid':
      return l10n.t('Token not accepted: click to sign in');
    case 'no-credentials':
      return l10n.t('Credentials needed: click to sign in');
    case 'unknown-key':
    case 'wrong-secret':
      return l10n.t('Keys refused: click to fix them');
    default:
      return l10n.t('Click to sign in or fix the credentials');
  }
}
