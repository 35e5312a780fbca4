// Paths under the user's home folder as messages show them ("~/.s3cfg") and as users type them
// ("~/.config/ais/cli/auth.token"). `home` is a parameter so that readers of HOME-relative config (the
// AWS files, the ais CLI's) can be tested with a home of their own.
import * as os from 'node:os';
import * as path from 'node:path';

/** "/home/u/.s3cfg" → "~/.s3cfg": short enough to read in a notification. */
export function displayPath(file: string, home: string = os.homedir()): string {
  return home && (file === home || file.startsWith(home + path.sep)) ? '~' + file.slice(home.length) : file;
}

/** "~/x" (or "~") → "/home/u/x"; anything else as it is. */
export function expandHome(p: string, home: string = os.homedir()): string {
  return p === '~' || p.startsWith('~/') || p.startsWith(`~${path.sep}`) ? path.join(home, p.slice(1)) : p;
}
