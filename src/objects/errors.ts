// What went wrong, as a user reads it: one text for any failure (a client error, a local file error,
// anything thrown), and its first sentence where there is little room.
import * as l10n from '@vscode/l10n';
import { isClientError } from '../client/cluster';

export function errorText(e: unknown): string {
  // A client error's message is already written for the user (its `code` is the server's, for logs).
  if (isClientError(e)) return e.message;
  if (e instanceof Error) {
    const { code, path } = e as NodeJS.ErrnoException;
    if (code === 'EACCES' || code === 'EPERM') return l10n.t('Permission denied: {0}. Choose a folder you can write to.', path ?? e.message);
    if (code === 'ENOSPC') return l10n.t('The disk is full.');
    return e.message;
  }
  return String(e);
}

/** The first sentence: a tree row has little room; the tooltip has the rest. */
export function firstSentence(message: string): string {
  const first = message.split(/(?<=\.)\s/)[0];
  return first.length > 120 ? first.slice(0, 117) + '…' : first;
}
