// What a start does about the last process's death: completes it interrupted are finished or undone, and
// tmp/ (writes in flight) is emptied.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BucketState } from './buckets';
import { DataDir } from './datadir';
import { UPLOAD_ID, Uploads } from './multipart';

export async function recoverAtStart(data: DataDir, buckets: Iterable<BucketState>, uploads: Uploads): Promise<void> {
  // Before tmp/ is emptied: a complete's marker may name a file in tmp/ (not renamed yet).
  for (const b of buckets) await recoverCompletes(b, uploads);
  // Whatever was in flight when the last process died is garbage: objects only become visible by rename.
  await fs.promises.rm(data.tmpDir, { recursive: true, force: true });
  await fs.promises.mkdir(data.tmpDir, { recursive: true });
}

/** Finishes or undoes the completes that a crash interrupted (see COMPLETE_MARKER). */
async function recoverCompletes(b: BucketState, uploads: Uploads): Promise<void> {
  let ids: string[] = [];
  try {
    ids = await fs.promises.readdir(path.join(b.dir, 'uploads'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  for (const id of ids) if (UPLOAD_ID.test(id)) await uploads.settleComplete(b, id);
}
