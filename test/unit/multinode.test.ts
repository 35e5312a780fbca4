// A local multi-node cluster (node dist/gateway.js --targets 3): one proxy and three target processes.
// Objects are placed by AIStore's HRW (checked against vectors computed apart from this code:
// scripts/hrw-vectors.py, with the C xxHash library and AIStore's Python SDK formulas), native object
// requests are redirected to their target, S3 ones forwarded, listings merged and paged across targets;
// a killed target leaves the cluster map, its objects answer 503, the rest keeps working; killing the
// proxy leaves no target behind.
/* eslint-disable @typescript-eslint/no-explicit-any -- wire replies are untyped JSON, checked field by field */
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createClusterClient } from '../../src/client';
import type { AisClusterClient } from '../../src/client/ais/client';
import { ClientError } from '../../src/client/cluster';
import { uploadFiles } from '../../src/client/transfer/upload';
import { hrwTarget, idDigest, initHrw, objectUname, xoshiro256Hash } from '../../src/gateway/multinode/hrw';
import { bodyOf, readAll } from '../helpers/data';
import { tarOf } from './shard-fixtures';
import { request } from '../helpers/http';
import { gatewayProgram, startGatewayProcess, GatewayProcess } from '../helpers/program';
import { makeTempDir, removeDir } from '../helpers/temp';

interface Target {
  id: string;
  pid: number;
  url: string;
  dataDir: string;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 8000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function filesUnder(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).length;
}

function targetsOf(output: string): Target[] {
  return [...output.matchAll(/target t\[(\w+)\] pid (\d+) at (http:\/\/\S+), data: (.+)/g)].map((m) => ({ id: m[1], pid: Number(m[2]), url: m[3], dataDir: m[4].trim() }));
}

// gatewayProgram may bundle the program into its dir (when dist/ is stale): one dir for every suite here.
let programDir: string | undefined;
const program = () => gatewayProgram((programDir ??= makeTempDir('multinode-program')));
after(() => programDir && removeDir(programDir));

describe('HRW placement (core/meta/hrw.go)', () => {
  before(() => initHrw());

  test('xoshiro256.Hash matches AIStore Python SDK test vectors (python/tests/unit/sdk/test_utils.py)', () => {
    assert.equal(xoshiro256Hash(123456789n), 5288836854215336256n);
    assert.equal(xoshiro256Hash(0n), 1905207664160064169n);
    assert.equal(xoshiro256Hash((1n << 64n) - 1n), 10227601306713020730n);
  });

  test('IDDigest and placement match vectors from the C xxHash library (scripts/hrw-vectors.py)', () => {
    assert.equal(idDigest('pCRjFine'), 15211482657743996609n);
    assert.equal(idDigest('VnVoanXX'), 4732596725762107886n);
    assert.equal(idDigest('MVZBknaW'), 18262441327823108869n);
    assert.equal(idDigest('RDmEQlcX'), 1896143148358540411n);
    const nodes = ['pCRjFine', 'VnVoanXX', 'MVZBknaW'].map((id) => ({ id, digest: idDigest(id) }));
    const expected: [string, string, string][] = [
      ['b1', 'o1', 'VnVoanXX'],
      ['b1', 'o2', 'VnVoanXX'],
      ['b1', 'o5', 'MVZBknaW'],
      ['b1', 'o6', 'MVZBknaW'],
      ['photos', '2024/cat.jpg', 'VnVoanXX'],
      ['data', 'shard-000017.tar', 'VnVoanXX'],
      ['b', 'ключ/ü.txt', 'MVZBknaW'],
      ['vec', 'obj-0', 'VnVoanXX'],
      ['vec', 'obj-1', 'MVZBknaW'],
      ['vec', 'obj-5', 'pCRjFine'],
      ['vec', 'obj-8', 'pCRjFine'],
      ['vec', 'obj-9', 'MVZBknaW'],
      ['vec', 'obj-10', 'pCRjFine'],
      ['vec', 'obj-11', 'VnVoanXX'],
    ];
    for (const [bucket, key, id] of expected) assert.equal(hrwTarget(nodes, objectUname('ais', bucket, key))?.id, id, `${bucket}/${key}`);
    assert.equal(objectUname('ais', 'b1', 'a/b'), 'ais/@#/b1/a/b');
  });
});

