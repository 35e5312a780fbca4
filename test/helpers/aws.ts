// A temporary HOME with the AWS fixture files (test/fixtures/aws) as ~/.aws/config and ~/.aws/credentials,
// their @NODE@ and @FIXTURES@ replaced by this Node and the fixture dir, and the environment that points
// the AWS SDK at them and at nothing else (no real ~/.aws, no instance metadata).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempDir, removeDir } from './temp';

// Built to out/test/unit/; fixtures stay in the source tree.
export const awsFixtures = path.resolve(__dirname, '../../../test/fixtures/aws');

export interface AwsHome {
  home: string;
  config: string;
  credentials: string;
  /** HOME, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE set; every other AWS_* variable left out. */
  env: NodeJS.ProcessEnv;
  /** Writes a file under the HOME's .aws dir from a fixture (or text), with the same substitutions. */
  write(name: string, fixtureOrText: string, isText?: boolean): string;
  dispose(): void;
}

export function makeAwsHome(files: { config?: string; credentials?: string } = {}): AwsHome {
  const home = makeTempDir('awshome');
  const dir = path.join(home, '.aws');
  fs.mkdirSync(dir);
  const write = (name: string, source: string, isText = false) => {
    const text = isText ? source : fs.readFileSync(path.join(awsFixtures, source), 'utf8');
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text.replaceAll('@NODE@', process.execPath).replaceAll('@FIXTURES@', awsFixtures));
    return file;
  };
  const config = write('config', files.config ?? 'config');
  const credentials = write('credentials', files.credentials ?? 'credentials');
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_EC2_METADATA_DISABLED: 'true' };
  return { home, config, credentials, env, write, dispose: () => removeDir(home) };
}

/**
 * Runs with process.env replaced by `env` (the SDK's SSO and default-chain providers read process.env,
 * not the env we pass), restoring it after. Every AWS_* variable of the real environment is out meanwhile.
 */
export async function withProcessEnv<T>(env: NodeJS.ProcessEnv, fn: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_') || k === 'HOME') delete process.env[k];
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}
