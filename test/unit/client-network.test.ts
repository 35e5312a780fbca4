import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { startTestGateway } from '../helpers/gateway';
import { AisClusterClient } from '../../src/client/ais/client';
import { S3ClusterClient } from '../../src/client/s3';
import { ClientError } from '../../src/client/cluster';
import { expectClientError } from '../helpers/client-error';
import { readAll } from '../helpers/data';
import { closedPort, forwardProxy, stallingServer } from '../helpers/servers';
import { testCaFile, testTls } from '../helpers/tls';
import { makeTempDir, removeDir } from '../helpers/temp';

test('AIS client through an HTTP proxy: absolute-form HTTP (redirects too), CONNECT for HTTPS', async () => {
  const proxy = await forwardProxy();
  const gw = await startTestGateway({ redirect: true });
  const tlsGw = await startTestGateway({ tls: testTls() });
  const tmp = makeTempDir('proxy');
  try {
    const client = new AisClusterClient({ kind: 'ais', endpoint: gw.url, proxy: { host: proxy.host, port: proxy.port } });
    await client.createBucket({ name: 'via', provider: 'ais' });
    const file = path.join(tmp, 'f.bin');
    const data = crypto.randomBytes(100_000);
    fs.writeFileSync(file, data);
    await client.putObject({ name: 'via', provider: 'ais' }, 'f.bin', { path: file });
    assert.ok((await readAll((await client.getObject({ name: 'via', provider: 'ais' }, 'f.bin')).body)).equals(data));
    client.dispose();
    assert.ok(proxy.forwarded.some((r) => r.startsWith(`POST ${gw.url}/v1/buckets/via`)), proxy.forwarded.join('\n'));
    // the 307 to the target listener was followed through the proxy as well
    assert.ok(proxy.forwarded.some((r) => r.startsWith(`PUT ${gw.targetUrl}/v1/objects/via/f.bin`)), proxy.forwarded.join('\n'));

    let secure = new AisClusterClient({ kind: 'ais', endpoint: tlsGw.url, proxy: { host: proxy.host, port: proxy.port }, tls: { caFile: testCaFile } });
    assert.deepEqual(await secure.listBuckets(), []);
    secure.dispose();
    assert.deepEqual(proxy.tunnels, [`127.0.0.1:${tlsGw.port}`]);
    // TLS runs end to end: the certificate is still checked through the tunnel
    secure = new AisClusterClient({ kind: 'ais', endpoint: tlsGw.url, proxy: { host: proxy.host, port: proxy.port } });
    await expectClientError(secure.listBuckets(), 'tls', /TLS handshake/);
    secure.dispose();
  } finally {
    await proxy.close();
    await gw.dispose();
    await tlsGw.dispose();
    removeDir(tmp);
  }
});

test('S3 client through an HTTP proxy (CONNECT tunnels for http and https)', async () => {
  const proxy = await forwardProxy();
  const gw = await startTestGateway();
  const tlsGw = await startTestGateway({ tls: testTls() });
  try {
    const keys = { accessKey: 'k', secretKey: 's', proxy: { host: proxy.host, port: proxy.port } };
    let client = new S3ClusterClient({ kind: 's3', endpoint: gw.s3Endpoint, ...keys });
    await client.createBucket({ name: 'tunneled', provider: 's3' });
    assert.deepEqual((await client.listBuckets()).map((b) => b.name), ['tunneled']);
    client.dispose();
    client = new S3ClusterClient({ kind: 's3', endpoint: tlsGw.s3Endpoint, ...keys, tls: { caFile: testCaFile } });
    assert.deepEqual(await client.listBuckets(), []);
    client.dispose();
    assert.ok(proxy.tunnels.includes(`127.0.0.1:${gw.port}`) && proxy.tunnels.includes(`127.0.0.1:${tlsGw.port}`), proxy.tunnels.join(','));
    assert.deepEqual(proxy.forwarded, []);
  } finally {
    await proxy.close();
    await gw.dispose();
    await tlsGw.dispose();
  }
});

