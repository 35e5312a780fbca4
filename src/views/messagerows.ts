// The rows of messages in the Clusters tree: an empty state's next step (Create Bucket, Upload, Clear Filter,
// List the Whole Shard) as what a click does, and the words of a refused sign-in. Plain data.
import * as l10n from '@vscode/l10n';
import type { AuthProblem } from '../client/cluster';
import { objectUri } from '../objects/location';
import { leafName } from '../objects/names';
import type { ItemData, LoadMoreNode, MessageNode } from './model';

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
function authRowLabel(problem: AuthProblem | undefined): string {
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

/** A row above a listing that lists something before it again (the start, or the page above the window). */
function upRow(n: LoadMoreNode, id: string, label: string, description: string, tooltip: string, title: string): ItemData {
  return {
    id,
    label,
    description,
    tooltip,
    accessibilityLabel: `${label} ${description}`,
    collapsible: false,
    icon: 'arrow-up',
    contextValue: 'loadMore',
    command: { command: 'aisBuckets.loadMore', title, arguments: [n] },
  };
}

/**
 * "Load more…" below a page; above one, "Show from the start…" (a listing Go to Key began at a name) or
 * "Load previous…" (a window of pages that dropped earlier ones).
 */
export function loadMoreItem(n: LoadMoreNode, id: string, pageSize: number): ItemData {
  if (n.from !== undefined)
    return upRow(
      n,
      id,
      l10n.t('Show from the start…'),
      l10n.t('listed from "{0}"', leafName(n.from, n.parent.type === 'folder' ? n.parent.prefix : '')),
      l10n.t('Go to Key listed this level from the name you asked for; list it from its first name again'),
      l10n.t('Show from the Start'),
    );
  if (n.previous)
    return upRow(
      n,
      id,
      l10n.t('Load previous…'),
      l10n.t('{0} before these', n.loaded.toLocaleString()),
      l10n.t('The tree keeps only the last few pages loaded; list the page before them again'),
      l10n.t('Load Previous'),
    );
  const shown = n.skipped ? l10n.t('{0}–{1} shown', (n.skipped + 1).toLocaleString(), n.loaded.toLocaleString()) : l10n.t('{0} shown', n.loaded);
  return {
    id,
    label: l10n.t('Load more…'),
    description: shown,
    tooltip: l10n.t('Load the next {0}', pageSize),
    accessibilityLabel: l10n.t('Load more, {0}', shown),
    collapsible: false,
    icon: 'ellipsis',
    contextValue: 'loadMore',
    command: { command: 'aisBuckets.loadMore', title: l10n.t('Load More'), arguments: [n] },
  };
}

/** A row where listing failed: a click retries; refused credentials lead with what to do. */
export function errorItem(n: MessageNode): ItemData {
  if (n.auth) {
    // What to do leads: the message names the endpoint first, and a side bar cuts a long label
    // (and the description after it) off before "expired" or "click".
    const label = authRowLabel(n.auth.problem);
    return {
      label,
      description: n.message,
      tooltip: n.detail ?? n.message,
      accessibilityLabel: `${label}. ${n.detail ?? n.message}`,
      collapsible: false,
      icon: 'key',
      iconColor: 'error',
      contextValue: 'authError',
      command: { command: 'aisBuckets.signIn', title: l10n.t('Sign In Again'), arguments: [n] },
    };
  }
  return {
    label: n.message,
    tooltip: n.detail ?? n.message,
    accessibilityLabel: l10n.t('error: {0}', n.detail ?? n.message),
    collapsible: false,
    icon: 'error',
    iconColor: 'error',
    contextValue: 'error',
    ...(n.parent ? { command: { command: 'aisBuckets.retry', title: l10n.t('Retry'), arguments: [n] } } : {}),
  };
}
