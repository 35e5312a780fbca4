// The extension's own multipart upload when the answer to its CompleteMultipartUpload is lost: a proxy on
// 127.0.0.1 forwards the first Complete to the gateway, which makes the object, then drops the connection
// before the answer reaches the client. The client sends Complete again (the SDK retries a lost answer)
// and the gateway answers that retry with the object the first one made: the upload ends as a success.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { createClusterClient } from '../../src/client';
import { uploadFile } from '../../src/client/transfer/upload';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { writeRandomFile } from '../helpers/files';
import { makeTempDir, removeDir } from '../helpers/temp';

const MiB = 1024 * 1024;

interface LosingProxy {
  url: string;
  /** Complete requests seen, and how many of their answers were dropped. */
  completes: number;
  dropped: number;
  close(): Promise<void>;
}

/** A reverse proxy to `target` that drops the answer to the first CompleteMultipartUpload it forwards. */
async function proxyLosingFirstComplete(target: string): Promise<LosingProxy> {
  const upstream = new URL(target);
  const state = { completes: 0, dropped: 0 };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const isComplete = req.method === 'POST' && url.searchParams.has('uploadId');
    const out = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        if (isComplete && state.completes++ === 0) {
          // The gateway has answered (the object exists): the client never hears it.
          state.dropped += 1;
          answer.resume();
          answer.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get completes() {
      return state.completes;
    },
    get dropped() {
      return state.dropped;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

let gw: TestGateway;
let tmp: string;
before(async () => {
  gw = await startTestGateway();
  tmp = makeTempDir('complete-retry');
});
after(async () => {
  await gw.dispose();
  removeDir(tmp);
});

for (const kind of ['s3', 'ais'] as const) {
  test(`${kind}: an upload whose CompleteMultipartUpload answer is lost ends as a success after one retry, the object whole`, async () => {
    const proxy = await proxyLosingFirstComplete(gw.url);
    try {
      const bucket = { provider: 'ais', name: `lost-${kind}` };
      await createClusterClient({ kind: 'ais', endpoint: gw.url }).createBucket(bucket);
      const client =
        kind === 's3'
          ? createClusterClient({ kind: 's3', endpoint: `${proxy.url}/s3`, accessKey: 'test', secretKey: 'test' })
          : createClusterClient({ kind: 'ais', endpoint: proxy.url });
      const file = path.join(tmp, `${kind}.bin`);
      writeRandomFile(file, 12 * MiB);
      const result = await uploadFile(client, bucket, file, 'big.bin', { partSize: 5 * MiB, attempts: 1 });
      assert.equal(proxy.dropped, 1, 'the first Complete answer was dropped');
      assert.ok(proxy.completes >= 2, `Complete was sent again (${proxy.completes})`);
      assert.match(result.etag ?? '', /-3$/, `the multipart ETag of 3 parts: ${result.etag}`);
      const res = await fetch(`${gw.url}/v1/objects/${bucket.name}/big.bin?provider=ais`);
      assert.equal(res.status, 200);
      const got = crypto.createHash('sha256').update(Buffer.from(await res.arrayBuffer())).digest('hex');
      assert.equal(got, crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex'), 'the object holds the file\'s bytes');
    } finally {
      await proxy.close();
    }
  });
}