describe('multi-node cluster (--targets 3)', () => {
  let tmp: string;
  let dataDir: string;
  let proc: GatewayProcess;
  let targets: Target[];
  let client: AisClusterClient;
  let s3: S3Client;
  const bucket = { provider: 'ais', name: 'mnb' };
  const keys = Array.from({ length: 300 }, (_, i) => `${i % 3 === 0 ? 'dir/' : ''}obj-${String(i).padStart(3, '0')}`);
  const content = (k: string) => `content of ${k}`;
  const nodes = () => targets.map((t) => ({ ...t, digest: idDigest(t.id) }));
  const owner = (k: string) => hrwTarget(nodes(), objectUname('ais', bucket.name, k))!;
  const smap = async () => (await request('GET', `${proc.url}/v1/daemon?what=smap`)).json as any;

  before(async () => {
    await initHrw();
    tmp = makeTempDir('multinode');
    dataDir = path.join(tmp, 'cluster');
    proc = await startGatewayProcess(await program(), ['--targets', '3', '--data', dataDir]);
    await waitFor('the target lines', () => targetsOf(proc.output()).length === 3);
    targets = targetsOf(proc.output());
    client = createClusterClient({ kind: 'ais', endpoint: proc.url }) as AisClusterClient;
    s3 = new S3Client({ endpoint: `${proc.url}/s3`, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
  });
  after(async () => {
    s3?.destroy();
    await proc?.kill();
    for (const t of targets ?? []) if (alive(t.pid)) process.kill(t.pid, 'SIGKILL');
    removeDir(tmp);
  });

  test('the cluster map lists 1 proxy and 3 targets, each at its own port with its IDDigest', async () => {
    const m = await smap();
    assert.equal(Object.keys(m.pmap).length, 1);
    assert.equal(m.proxy_si.public_net.direct_url, proc.url);
    assert.deepEqual(Object.keys(m.tmap).sort(), targets.map((t) => t.id).sort());
    const ports = new Set<string>([m.proxy_si.public_net.daemon_port]);
    for (const t of targets) {
      const s = m.tmap[t.id];
      assert.equal(s.daemon_type, 'target');
      assert.equal(s.public_net.direct_url, t.url);
      ports.add(s.public_net.daemon_port);
      // id_digest is a uint64 JSON number: compare its text, not a lossy double.
      const raw = (await request('GET', `${proc.url}/v1/daemon?what=smap`)).body.toString();
      assert.match(raw, new RegExp(`"daemon_id":"${t.id}","flags":0,"id_digest":${idDigest(t.id)}`));
      assert.equal(t.dataDir, path.join(dataDir, `t${targets.indexOf(t)}`));
    }
    assert.equal(ports.size, 4);
  });

  test('300 PUTs (AIS client and AWS SDK) spread over all 3 targets, each where HRW puts it', async () => {
    await client.createBucket(bucket);
    for (const t of targets) assert.ok(fs.existsSync(path.join(t.dataDir, 'buckets', 'ais', bucket.name)), `bucket created on t[${t.id}]`);
    for (let i = 0; i < keys.length; i += 10) {
      await Promise.all(
        keys.slice(i, i + 10).map((k, j) =>
          (i + j) % 2 === 0
            ? client.putObject(bucket, k, bodyOf(content(k)))
            : s3.send(new PutObjectCommand({ Bucket: bucket.name, Key: k, Body: content(k) })),
        ),
      );
    }
    for (const t of targets) {
      const mine = keys.filter((k) => owner(k).id === t.id);
      assert.ok(mine.length > 50, `t[${t.id}] gets a fair share (${mine.length})`);
      assert.ok(filesUnder(path.join(t.dataDir, 'buckets', 'ais', bucket.name, 'objects')) >= mine.length, `t[${t.id}]'s data dir holds its objects`);
      // Each target lists exactly the objects HRW maps to it.
      const own = (await request('GET', `${t.url}/v1/buckets/${bucket.name}`, { json: { action: 'list', value: { props: 'name' } } })).json as any;
      assert.deepEqual(own.entries.map((e: any) => e.name).sort(), [...mine].sort());
    }
  });

  test('a native GET is redirected (301) to the HRW target with pid and utm, and round-trips', async () => {
    const k = keys[7];
    const r = await request('GET', `${proc.url}/v1/objects/${bucket.name}/${k}?provider=ais`);
    assert.equal(r.status, 301);
    const loc = new URL(String(r.headers.location));
    assert.equal(loc.origin, owner(k).url);
    assert.equal(loc.searchParams.get('pid'), Object.keys((await smap()).pmap)[0]);
    assert.match(loc.searchParams.get('utm') ?? '', /^\d{19}$/);
    const put = await request('PUT', `${proc.url}/v1/objects/${bucket.name}/${k}`, { body: Buffer.from('x') });
    assert.equal(put.status, 307);
    assert.equal(new URL(String(put.headers.location)).origin, owner(k).url);
    // The client follows to every target.
    const seen = new Set<string>();
    for (const key of keys.slice(0, 30)) {
      const d = await client.getObject(bucket, key);
      assert.equal((await readAll(d.body)).toString(), content(key));
      seen.add(owner(key).id);
    }
    assert.equal(seen.size, 3);
    const g = await s3.send(new GetObjectCommand({ Bucket: bucket.name, Key: keys[1] }));
    assert.equal(await g.Body!.transformToString(), content(keys[1]));
  });

  test('a file upload the proxy redirects (307) counts the file once: its progress and its size', async () => {
    // The client sends the body at once; the proxy answers 307 after its first chunks, and the file goes again.
    const file = path.join(tmp, 'redirected.bin');
    const data = Buffer.alloc(300 * 1024 + 7, 'r');
    fs.writeFileSync(file, data);
    const seen: number[] = [];
    try {
      const result = await uploadFiles(client, bucket, [{ file, key: 'up/redirected.bin', size: data.length }], { onProgress: (p) => seen.push(p.bytesDone) });
      assert.equal(result.bytes, data.length, 'the bytes uploaded are the file\'s, not what was sent before the redirect as well');
      assert.ok(Math.max(...seen) <= data.length, `progress never passes the file's size: ${Math.max(...seen)}`);
      assert.ok((await readAll((await client.getObject(bucket, 'up/redirected.bin')).body)).equals(data));
    } finally {
      await client.deleteObject(bucket, 'up/redirected.bin').catch(() => undefined); // the listings below want `keys` only
    }
  });

  test('a one-time stream larger than a client replays goes up through the redirect whole', async () => {
    // Sent behind Expect: 100-continue; the proxy's 307 must come before the body, or the client would
    // have to replay more than it keeps.
    const data = Buffer.alloc(12 * 1024 * 1024 + 5);
    for (let i = 0; i < data.length; i += 4096) data[i] = i % 251;
    try {
      await client.putObject(bucket, 'up/stream.bin', { stream: Readable.from([data.subarray(0, 5 * 1024 * 1024), data.subarray(5 * 1024 * 1024)]) });
      assert.ok((await readAll((await client.getObject(bucket, 'up/stream.bin')).body)).equals(data));
    } finally {
      await client.deleteObject(bucket, 'up/stream.bin').catch(() => undefined); // the listings below want `keys` only
    }
  });

  test('the proxy lists the bucket complete and sorted, paging across targets (native and S3)', async () => {
    const sorted = [...keys].sort();
    const native: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.listObjects(bucket, { folders: false, pageSize: 7, token });
      assert.ok(page.objects.length <= 7);
      native.push(...page.objects.map((o) => o.key));
      token = page.nextToken;
      pages++;
    } while (token && pages < 100);
    assert.deepEqual(native, sorted);
    assert.equal(pages, Math.ceil(keys.length / 7));
    const viaS3: string[] = [];
    let ct: string | undefined;
    do {
      const r = await s3.send(new ListObjectsV2Command({ Bucket: bucket.name, MaxKeys: 13, ContinuationToken: ct }));
      viaS3.push(...(r.Contents ?? []).map((c) => c.Key!));
      ct = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (ct);
    assert.deepEqual(viaS3, sorted);
    const folders = await client.listObjects(bucket, { folders: true });
    assert.deepEqual(folders.folders, ['dir/']);
    assert.equal(folders.objects.length, keys.filter((k) => !k.startsWith('dir/')).length);
  });

  test('a shard lists its members through the proxy (merged by name, "s.tar.bak" before them) and a member reads by archpath', async () => {
    const tar = await tarOf([
      { name: 'a/001.jpg', data: Buffer.from('jpeg 1') },
      { name: 'a/001.json', data: Buffer.from('{"n":1}') },
      { name: 'b.txt', data: Buffer.from('plain') },
    ]);
    const shards = { provider: 'ais', name: 'mn-shards' };
    await client.createBucket(shards);
    await client.putObject(shards, 'ds/s.tar', { stream: Readable.from([tar]), size: tar.length });
    await client.putObject(shards, 'ds/s.tar.bak', { stream: Readable.from([Buffer.from('not this')]) });
    for (const pageSize of [2, 1000]) {
      const names: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.shards.list(shards, 'ds/s.tar', { pageSize, token });
        names.push(...page.members.map((m) => m.name));
        token = page.nextToken;
      } while (token);
      assert.deepEqual(names, ['a/001.jpg', 'a/001.json', 'b.txt'], `pages of ${pageSize}`);
    }
    const { body } = await client.shards.open(shards, 'ds/s.tar', 'a/001.json');
    assert.equal((await readAll(body)).toString(), '{"n":1}');
  });

  test('a target that stops answering keepalive (SIGSTOP) leaves the map, and comes back after SIGCONT', async () => {
    const hung = targets[0];
    process.kill(hung.pid, 'SIGSTOP');
    try {
      await waitFor('keepalive to drop the hung target', async () => !(hung.id in (await smap()).tmap), 6000);
      const k = keys.find((key) => owner(key).id === hung.id)!;
      const r = await request('HEAD', `${proc.url}/v1/objects/${bucket.name}/${k}`);
      assert.equal(r.status, 503);
    } finally {
      process.kill(hung.pid, 'SIGCONT');
    }
    await waitFor('keepalive to take the target back', async () => hung.id in (await smap()).tmap, 6000);
    const k = keys.find((key) => owner(key).id === hung.id)!;
    assert.equal((await readAll((await client.getObject(bucket, k)).body)).toString(), content(k));
  });

  test('a killed target leaves the cluster map; its objects answer 503 naming it; the rest works', async () => {
    const victim = targets[1];
    const before = Number((await smap()).version);
    process.kill(victim.pid, 'SIGKILL');
    await waitFor('the smap to drop the killed target', async () => !(victim.id in (await smap()).tmap), 5000);
    const m = await smap();
    assert.equal(Object.keys(m.tmap).length, 2);
    assert.ok(Number(m.version) > before, 'the smap version goes up');
    const lost = keys.filter((k) => owner(k).id === victim.id);
    const kept = keys.filter((k) => owner(k).id !== victim.id);
    const r = await request('GET', `${proc.url}/v1/objects/${bucket.name}/${lost[0]}`);
    assert.equal(r.status, 503);
    assert.match((r.json as any).message, new RegExp(`t\\[${victim.id}\\], which is down`));
    await assert.rejects(client.getObject(bucket, lost[0]), (e: unknown) => e instanceof ClientError && e.status === 503 && e.message.includes(victim.id));
    await assert.rejects(s3.send(new GetObjectCommand({ Bucket: bucket.name, Key: lost[1] })), (e: any) => e.$metadata?.httpStatusCode === 503);
    for (const k of kept.slice(0, 10)) assert.equal((await readAll((await client.getObject(bucket, k)).body)).toString(), content(k));
    const listed: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.listObjects(bucket, { folders: false, pageSize: 50, token });
      listed.push(...page.objects.map((o) => o.key));
      token = page.nextToken;
    } while (token);
    assert.deepEqual(listed, [...kept].sort());
    // A new object that maps to a survivor still goes in.
    const fresh = Array.from({ length: 20 }, (_, i) => `fresh-${i}`).find((k) => owner(k).id !== victim.id)!;
    await client.putObject(bucket, fresh, bodyOf('new'));
    assert.equal((await readAll((await client.getObject(bucket, fresh)).body)).toString(), 'new');
  });

  test('killing the proxy (SIGKILL) leaves no target process behind', async () => {
    await proc.kill('SIGKILL');
    await waitFor('the targets to exit', () => targets.every((t) => !alive(t.pid)), 8000);
  });
});

