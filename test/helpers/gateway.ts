// Starts a real embedded gateway in this process on a free loopback port, with its own temp data dir.
import { S3Client } from '@aws-sdk/client-s3';
import { startGateway, Gateway, GatewayOptions } from '../../src/gateway/server';
import { makeTempDir, removeDir } from './temp';

export interface TestGateway extends Gateway {
  dataDir: string;
  s3Endpoint: string;
  s3: S3Client;
  /** Closes the gateway and removes its data dir. */
  dispose(): Promise<void>;
}

export async function startTestGateway(opts: Partial<GatewayOptions> = {}): Promise<TestGateway> {
  const dataDir = opts.dataDir ?? makeTempDir('gw');
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
      removeDir(dataDir);
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

/** The `remote` option that puts `gw` behind another gateway's aws provider, as the S3 service it backs. */
export function s3RemoteOf(gw: TestGateway): GatewayOptions['remote'] {
  return { endpoint: gw.s3Endpoint, accessKey: 'test', secretKey: 'test' };
}
