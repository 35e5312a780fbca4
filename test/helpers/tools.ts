// Tests that drive a real client program (s3cmd, the aws CLI) skip when it is not installed — except under
// CI, where a missing program is a failure that names it: CI must never go green on tests that did not run.
import { spawnSync } from 'node:child_process';

const TOOLS = {
  s3cmd: { what: 's3cmd', debian: 's3cmd' },
  aws: { what: 'the aws CLI', debian: 'awscli' },
} as const;

/** `false` when `cmd` runs; outside CI the skip reason; under CI it throws, failing the test file. */
export function skipUnlessInstalled(cmd: keyof typeof TOOLS): false | string {
  if (spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0) return false;
  const { what, debian } = TOOLS[cmd];
  const reason = `${what} is not installed (Debian: apt-get install ${debian}; npm test installs it as root)`;
  if (process.env.CI) throw new Error(`${reason}: under CI no test may skip for a missing tool`);
  return reason;
}
