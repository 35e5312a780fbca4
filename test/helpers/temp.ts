// Temp dirs for tests: each under the OS temp dir, named aisb-LABEL-XXXXXX so a leftover says who made it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export function makeTempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `aisb-${label}-`));
}

/** Removes a dir and everything in it; nothing happens when it is already gone. */
export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