test('proxy failures name the proxy: nobody listening, cluster behind it down', async () => {
  const noProxy = new URL(await closedPort());
  const gw = await startTestGateway();
  const proxy = await forwardProxy();
  const deadCluster = await closedPort();
  try {
    const via = { host: noProxy.hostname, port: Number(noProxy.port) };
    let ais = new AisClusterClient({ kind: 'ais', endpoint: gw.url, proxy: via });
    await expectClientError(ais.listBuckets(), 'unreachable', /^Cannot reach the proxy 127\.0\.0\.1:\d+ for http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\. Check proxy_host and proxy_port/);
    ais.dispose();
    let s3 = new S3ClusterClient({ kind: 's3', endpoint: gw.s3Endpoint, proxy: via });
    await expectClientError(s3.listBuckets(), 'unreachable', /^Cannot reach the proxy 127\.0\.0\.1:\d+/);
    s3.dispose();

    const up = { host: proxy.host, port: proxy.port };
    ais = new AisClusterClient({ kind: 'ais', endpoint: deadCluster, proxy: up });
    await expectClientError(ais.listBuckets(), 'server', /\(502\)/);
    ais.dispose();
    s3 = new S3ClusterClient({ kind: 's3', endpoint: deadCluster, proxy: up });
    await expectClientError(s3.listBuckets(), 'unreachable', /^The proxy 127\.0\.0\.1:\d+ refused to connect to http:\/\/127\.0\.0\.1:\d+ \(502\)/);
    s3.dispose();
  } finally {
    await proxy.close();
    await gw.dispose();
  }
});

test('a download that stalls mid-body ends with a timeout ClientError on the stream, both clients', async () => {
  const stall = await stallingServer(1000, Buffer.alloc(10, 1));
  try {
    const ais = new AisClusterClient({ kind: 'ais', endpoint: stall.url, timeoutMs: 300 });
    const s3 = new S3ClusterClient({ kind: 's3', endpoint: stall.url, timeoutMs: 300 });
    for (const client of [ais, s3]) {
      const download = await client.getObject({ name: 'b', provider: client.kind === 'ais' ? 'ais' : 's3' }, 'k');
      assert.equal(download.contentLength, 1000);
      const started = Date.now();
      await expectClientError(readAll(download.body), 'timeout');
      assert.ok(Date.now() - started < 5000);
      client.dispose();
    }
  } finally {
    await stall.close();
  }
});

test('check_ssl_hostname = False: the chain is verified, the host name is not', async () => {
  // 127.0.0.2 is loopback too, but the test certificate names only 127.0.0.1 and localhost
  const gw = await startTestGateway({ host: '127.0.0.2', tls: testTls() });
  try {
    for (const kind of ['ais', 's3'] as const) {
      const endpoint = kind === 'ais' ? gw.url : gw.s3Endpoint;
      const make = (tls: { caFile?: string; verifyHostname?: boolean }) => (kind === 'ais' ? new AisClusterClient({ kind, endpoint, tls }) : new S3ClusterClient({ kind, endpoint, tls }));
      let client = make({ caFile: testCaFile });
      const err = await expectClientError(client.listBuckets(), 'tls', /ERR_TLS_CERT_ALTNAME_INVALID/);
      assert.equal(err.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
      client.dispose();
      client = make({ caFile: testCaFile, verifyHostname: false });
      assert.deepEqual(await client.listBuckets(), []);
      client.dispose();
      client = make({ verifyHostname: false });
      await expectClientError(client.listBuckets(), 'tls', /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|unable to verify/i);
      client.dispose();
    }
  } finally {
    await gw.dispose();
  }
});

test("a body stream that fails (a cancelled upload) fails the PUT at once with the caller's own error", async () => {
  const gw = await startTestGateway();
  try {
    for (const client of [new AisClusterClient({ kind: 'ais', endpoint: gw.url }), new S3ClusterClient({ kind: 's3', endpoint: gw.s3Endpoint, accessKey: 'k', secretKey: 's' })]) {
      const bucket = { name: `cancel-${client.kind}`, provider: client.kind === 'ais' ? 'ais' : 's3' };
      await client.createBucket(bucket);
      const cancelled = new Error('cancelled by the test');
      const body = new PassThrough();
      body.write(Buffer.alloc(64 * 1024, 1));
      setTimeout(() => body.destroy(cancelled), 100);
      const started = Date.now();
      await assert.rejects(client.putObject(bucket, 'half', { open: () => body, size: 10 * 1024 * 1024 }), (err: unknown) => err === cancelled);
      assert.ok(Date.now() - started < 5000, 'no waiting for a timeout');
      await assert.rejects(client.headObject(bucket, 'half'), (err: unknown) => err instanceof ClientError && err.kind === 'not-found');
      client.dispose();
    }
  } finally {
    await gw.dispose();
  }
});
