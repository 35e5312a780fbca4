// Shards on a plain S3 endpoint, read by the client with ranged GETs (client/s3shards.ts): a real gateway's
// S3 side, reached through a loopback proxy that counts the GETs and the bytes they bring, so the tests see
// that a TAR's headers come many to a GET, that large members are jumped over, and that paging reads on
// rather than from the top. The same shards read through the AIStore path (the cluster reads them) give the
// same members and bytes.
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AisClusterClient } from '../../src/client/ais/client';
import type { BucketRef } from '../../src/client/cluster';
import { S3ClusterClient } from '../../src/client/s3';
import { RangedShards } from '../../src/client/s3shards';
import type { ShardAccess, ShardMember } from '../../src/client/shards';
import { initChecksums } from '../../src/gateway/checksum';
import { expectClientError } from '../helpers/client-error';
import { bodyOf, pseudoRandomBytes, readAll } from '../helpers/data';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { forward } from '../helpers/servers';
import { FixtureMember, LZ4_CLI_FIXTURE, lz4FixtureMembers, sampleMembers, tarOf, tgzOf, zipOf } from './shard-fixtures';

/** Forwards to `target`, counting GETs and the body bytes they answer with. */
async function byteCountingProxy(target: string) {
  const stats = { gets: 0, bytes: 0 };
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const get = req.method === 'GET';
    if (get) stats.gets++;
    forward(req, res, upstream, agent, (answer) => get && answer.on('data', (c: Buffer) => (stats.bytes += c.length)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    reset: () => Object.assign(stats, { gets: 0, bytes: 0 }),
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function listAll(shards: ShardAccess, bucket: BucketRef, key: string, opts: { pageSize?: number; fullRead?: boolean } = {}) {
  const members: ShardMember[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await shards.list(bucket, key, { ...opts, token });
    members.push(...page.members);
    token = page.nextToken;
    pages++;
    assert.ok(pages < 10_000);
  } while (token);
  return { members, pages };
}

const openBytes = async (shards: ShardAccess, bucket: BucketRef, key: string, member: string) => {
  const d = await shards.open(bucket, key, member);
  const data = await readAll(d.body);
  assert.equal(d.head.size, data.length, `${key}/${member}: head.size`);
  assert.equal(d.contentLength, data.length);
  return data;
};

const asListed = (ms: FixtureMember[]) => ms.map((m) => ({ name: m.name, size: m.data.length }));

describe('S3 client: shards read by ranged GETs', () => {
  let gw: TestGateway;
  let proxy: Awaited<ReturnType<typeof byteCountingProxy>>;
  let s3: S3ClusterClient;
  let ais: AisClusterClient;
  const bucket: BucketRef = { name: 'sh', provider: 's3' };
  const aisBucket: BucketRef = { name: 'sh', provider: 'ais' };
  const members = sampleMembers();
  const shards: Record<string, Buffer> = {};
  const small = Array.from({ length: 2000 }, (_, i) => ({ name: `s/${String(i).padStart(5, '0')}.cls`, data: Buffer.from(`class ${i % 10}\n`) }));
  const MB20 = 20 * 1024 * 1024;
  const large = [0, 1, 2, 3].map((i) => ({ name: `big/${i}.bin`, data: i === 2 ? pseudoRandomBytes(MB20 + 7, 7) : Buffer.alloc(MB20 + i * 1000, i + 1) }));

  before(async () => {
    await initChecksums();
    gw = await startTestGateway();
    proxy = await byteCountingProxy(gw.url);
    s3 = new S3ClusterClient({ kind: 's3', endpoint: `${proxy.url}/s3`, accessKey: 'test', secretKey: 'test' });
    ais = new AisClusterClient({ kind: 'ais', endpoint: gw.url });
    const uploader = new S3ClusterClient({ kind: 's3', endpoint: gw.s3Endpoint, accessKey: 'test', secretKey: 'test' });
    await uploader.createBucket(bucket);
    shards['s.tar'] = await tarOf(members);
    shards['s.tgz'] = await tgzOf(members);
    shards['s.tar.gz'] = shards['s.tgz'];
    shards['s.zip'] = await zipOf(members);
    shards['stored.zip'] = await zipOf(members, false);
    shards['cli.tar.lz4'] = Buffer.from(LZ4_CLI_FIXTURE, 'base64');
    shards['small.tar'] = await tarOf(small);
    shards['small.zip'] = await zipOf(small);
    shards['large.tar'] = await tarOf(large);
    shards['evil.tar'] = await tarOf([{ name: '../evil.txt', data: Buffer.from('out') }, ...members.slice(0, 1)]);
    const tar = shards['s.tar'];
    shards['truncated.tar'] = tar.subarray(0, 512 * 12 + 100); // inside bin/blob.bin's data
    const zip = Buffer.from(shards['s.zip']);
    zip.fill(0x55, zip.length - 22 - 100, zip.length - 22); // the central directory's end, garbled
    shards['corrupt.zip'] = zip;
    // A stored member whose central directory claims more bytes than its data holds.
    const lying = Buffer.from(shards['stored.zip']);
    const cd = lying.readUInt32LE(lying.length - 22 + 16);
    lying.writeUInt32LE(1_000_000, cd + 24); // the first entry's uncompressed size
    shards['lying.zip'] = lying;
    const inflated = Buffer.from(shards['s.zip']);
    let at = inflated.readUInt32LE(inflated.length - 22 + 16);
    for (let i = 0; i < 4; i++) at += 46 + inflated.readUInt16LE(at + 28) + inflated.readUInt16LE(at + 30) + inflated.readUInt16LE(at + 32);
    inflated.writeUInt32LE(1_000_000_000, at + 24); // bin/blob.bin, the fifth entry
    shards['inflated.zip'] = inflated;
    for (const [name, data] of Object.entries(shards)) await uploader.putObject(bucket, name, bodyOf(data));
    uploader.dispose();
  });
  after(async () => {
    s3.dispose();
    await proxy.close();
    await gw.dispose();
  });

  test('how and needsFullRead: the compressed TARs need a full read, .tar and .zip do not', () => {
    assert.equal(s3.shards.how, 'ranges');
    for (const k of ['a.tgz', 'a.tar.gz', 'a.tar.lz4']) assert.equal(s3.shards.needsFullRead(k), true, k);
    for (const k of ['a.tar', 'a.zip']) assert.equal(s3.shards.needsFullRead(k), false, k);
  });

  test('list and open, all five formats: members in archive order, bytes equal to what was packed', async () => {
    const cases: [string, FixtureMember[]][] = [
      ['s.tar', members],
      ['s.zip', members],
      ['stored.zip', members],
      ['s.tgz', members],
      ['s.tar.gz', members],
      ['cli.tar.lz4', lz4FixtureMembers()],
    ];
    for (const [key, want] of cases) {
      const { members: got } = await listAll(s3.shards, bucket, key, { fullRead: true });
      assert.deepEqual(got, asListed(want), key);
      for (const m of want) assert.ok((await openBytes(s3.shards, bucket, key, m.name)).equals(m.data), `${key}/${m.name}`);
    }
    // A leading "/" names the same member, as on AIStore.
    assert.equal((await openBytes(s3.shards, bucket, 's.tar', '/a/001.json')).toString(), '{"n":1}');
  });

  test('the same members and bytes as the AIStore path (the cluster reading the shard) for a .tar and a .zip', async () => {
    for (const key of ['s.tar', 's.zip', 'small.tar']) {
      const viaS3 = (await listAll(s3.shards, bucket, key, { pageSize: 300 })).members;
      const viaAis = (await listAll(ais.shards, aisBucket, key, { pageSize: 300 })).members;
      // AIStore lists by name; the archive order of these fixtures is by name too.
      assert.deepEqual(viaS3, viaAis, key);
      for (const m of viaS3.slice(0, 8)) {
        const a = await openBytes(s3.shards, bucket, key, m.name);
        const b = await openBytes(ais.shards, aisBucket, key, m.name);
        assert.ok(a.equals(b), `${key}/${m.name}`);
      }
    }
  });

  test('a TAR of 2000 small members lists in a few GETs; paged, each page reads on from the last', async () => {
    const size = shards['small.tar'].length;
    proxy.reset();
    const whole = await s3.shards.list(bucket, 'small.tar', { pageSize: 5000 });
    assert.deepEqual(whole.members, asListed(small));
    assert.equal(whole.nextToken, undefined);
    const oneShot = { ...proxy.stats };
    assert.ok(oneShot.gets <= Math.ceil(size / (1024 * 1024)) + 1, `GETs for ${size} bytes: ${oneShot.gets}`);

    proxy.reset();
    const paged = await listAll(s3.shards, bucket, 'small.tar', { pageSize: 250 });
    assert.deepEqual(paged.members, asListed(small));
    assert.equal(paged.pages, 8);
    // Each page starts one GET at its own offset: no page re-reads the pages before it.
    assert.ok(proxy.stats.gets <= paged.pages * 2, `GETs for 8 pages: ${proxy.stats.gets}`);
    assert.ok(proxy.stats.bytes <= size + paged.pages * 1024 * 1024, `bytes for 8 pages: ${proxy.stats.bytes} of ${size}`);
    console.log(`small.tar (${size} B, 2000 members): one listing ${oneShot.gets} GETs / ${oneShot.bytes} B; 8 pages ${proxy.stats.gets} GETs / ${proxy.stats.bytes} B`);

    proxy.reset();
    const zipSize = shards['small.zip'].length;
    const zl = await listAll(s3.shards, bucket, 'small.zip', { pageSize: 700 });
    assert.deepEqual(zl.members, asListed(small));
    assert.ok(proxy.stats.gets <= zl.pages * 2, `GETs for small.zip: ${proxy.stats.gets}`);
    console.log(`small.zip (${zipSize} B): ${zl.pages} pages, ${proxy.stats.gets} GETs / ${proxy.stats.bytes} B`);

    proxy.reset();
    assert.equal((await openBytes(s3.shards, bucket, 'small.zip', 's/01999.cls')).toString(), 'class 9\n');
    console.log(`small.zip open of the last member: ${proxy.stats.gets} GETs / ${proxy.stats.bytes} B`);
    assert.ok(proxy.stats.gets <= 3, `GETs: ${proxy.stats.gets}`);
  });

  test('a TAR of 20 MB members: the listing jumps over their data; one member is one more GET of its bytes', async () => {
    const size = shards['large.tar'].length;
    proxy.reset();
    const { members: got } = await listAll(s3.shards, bucket, 'large.tar');
    assert.deepEqual(got, asListed(large));
    const listed = { ...proxy.stats };
    assert.ok(listed.bytes < size / 20, `listing read ${listed.bytes} of ${size} bytes`);
    assert.ok(listed.gets <= large.length + 2, `GETs: ${listed.gets}`);
    proxy.reset();
    assert.ok((await openBytes(s3.shards, bucket, 'large.tar', 'big/2.bin')).equals(large[2].data));
    const opened = { ...proxy.stats };
    assert.ok(opened.bytes < large[2].data.length + 2 * 1024 * 1024, `open read ${opened.bytes} bytes`);
    console.log(`large.tar (${size} B, 4 × 20 MB): listing ${listed.gets} GETs / ${listed.bytes} B; open of big/2.bin ${opened.gets} GETs / ${opened.bytes} B`);
  });

  test('a member the shard lacks is not-found; a name that climbs out is a bad request', async () => {
    for (const key of ['s.tar', 's.zip', 's.tgz', 'cli.tar.lz4']) {
      await expectClientError(s3.shards.open(bucket, key, 'a/nosuch.jpg'), 'not-found', new RegExp(`s3://sh/${key.replace(/\./g, '\\.')} has no member "a/nosuch\\.jpg"`));
    }
    await expectClientError(s3.shards.open(bucket, 's.tar', '../x'), 'bad-request', /invalid archpath "\.\.\/x"/);
    // Listed as the archive names it; opening it is refused before any read.
    assert.deepEqual((await s3.shards.list(bucket, 'evil.tar')).members.map((m) => m.name), ['../evil.txt', 'a/001.jpg']);
    await expectClientError(s3.shards.open(bucket, 'evil.tar', '../evil.txt'), 'bad-request', /invalid archpath/);
  });

  test('broken shards are bad requests in the reader\'s words: a truncated TAR, a garbled ZIP, a ZIP that lies about a size', async () => {
    await expectClientError(s3.shards.list(bucket, 'truncated.tar'), 'bad-request', /s3:\/\/sh\/truncated\.tar cannot be read: unexpected EOF \(the archive is truncated\)/);
    await expectClientError(s3.shards.open(bucket, 'truncated.tar', 'empty.txt'), 'bad-request', /truncated/);
    await expectClientError(s3.shards.list(bucket, 'corrupt.zip'), 'bad-request', /corrupt\.zip cannot be read: zip: /);
    await expectClientError(s3.shards.list(bucket, 'lying.zip'), 'bad-request', /lying\.zip cannot be read: zip: compressed\/uncompressed size mismatch/);
    // A deflated member that claims more than DEFLATE can make of its bytes: listed as it claims, refused when opened.
    const inflated = await s3.shards.list(bucket, 'inflated.zip');
    assert.equal(inflated.members[4].size, 1_000_000_000);
    let err: unknown;
    try {
      await openBytes(s3.shards, bucket, 'inflated.zip', 'bin/blob.bin');
    } catch (e) {
      err = e;
    }
    assert.equal((err as { kind?: string })?.kind, 'bad-request', String(err));
    assert.match((err as Error).message, /inflated\.zip cannot be read: zip: member "bin\/blob\.bin" declares 1000000000 bytes/);
  });

  test('a compressed TAR: refused without fullRead (saying why), listed with it, paged by member', async () => {
    await expectClientError(s3.shards.list(bucket, 's.tgz'), 'bad-request', /reading all of it.*full read/);
    const { members: got, pages } = await listAll(s3.shards, bucket, 's.tgz', { fullRead: true, pageSize: 3 });
    assert.deepEqual(got, asListed(members));
    assert.equal(pages, 3);
  });

  test('tokens: a foreign one is refused; an object replaced between pages is a conflict, not a mix', async () => {
    await expectClientError(s3.shards.list(bucket, 'small.tar', { token: 'bogus' }), 'bad-request', /page token/);
    const uploader = new S3ClusterClient({ kind: 's3', endpoint: gw.s3Endpoint, accessKey: 'test', secretKey: 'test' });
    await uploader.putObject(bucket, 'moving.tar', bodyOf(shards['small.tar']));
    const first = await s3.shards.list(bucket, 'moving.tar', { pageSize: 10 });
    await uploader.putObject(bucket, 'moving.tar', bodyOf(shards['s.tar']));
    await expectClientError(s3.shards.list(bucket, 'moving.tar', { pageSize: 10, token: first.nextToken }), 'conflict', /changed/);
    uploader.dispose();
  });

  test('an object replaced mid-read is a conflict (If-Match), never a mix of two versions', async () => {
    const uploader = new S3ClusterClient({ kind: 's3', endpoint: gw.s3Endpoint, accessKey: 'test', secretKey: 'test' });
    await uploader.putObject(bucket, 'swapped.tar', bodyOf(shards['large.tar']));
    let calls = 0;
    const swapping = new RangedShards(async (b, k, r, o) => {
      // After the first GET has pinned the ETag, another version takes the object's place.
      if (++calls === 2) await uploader.putObject(bucket, 'swapped.tar', bodyOf(shards['small.tar']));
      return s3.getObject(b, k, r, o);
    }, s3.endpoint);
    await expectClientError(swapping.list(bucket, 'swapped.tar'), 'conflict', /swapped\.tar changed on .* while it was being read: list it again/);
    uploader.dispose();
  });

  test('aborts stop the reads: before the first GET, and while a member streams', async () => {
    const ac = new AbortController();
    ac.abort();
    await expectClientError(s3.shards.list(bucket, 'small.tar', { signal: ac.signal }), 'aborted');
    const streaming = new AbortController();
    const d = await s3.shards.open(bucket, 'large.tar', 'big/2.bin', { signal: streaming.signal });
    let got = 0;
    const read = (async () => {
      for await (const c of d.body) {
        got += (c as Buffer).length;
        if (got > 1024 * 1024) streaming.abort();
      }
    })();
    await assert.rejects(read, (e: Error & { kind?: string }) => e.kind === 'aborted' && /s3:\/\/sh\/large\.tar was cancelled/.test(e.message));
    assert.ok(got < MB20, `read ${got} bytes before the abort took`);
  });

  test('a compressed member the caller stops reading ends the walk; a truncated .tgz or .tar.lz4 is a bad request', async () => {
    const d = await s3.shards.open(bucket, 's.tgz', 'bin/blob.bin');
    d.body.destroy();
    // The next read of the same shard is answered: nothing is left waiting on the first.
    assert.ok((await openBytes(s3.shards, bucket, 's.tgz', 'a/002.json')).equals(Buffer.from('{"n":2}')));
    const uploader = new S3ClusterClient({ kind: 's3', endpoint: gw.s3Endpoint, accessKey: 'test', secretKey: 'test' });
    const tgz = shards['s.tgz'];
    await uploader.putObject(bucket, 'cut.tgz', bodyOf(tgz.subarray(0, tgz.length - 40)));
    const lz4 = shards['cli.tar.lz4'];
    await uploader.putObject(bucket, 'cut.tar.lz4', bodyOf(lz4.subarray(0, Math.floor(lz4.length / 2))));
    uploader.dispose();
    await expectClientError(s3.shards.list(bucket, 'cut.tgz', { fullRead: true }), 'bad-request', /cut\.tgz cannot be read: (gzip|unexpected EOF)/);
    await expectClientError(s3.shards.list(bucket, 'cut.tar.lz4', { fullRead: true }), 'bad-request', /cut\.tar\.lz4 cannot be read: (lz4|unexpected EOF)/);
    await expectClientError(s3.shards.open(bucket, 'cut.tar.lz4', 'nosuch'), 'bad-request', /cut\.tar\.lz4 cannot be read/);
  });
});
