// The store's data directory and its tmp/: every write goes to a temp file there first (same filesystem as
// the objects, so a rename puts it in place atomically).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

const TMP_PREFIX = crypto.randomBytes(8).toString('hex') + '-';
let tmpCount = 0;

export class DataDir {
  /** Directories known to exist (a write skips the mkdir). */
  private readonly madeDirs = new Set<string>();

  constructor(readonly dir: string) {}

  get tmpDir() {
    return path.join(this.dir, 'tmp');
  }

  /** A name no other temp file has: random per process, then counted (random bytes per PUT cost CPU). */
  tmpPath(): string {
    return path.join(this.tmpDir, `${TMP_PREFIX}${(++tmpCount).toString(36)}`);
  }

  async writeJsonAtomic(file: string, value: unknown, fsync = false): Promise<void> {
    const tmp = this.tmpPath();
    await fs.promises.writeFile(tmp, JSON.stringify(value, null, 1), { flush: fsync });
    await fs.promises.rename(tmp, file);
  }

  async ensureDir(dir: string): Promise<void> {
    if (this.madeDirs.has(dir)) return;
    await fs.promises.mkdir(dir, { recursive: true });
    this.madeDirs.add(dir);
  }

  /** Forgets the directories made under `dir` (removed, so a later write must make them again). */
  forgetDirsUnder(dir: string): void {
    for (const d of this.madeDirs) if (d.startsWith(dir + path.sep)) this.madeDirs.delete(d);
  }
}
