// What deleting many objects shows: a progress notification with Cancel, and the keys that could not be
// deleted named (the first few in the message, every one in the log). Used by "Delete" on folders and
// objects and by "Delete Bucket" on an S3 bucket that still holds objects.
import * as vscode from 'vscode';
import type { DeleteFailure } from '../client/cluster';
import { withCancellableProgress } from './common';

/** How many failed keys a message names before "and N more". */
const NAMED_IN_MESSAGE = 5;

export interface DeletionRun {
  signal: AbortSignal;
  /** Objects dealt with so far, of `total` when it is known. */
  report(done: number, total?: number): void;
}

/** Runs `work` under a cancellable progress notification; Cancel aborts `run.signal`. */
export function withDeleteProgress<T>(title: string, work: (run: DeletionRun) => Promise<T>): Thenable<T> {
  return withCancellableProgress(title, (progress, abort) => {
    let shown = 0;
    return work({
      signal: abort.signal,
      report: (done, total) => {
        const increment = total ? (Math.max(0, done - shown) / total) * 100 : undefined;
        shown = done;
        progress.report({ message: total ? vscode.l10n.t('{0} of {1} objects', done, total) : vscode.l10n.t('{0} objects deleted', done), increment });
      },
    });
  });
}

/** "a, b, c, d, e and 7 more": the first failed keys, for a message (the log has them all). */
export function nameFailedKeys(failed: DeleteFailure[]): string {
  const named = failed.slice(0, NAMED_IN_MESSAGE).map((f) => f.key);
  const more = failed.length - named.length;
  return more > 0 ? vscode.l10n.t('{0} and {1} more', named.join(', '), more) : named.join(', ');
}

/** Every failed key in the log, `uriOf` naming it the way the tree does, with what the server said. */
export function logFailedKeys(log: vscode.LogOutputChannel, failed: DeleteFailure[], uriOf: (key: string) => string): void {
  for (const f of failed) log.error(`not deleted: ${uriOf(f.key)}: ${f.message}`);
}