describe('multi-node cluster shutdown', () => {
  test('SIGTERM stops the proxy and its targets; a restart keeps the node ids and the objects', async () => {
    const tmp = makeTempDir('multinode-term');
    try {
      const dataDir = path.join(tmp, 'c');
      const first = await startGatewayProcess(await program(), ['--targets', '2', '--data', dataDir]);
      await waitFor('the target lines', () => targetsOf(first.output()).length === 2);
      const ts = targetsOf(first.output());
      const c = createClusterClient({ kind: 'ais', endpoint: first.url });
      await c.createBucket({ provider: 'ais', name: 'keep' });
      await c.putObject({ provider: 'ais', name: 'keep' }, 'a/b', bodyOf('kept'));
      await first.kill('SIGTERM');
      await waitFor('the targets to exit', () => ts.every((t) => !alive(t.pid)), 8000);
      const second = await startGatewayProcess(await program(), ['--targets', '2', '--data', dataDir]);
      try {
        await waitFor('the target lines', () => targetsOf(second.output()).length === 2);
        assert.deepEqual(targetsOf(second.output()).map((t) => t.id), ts.map((t) => t.id));
        const c2 = createClusterClient({ kind: 'ais', endpoint: second.url });
        assert.equal((await readAll((await c2.getObject({ provider: 'ais', name: 'keep' }, 'a/b')).body)).toString(), 'kept');
      } finally {
        const again = targetsOf(second.output());
        await second.kill('SIGTERM');
        await waitFor('the targets to exit', () => again.every((t) => !alive(t.pid)), 8000);
      }
    } finally {
      removeDir(tmp);
    }
  });
});
