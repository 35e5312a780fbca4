// The gateway's start does not grow with the object count: on a bucket of 100,000 objects (STARTUP_KEYS; the
// bench script scripts/bench/startup.mjs measures 1,000,000),
// a start after a clean stop answers its first listing within 2 s of the spawn, and the listing is complete.
// The objects are written as files in the store's format; the first start rebuilds the index from them (an
// older data dir), and its listing must be complete too.
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { writeObjectFiles } from '../helpers/objectfiles';
import { gatewayProgram, startGatewayProcess, GatewayProcess } from '../helpers/program';
import { makeTempDir, removeDir } from '../helpers/temp';

const COUNT = Number(process.env.STARTUP_KEYS ?? 100_000);
const keyOf = (i: number) => `dir${i % 50}/obj-${String(i).padStart(7, '0')}`;

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** Every key of the bucket, paged through the S3 listing. */
async function listAll(base: string): Promise<string[]> {
  const keys: string[] = [];
  for (let token = ''; ; ) {
    const r = await get(`${base}/s3/big?list-type=2&max-keys=1000${token ? `&continuation-token=${encodeURIComponent(token)}` : ''}`);
    assert.equal(r.status, 200, r.body);
    for (const m of r.body.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(m[1]);
    const next = /<NextContinuationToken>([^<]+)</.exec(r.body);
    if (!next) return keys;
    token = next[1];
  }
}

describe(`gateway start on ${COUNT.toLocaleString('en-US')} objects`, () => {
  let tmp: string;
  let script: string;
  let gw: GatewayProcess | undefined;

  before(async () => {
    tmp = makeTempDir('startup');
    script = await gatewayProgram(tmp);
  });
  after(async () => {
    await gw?.kill();
    removeDir(tmp);
  });

  test('a start after a clean stop answers the first listing within 2 s; every listing is complete', async () => {
    const dataDir = path.join(tmp, 'data');
    const bucketDir = path.join(dataDir, 'buckets', 'ais', 'big');
    gw = await startGatewayProcess(script, ['--data', dataDir]);
    await new Promise<void>((resolve, reject) =>
      http.request(`${gw!.url}/s3/big`, { method: 'PUT', agent: false }, (res) => (res.resume(), res.statusCode === 200 ? resolve() : reject(new Error(`create bucket: ${res.statusCode}`)))).on('error', reject).end(),
    );
    await gw.kill('SIGTERM');
    for (const f of fs.readdirSync(bucketDir)) if (f.startsWith('index.')) fs.rmSync(path.join(bucketDir, f));
    await writeObjectFiles(bucketDir, COUNT, keyOf);
    const want = Array.from({ length: COUNT }, (_, i) => keyOf(i)).sort();

    // No index file: rebuilt from the objects' trailers (slow, once), then written at the stop.
    let t = Date.now();
    gw = await startGatewayProcess(script, ['--data', dataDir]);
    assert.deepEqual(await listAll(gw.url), want, 'the rebuilt listing');
    const rebuildMs = Date.now() - t;
    await gw.kill('SIGTERM');
    assert.ok(fs.existsSync(path.join(bucketDir, 'index.snap')), 'a clean stop writes the index file');

    t = Date.now();
    gw = await startGatewayProcess(script, ['--data', dataDir]);
    const listeningMs = Date.now() - t;
    const first = await get(`${gw.url}/s3/big?list-type=2&max-keys=1000`);
    const firstMs = Date.now() - t;
    assert.equal(first.status, 200);
    assert.deepEqual([...first.body.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]), want.slice(0, 1000));
    assert.ok(firstMs < 2000, `first listing ${firstMs} ms after the spawn (listening after ${listeningMs} ms)`);
    assert.deepEqual(await listAll(gw.url), want, 'the listing from the index file');
    console.log(`${COUNT} objects: rebuild start + full listing ${rebuildMs} ms; from the index file: listening ${listeningMs} ms, first listing ${firstMs} ms`);
  });
});
