// Starts a real embedded gateway in this process on a free loopback port, with its own temp data dir.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { startGateway, Gateway, GatewayOptions } from '../../src/gateway/server';

export interface TestGateway extends Gateway {
  dataDir: string;
  s3Endpoint: string;
  s3: S3Client;
  /** Closes the gateway and removes its data dir. */
  dispose(): Promise<void>;
}

export async function startTestGateway(opts: Partial<GatewayOptions> = {}): Promise<TestGateway> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'aisb-gw-'));
  const gw = await startGateway({ host: '127.0.0.1', port: 0, ...opts, dataDir });
  const s3Endpoint = `${gw.url}/s3`;
  const s3 = s3ClientFor(s3Endpoint);
  return Object.assign(gw, {
    dataDir,
    s3Endpoint,
    s3,
    async dispose() {
      s3.destroy();
      await gw.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

export function s3ClientFor(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}
