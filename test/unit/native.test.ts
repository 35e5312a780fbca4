// The gateway's AIStore-native API (/v1) against a real gateway, checked against the wire shapes AIStore's
// source declares (field names and types from cmn/objlist.go, core/meta/smap.go, cmn/api.go, cmn/err.go...).
/* eslint-disable @typescript-eslint/no-explicit-any -- wire replies are untyped JSON, checked field by field */
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { decode as msgpackDecode } from '@msgpack/msgpack';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { checksumOf, initChecksums } from '../../src/gateway/checksum';
import { s3RemoteOf, startTestGateway, TestGateway } from '../helpers/gateway';
import { request, Reply } from '../helpers/http';
import { AisClusterClient } from '../../src/client/ais/client';
import { pseudoRandomBytes } from '../helpers/data';

const LsNameOnly = 16;
const LsNoRecursion = 2048;
const LsNoDirs = 8192;
const EntryIsCached = 64;
const EntryIsDir = 256;

/** cmn.ErrHTTP JSON: these fields with these types, and the HTTP status repeated inside. */
function assertAisError(r: Reply, status: number, pattern?: RegExp): Record<string, unknown> {
  assert.equal(r.status, status, `status (body ${r.body.toString()})`);
  const e = (r.json ?? JSON.parse(String(r.headers['hdr-error']))) as Record<string, unknown>;
  for (const f of ['message', 'method', 'url_path', 'remote_addr', 'caller', 'node']) assert.equal(typeof e[f], 'string', f);
  assert.equal(e.status, status);
  if (pattern) assert.match(e.message as string, pattern);
  return e;
}

describe('native API /v1', () => {
  let gw: TestGateway;
  let v1: string;
  const put = (bucket: string, key: string, data: Buffer | string, headers: Record<string, string> = {}) =>
    request('PUT', `${v1}/objects/${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`, { body: data, headers });
  const createBucket = (name: string, value?: unknown) => request('POST', `${v1}/buckets/${name}`, { json: { action: 'create-bck', value } });
  const list = (bucket: string, value: Record<string, unknown>, msgpack = false) =>
    request('GET', `${v1}/buckets/${bucket}?provider=ais`, {
      json: { action: 'list', value },
      headers: msgpack ? { accept: 'application/msgpack' } : {},
    });

  before(async () => {
    await initChecksums();
    gw = await startTestGateway();
    v1 = `${gw.url}/v1`;
  });
  after(() => gw.dispose());

  test('health answers 200 when ready', async () => {
    const r = await request('GET', `${v1}/health`);
    assert.equal(r.status, 200);
  });

  test('cluster map: one proxy, one target, primary, ids and URLs (meta.Smap / meta.Snode)', async () => {
    for (const path of ['/cluster?what=smap', '/daemon?what=smap']) {
      const r = await request('GET', `${v1}${path}`);
      assert.equal(r.status, 200);
      assert.match(String(r.headers['content-type']), /application\/json/);
      const smap = r.json as Record<string, any>;
      assert.equal(typeof smap.uuid, 'string');
      assert.equal(typeof smap.version, 'string', 'version is json:",string"');
      assert.match(smap.version, /^\d+$/);
      assert.match(smap.creation_time, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      const pids = Object.keys(smap.pmap);
      const tids = Object.keys(smap.tmap);
      assert.equal(pids.length, 1);
      assert.equal(tids.length, 1);
      assert.notEqual(pids[0], tids[0]);
      const p = smap.pmap[pids[0]];
      assert.deepEqual(smap.proxy_si, p, 'the one proxy is primary');
      assert.equal(p.daemon_id, pids[0]);
      assert.equal(p.daemon_type, 'proxy');
      assert.equal(smap.tmap[tids[0]].daemon_type, 'target');
      for (const node of [p, smap.tmap[tids[0]]]) {
        for (const net of ['public_net', 'intra_data_net', 'intra_control_net']) {
          assert.deepEqual(Object.keys(node[net]).sort(), ['daemon_port', 'direct_url', 'node_ip_addr']);
          assert.equal(node[net].node_ip_addr, '127.0.0.1');
          assert.equal(node[net].daemon_port, String(gw.port));
        }
        assert.equal(node.public_net.direct_url, gw.url, 'direct mode: the target answers at the public URL');
        assert.equal(node.flags, 0);
        assert.equal(typeof node.id_digest, 'number');
        assert.match(node.daemon_id, /^[A-Za-z]{8}$/);
      }
      // id_digest is a uint64 written as a bare JSON number (not a string).
      assert.match(r.body.toString(), /"id_digest":\d+[,}]/);
    }
  });

  test('cluster config and set-config (validated)', async () => {
    const r = await request('GET', `${v1}/cluster?what=cluster_config`);
    assert.equal(r.status, 200);
    const cfg = r.json as Record<string, any>;
    assert.equal(cfg.checksum.type, 'xxhash');
    for (const f of ['validate_cold_get', 'validate_warm_get', 'validate_obj_move', 'enable_read_range'])
      assert.equal(typeof cfg.checksum[f], 'boolean', f);
    assert.equal(typeof cfg.config_version, 'string');

    const bad = await request('PUT', `${v1}/cluster/set-config?checksum.type=crc64`);
    const e = assertAisError(bad, 400, /invalid checksum type "crc64"/);
    for (const t of ['none', 'xxhash', 'xxhash2', 'md5', 'crc32c', 'sha256', 'sha512']) assert.ok((e.message as string).includes(t), t);
    assert.equal(e.method, 'PUT');
    assert.equal(e.url_path, '/v1/cluster/set-config');
    assertAisError(await request('PUT', `${v1}/cluster/set-config?checksum.enable_read_range=maybe`), 400, /true or false/);
    assertAisError(await request('PUT', `${v1}/cluster/set-config?lru.enabled=true`), 400, /lru\.enabled/);
    assert.equal(((await request('GET', `${v1}/cluster?what=cluster_config`)).json as any).checksum.type, 'xxhash', 'rejected changes changed nothing');

    const ok = await request('PUT', `${v1}/cluster/set-config?checksum.type=md5&checksum.validate_warm_get=true`);
    assert.equal(ok.status, 200);
    const after = (await request('GET', `${v1}/cluster?what=cluster_config`)).json as any;
    assert.equal(after.checksum.type, 'md5');
    assert.equal(after.checksum.validate_warm_get, true);
    assert.equal(Number(after.config_version), Number(cfg.config_version) + 1);
    // The config's checksum is the default for new buckets.
    assert.equal((await createBucket('cfg-md5')).status, 200);
    const props = JSON.parse(String((await request('HEAD', `${v1}/buckets/cfg-md5?provider=ais`)).headers['ais-bucket-props']));
    assert.equal(props.checksum.type, 'md5');
    // Same through the action message the Go client's SetClusterConfigUsingMsg sends.
    const viaMsg = await request('PUT', `${v1}/cluster`, { json: { action: 'set-config', value: { checksum: { type: 'xxhash', validate_warm_get: false } } } });
    assert.equal(viaMsg.status, 200);
    assert.equal(((await request('GET', `${v1}/cluster?what=cluster_config`)).json as any).checksum.type, 'xxhash');
  });

  // ais/prxclu.go httpcluget serves what=cluster_config; what=config is a node's (ais/htrun.go httpdaeget:
  // cmn.Config, cluster and local config inline) and only under /v1/daemon; elsewhere 400 "unexpected query".
  test('config queries go where AIStore serves them: cluster_config on /v1/cluster, config on /v1/daemon', async () => {
    assertAisError(await request('GET', `${v1}/cluster?what=config`), 400, /unexpected query \[what=config\]/);
    assertAisError(await request('GET', `${v1}/daemon?what=cluster_config`), 400, /unexpected query \[what=cluster_config\]/);
    assertAisError(await request('GET', `${v1}/daemon?what=backends`), 400, /unexpected query/);
    const node = (await request('GET', `${v1}/daemon?what=config`)).json as Record<string, any>;
    const cluster = (await request('GET', `${v1}/cluster?what=cluster_config`)).json as Record<string, any>;
    for (const [k, v] of Object.entries(cluster)) assert.deepEqual(node[k], v, `node config has the cluster's ${k}`);
    // cmn.LocalConfig: ports are `json:",string"`.
    assert.equal(node.host_net.port, String(gw.port));
    assert.equal(node.host_net.hostname, '127.0.0.1');
    assert.equal(typeof node.confdir, 'string');
    assert.deepEqual(node.test_fspaths, { root: '', count: 0, instance: 0 });
  });

  test('create, list, HEAD (Ais-Bucket-Props) and destroy buckets; bad names are 400', async () => {
    assert.equal((await createBucket('alpha')).status, 200);
    const dup = assertAisError(await createBucket('alpha'), 409, /bucket "ais:\/\/alpha" already exists/);
    assert.equal(dup.tcode, 'ErrBucketAlreadyExists');
    assertAisError(await createBucket('bad%20name'), 400, /may only contain letters, numbers/);
    assertAisError(await createBucket('.hidden'), 400, /reserved bucket name/);
    assertAisError(await createBucket('x'.repeat(300)), 400, /invalid/);
    assertAisError(await request('POST', `${v1}/buckets/beta?provider=nosuch`, { json: { action: 'create-bck' } }), 400, /invalid backend provider "nosuch"/);

    for (const path of ['/buckets?provider=ais', '/buckets/?provider=ais', '/buckets']) {
      const r = await request('GET', `${v1}${path}`, { json: { action: 'list' } });
      assert.equal(r.status, 200);
      const bcks = r.json as any[];
      const a = bcks.find((b) => b.name === 'alpha');
      assert.deepEqual(a, { name: 'alpha', provider: 'ais', namespace: { uuid: '', name: '' } });
    }
    const present = (await request('GET', `${v1}/buckets?provider=ais&presence=2`, { json: { action: 'list' } })).json as any[];
    assert.ok(present.some((b) => b.name === 'alpha'));

    const head = await request('HEAD', `${v1}/buckets/alpha?provider=ais`);
    assert.equal(head.status, 200);
    const props = JSON.parse(String(head.headers['ais-bucket-props']));
    assert.equal(props.provider, 'ais');
    assert.deepEqual(Object.keys(props.checksum).sort(), ['enable_read_range', 'type', 'validate_cold_get', 'validate_obj_move', 'validate_warm_get']);
    assert.equal(typeof props.checksum.type, 'string');
    assert.match(props.bid, /^\d+$/, 'bid is json:",string"');
    assert.match(props.created, /^\d+$/, 'created is json:",string" (Unix nanoseconds)');
    assert.ok(Math.abs(Number(BigInt(props.created) / 1_000_000n) - Date.now()) < 60_000);
    assert.equal(typeof props.versioning.enabled, 'boolean');
    assert.equal(typeof props.access, 'string');

    const missing = await request('HEAD', `${v1}/buckets/nosuch?provider=ais`);
    assert.equal(missing.body.length, 0, 'HEAD errors have no body');
    const e = assertAisError(missing, 404, /bucket "ais:\/\/nosuch" does not exist/);
    assert.equal(e.tcode, 'ErrBckNotFound');

    assert.equal((await put('alpha', 'o1', 'x')).status, 200);
    assert.equal((await request('DELETE', `${v1}/buckets/alpha`, { json: { action: 'destroy-bck' } })).status, 200);
    assertAisError(await request('HEAD', `${v1}/buckets/alpha`), 404);
    assertAisError(await request('DELETE', `${v1}/buckets/alpha`, { json: { action: 'destroy-bck' } }), 404, /does not exist/);
  });

  test('set-bprops updates the checksum section partially and validates; reset-bprops restores the cluster default', async () => {
    await createBucket('props');
    const headProps = async () => JSON.parse(String((await request('HEAD', `${v1}/buckets/props`)).headers['ais-bucket-props']));
    const before = await headProps();
    const patch = (value: unknown, action = 'set-bprops') => request('PATCH', `${v1}/buckets/props?provider=ais`, { json: { action, value } });

    assert.equal((await patch({ checksum: { type: 'sha256', enable_read_range: true } })).status, 200);
    let p = await headProps();
    assert.equal(p.checksum.type, 'sha256');
    assert.equal(p.checksum.enable_read_range, true);
    assert.equal(p.checksum.validate_cold_get, before.checksum.validate_cold_get, 'fields not given keep their values');
    assert.equal(p.bid, before.bid);

    assert.equal((await patch({ checksum: { validate_obj_move: true } })).status, 200);
    p = await headProps();
    assert.equal(p.checksum.type, 'sha256', 'a later partial update keeps the type');
    assert.equal(p.checksum.validate_obj_move, true);

    assertAisError(await patch({ checksum: { type: 'crc64' } }), 400, /invalid checksum type "crc64".*md5/);
    assertAisError(await patch({ checksum: { validate_cold_get: 'yes' } }), 400, /validate_cold_get/);
    assertAisError(await patch({ checksum: { colour: 'blue' } }), 400, /checksum\.colour/);
    assertAisError(await patch({ mirror: { enabled: true } }), 400, /mirror/);
    assert.equal((await headProps()).checksum.type, 'sha256', 'rejected updates changed nothing');

    assert.equal((await request('PATCH', `${v1}/buckets/props`, { json: { action: 'reset-bprops' } })).status, 200);
    p = await headProps();
    assert.equal(p.checksum.type, 'xxhash');
    assert.equal(p.checksum.enable_read_range, false);
    assertAisError(await request('PATCH', `${v1}/buckets/nosuch`, { json: { action: 'set-bprops', value: { checksum: { type: 'md5' } } } }), 404);
  });

  test('PUT/GET/HEAD/DELETE objects with Ais-Checksum-*, Ais-Version, Ais-Atime', async () => {
    await createBucket('objs');
    const data = pseudoRandomBytes(300_000, 7);
    const xx = checksumOf('xxhash', data);
    const t0 = Date.now();
    const p = await put('objs', 'dir/file.bin', data, { 'Ais-Checksum-Type': 'xxhash', 'Ais-Checksum-Value': xx, 'Content-Type': 'application/json' });
    assert.equal(p.status, 200);
    assert.equal(p.headers['ais-checksum-type'], 'xxhash');
    assert.equal(p.headers['ais-checksum-value'], xx);
    assert.equal(p.headers['ais-version'], '1');

    const g = await request('GET', `${v1}/objects/objs/dir/file.bin?provider=ais`);
    assert.equal(g.status, 200);
    assert.ok(g.body.equals(data), 'bytes round-trip');
    assert.equal(g.headers['content-type'], 'application/octet-stream');
    assert.equal(g.headers['content-length'], String(data.length));
    assert.equal(g.headers['ais-checksum-type'], 'xxhash');
    assert.equal(g.headers['ais-checksum-value'], checksumOf('xxhash', g.body));
    assert.match(String(g.headers['ais-atime']), /^\d{19}$/, 'Unix nanoseconds');
    const atimeMs = Number(BigInt(String(g.headers['ais-atime'])) / 1_000_000n);
    assert.ok(atimeMs >= t0 - 1000 && atimeMs <= Date.now() + 1000);

    const h = await request('HEAD', `${v1}/objects/objs/dir/file.bin`);
    assert.equal(h.status, 200);
    assert.equal(h.headers['content-length'], String(data.length));
    assert.equal(h.headers['ais-checksum-value'], xx);
    assert.equal(h.headers['ais-version'], '1');
    assert.equal(h.headers['ais-present'], 'true');
    assert.equal(h.headers['ais-name'], 'dir/file.bin');
    assert.equal(h.headers['ais-bucket-provider'], 'ais');

    // HEAD V2 (api/object.go HeadObjectV2 sends `props`): only what was asked, plus size and presence.
    const v2 = await request('HEAD', `${v1}/objects/objs/dir/file.bin?props=name,size,checksum,last-modified,etag`);
    assert.equal(v2.status, 200);
    assert.equal(v2.headers['content-length'], String(data.length));
    assert.equal(v2.headers['ais-present'], 'true');
    assert.equal(v2.headers['ais-checksum-value'], xx);
    assert.equal(v2.headers['ais-atime'], undefined, 'atime not asked for');
    assert.equal(v2.headers['ais-version'], undefined, 'version not asked for');
    assert.ok(Math.abs(Date.parse(String(v2.headers['last-modified'])) - Date.now()) < 60_000);
    assert.match(String(v2.headers.etag), /^"[0-9a-f]+"$/);
    assertAisError(await request('HEAD', `${v1}/objects/objs/dir/file.bin?props=name,cached`), 400, /invalid property "cached"/);

    // A second PUT (md5 given this time) bumps the version.
    const data2 = pseudoRandomBytes(1000, 9);
    const md5 = checksumOf('md5', data2);
    assert.equal((await put('objs', 'dir/file.bin', data2, { 'Ais-Checksum-Type': 'md5', 'Ais-Checksum-Value': md5 })).status, 200);
    assert.equal((await request('HEAD', `${v1}/objects/objs/dir/file.bin`)).headers['ais-version'], '2');

    // A mismatching checksum is refused and stores nothing: not a new object, not an overwrite.
    const wrong = checksumOf('xxhash', 'something else');
    const bad = await put('objs', 'dir/file.bin', data, { 'Ais-Checksum-Type': 'xxhash', 'Ais-Checksum-Value': wrong });
    const e = assertAisError(bad, 400, /BAD DATA CHECKSUM/);
    assert.equal(e.tcode, 'ErrBadCksum');
    const still = await request('GET', `${v1}/objects/objs/dir/file.bin`);
    assert.ok(still.body.equals(data2), 'the previous object is intact');
    assert.equal(still.headers['ais-version'], '2');
    assertAisError(await put('objs', 'fresh', data, { 'Ais-Checksum-Type': 'sha256', 'Ais-Checksum-Value': '00'.repeat(32) }), 400);
    assertAisError(await request('HEAD', `${v1}/objects/objs/fresh`), 404);
    assertAisError(await put('objs', 'fresh', data, { 'Ais-Checksum-Type': 'crc64', 'Ais-Checksum-Value': '00' }), 400, /invalid checksum type/);

    // Missing objects and buckets.
    const nf = assertAisError(await request('GET', `${v1}/objects/objs/nope`), 404, /ais:\/\/objs\/nope does not exist/);
    assert.equal(nf.tcode, 'ErrNotFound');
    assertAisError(await request('GET', `${v1}/objects/nosuchbucket/x`), 404, /bucket "ais:\/\/nosuchbucket" does not exist/);
    assertAisError(await request('DELETE', `${v1}/objects/objs/nope`), 404);

    assert.equal((await request('DELETE', `${v1}/objects/objs/dir/file.bin`)).status, 200);
    assertAisError(await request('GET', `${v1}/objects/objs/dir/file.bin`), 404);

    // Names with spaces, percent signs and non-ASCII letters survive the URL.
    const odd = 'a b/100%/ünï ✓.txt';
    assert.equal((await put('objs', odd, 'odd')).status, 200);
    const back = await request('GET', `${v1}/objects/objs/${encodeURIComponent(odd).replace(/%2F/g, '/')}`);
    assert.equal(back.body.toString(), 'odd');
    const oddHead = await request('HEAD', `${v1}/objects/objs/${encodeURIComponent(odd).replace(/%2F/g, '/')}`);
    assert.equal(Buffer.from(String(oddHead.headers['ais-name']), 'latin1').toString('utf8'), odd, 'Ais-Name carries the UTF-8 name');
  });

  test('Range reads: 206 with Content-Range, suffix and open ranges, 416; range checksum with enable_read_range', async () => {
    await createBucket('ranges');
    const data = pseudoRandomBytes(10_000, 3);
    await put('ranges', 'r', data);
    const get = (range: string) => request('GET', `${v1}/objects/ranges/r`, { headers: { range } });
    let r = await get('bytes=100-199');
    assert.equal(r.status, 206);
    assert.ok(r.body.equals(data.subarray(100, 200)));
    assert.equal(r.headers['content-range'], 'bytes 100-199/10000');
    assert.equal(r.headers['accept-ranges'], 'bytes');
    assert.equal(r.headers['ais-checksum-value'], checksumOf('xxhash', data), 'without enable_read_range: the object checksum');
    r = await get('bytes=-50');
    assert.ok(r.body.equals(data.subarray(9950)));
    r = await get('bytes=9990-');
    assert.ok(r.body.equals(data.subarray(9990)));
    r = await get('bytes=9990-20000');
    assert.ok(r.body.equals(data.subarray(9990)));
    r = await get('bytes=10000-');
    assertAisError(r, 416);
    assert.equal(r.headers['content-range'], 'bytes */10000');
    assertAisError(await get('bytes=0-1,5-6'), 416, /multi-range/);

    await request('PATCH', `${v1}/buckets/ranges`, { json: { action: 'set-bprops', value: { checksum: { enable_read_range: true } } } });
    r = await get('bytes=100-199');
    assert.ok(r.body.equals(data.subarray(100, 200)));
    assert.equal(r.headers['ais-checksum-value'], checksumOf('xxhash', data.subarray(100, 200)), 'the range checksum');
  });

  test('validate_warm_get: a copy that no longer matches its checksum is refused', async () => {
    await createBucket('warm');
    const data = pseudoRandomBytes(50_000, 4);
    await put('warm', 'w', data);
    // Rot the object's bytes on disk (the first data byte), keeping its metadata.
    const h = crypto.createHash('sha256').update('w').digest('hex');
    const fd = fs.openSync(path.join(gw.dataDir, 'buckets', 'ais', 'warm', 'objects', h.slice(0, 2), h), 'r+');
    fs.writeSync(fd, Buffer.from([data[0] ^ 0x55]), 0, 1, 0);
    fs.closeSync(fd);
    const unchecked = await request('GET', `${v1}/objects/warm/w`);
    assert.equal(unchecked.status, 200, 'not validated by default');
    assert.equal(unchecked.body[0], data[0] ^ 0x55);
    await request('PATCH', `${v1}/buckets/warm`, { json: { action: 'set-bprops', value: { checksum: { validate_warm_get: true } } } });
    const e = assertAisError(await request('GET', `${v1}/objects/warm/w`), 500, /BAD DATA CHECKSUM: xxhash\(/);
    assert.equal(e.tcode, 'ErrBadCksum');
    await put('warm', 'fine', 'intact');
    assert.equal((await request('GET', `${v1}/objects/warm/fine`)).body.toString(), 'intact', 'good copies pass');
  });

  test('list objects: JSON and msgpack shapes, paging, prefix, start_after, props, no-recursion', async () => {
    await createBucket('lst');
    const keys = ['a/1', 'a/2', 'a/b/3', 'a/b/4', 'c', 'd/5', 'e'];
    for (const k of keys) await put('lst', k, `data of ${k}`);

    // JSON: LsoRes {uuid, continuation_token, entries, flags}; LsoEnt json tags, size a string.
    let r = await list('lst', { props: 'name,size,checksum,atime,version,copies' });
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^application\/json/);
    let res = r.json as any;
    assert.deepEqual(Object.keys(res).sort(), ['continuation_token', 'entries', 'flags', 'uuid']);
    assert.match(res.uuid, /^[A-Za-z0-9]{9,}$/);
    assert.equal(res.continuation_token, '');
    assert.equal(res.flags, 0);
    assert.deepEqual(res.entries.map((e: any) => e.name), keys);
    const e0 = res.entries[0];
    assert.equal(e0.size, String('data of a/1'.length), 'size is json:"size,string"');
    assert.equal(e0.checksum, checksumOf('xxhash', 'data of a/1'));
    assert.match(e0.atime, /^\d\d [A-Z][a-z]{2} \d\d \d\d:\d\d UTC$/, 'RFC822 (Go) by default');
    assert.equal(e0.version, '1');
    assert.equal(e0.copies, 1);
    assert.equal(e0.flags, EntryIsCached);
    for (const e of res.entries) for (const k of Object.keys(e)) assert.ok(['name', 'size', 'checksum', 'atime', 'version', 'copies', 'flags'].includes(k), k);

    // Default props: name and size only (+cached flag).
    r = await list('lst', {});
    res = r.json as any;
    assert.deepEqual(Object.keys(res.entries[0]).sort(), ['flags', 'name', 'size']);
    r = await list('lst', { flags: String(LsNameOnly) });
    assert.deepEqual(Object.keys((r.json as any).entries[0]).sort(), ['flags', 'name']);

    // msgpack: LsoRes keys UUID, ContinuationToken, Entries, Flags; entries n cs a v s c f, s an integer.
    r = await list('lst', { props: 'name,size,checksum,atime,version' }, true);
    assert.equal(r.headers['content-type'], 'application/msgpack');
    const mp = msgpackDecode(r.body) as any;
    assert.deepEqual(Object.keys(mp), ['UUID', 'ContinuationToken', 'Entries', 'Flags']);
    assert.equal(typeof mp.UUID, 'string');
    assert.equal(mp.ContinuationToken, '');
    assert.equal(mp.Flags, 0);
    assert.equal(mp.Entries.length, keys.length);
    const m0 = mp.Entries[0];
    assert.equal(m0.n, 'a/1');
    assert.equal(m0.s, 'data of a/1'.length, 'msgpack size is an integer');
    assert.equal(typeof m0.s, 'number');
    assert.equal(m0.cs, checksumOf('xxhash', 'data of a/1'));
    assert.equal(typeof m0.a, 'string');
    assert.equal(m0.v, '1');
    assert.equal(m0.f, EntryIsCached);
    for (const k of Object.keys(m0)) assert.ok(['n', 'cs', 'a', 'v', 't', 'm', 's', 'c', 'f'].includes(k), k);

    // Paging: pagesize + continuation_token, the uuid carried across pages.
    const seen: string[] = [];
    let token = '';
    let uuid = '';
    let pages = 0;
    do {
      r = await list('lst', { pagesize: 3, continuation_token: token, uuid }, true);
      const page = msgpackDecode(r.body) as any;
      if (uuid) assert.equal(page.UUID, uuid);
      uuid = page.UUID;
      seen.push(...page.Entries.map((e: any) => e.n));
      token = page.ContinuationToken;
      assert.ok(page.Entries.length <= 3);
      pages++;
    } while (token);
    assert.deepEqual(seen, keys);
    assert.equal(pages, 3);

    // prefix, start_after
    assert.deepEqual(((await list('lst', { prefix: 'a/b/' })).json as any).entries.map((e: any) => e.name), ['a/b/3', 'a/b/4']);
    assert.deepEqual(((await list('lst', { start_after: 'a/b/4' })).json as any).entries.map((e: any) => e.name), ['c', 'd/5', 'e']);

    // No recursion (folder view): direct children, and dirs as "name/" entries flagged EntryIsDir.
    r = await list('lst', { flags: String(LsNoRecursion) });
    assert.deepEqual(
      (r.json as any).entries.map((e: any) => [e.name, e.flags]),
      [['a/', EntryIsDir], ['c', EntryIsCached], ['d/', EntryIsDir], ['e', EntryIsCached]],
    );
    r = await list('lst', { prefix: 'a/', flags: LsNoRecursion }); // a number is accepted too
    assert.deepEqual((r.json as any).entries.map((e: any) => e.name), ['a/1', 'a/2', 'a/b/']);
    r = await list('lst', { prefix: 'a', flags: String(LsNoRecursion) });
    assert.deepEqual((r.json as any).entries.map((e: any) => e.name), ['a/1', 'a/2', 'a/b/'], 'prefix "a" lists the directory a/');
    r = await list('lst', { flags: String(LsNoRecursion | LsNoDirs) });
    assert.deepEqual((r.json as any).entries.map((e: any) => e.name), ['c', 'e']);
    // Paging a folder view.
    const folder: string[] = [];
    token = '';
    do {
      const page = (await list('lst', { flags: String(LsNoRecursion), pagesize: 1, continuation_token: token })).json as any;
      folder.push(...page.entries.map((e: any) => e.name));
      token = page.continuation_token;
    } while (token);
    assert.deepEqual(folder, ['a/', 'c', 'd/', 'e']);

    assertAisError(await list('lst', { flags: 'lots' }), 400, /flags/);
    assertAisError(await list('nosuch', {}), 404, /does not exist/);
  });

  test('multi-object delete (delete-listrange) by names and by template', async () => {
    await createBucket('multi');
    for (let i = 0; i < 12; i++) await put('multi', `shard-${String(i).padStart(3, '0')}.tar`, `s${i}`);
    await put('multi', 'keep', 'k');
    let r = await request('DELETE', `${v1}/buckets/multi`, {
      json: { action: 'delete-listrange', value: { objnames: ['shard-000.tar', 'shard-001.tar', 'not-there'] } },
    });
    assert.equal(r.status, 200);
    assert.ok(r.body.length > 0, 'replies with a job id');
    r = await request('DELETE', `${v1}/buckets/multi`, { json: { action: 'delete-listrange', value: { template: 'shard-{002..009}.tar' } } });
    assert.equal(r.status, 200);
    const left = ((await list('multi', {})).json as any).entries.map((e: any) => e.name);
    assert.deepEqual(left, ['keep', 'shard-010.tar', 'shard-011.tar']);
  });

  test('rename-obj moves an object within its bucket', async () => {
    await createBucket('ren');
    await put('ren', 'old/name', 'payload');
    const r = await request('POST', `${v1}/objects/ren/old/name`, { json: { action: 'rename-obj', name: 'new/name' } });
    assert.equal(r.status, 200);
    assertAisError(await request('GET', `${v1}/objects/ren/old/name`), 404);
    assert.equal((await request('GET', `${v1}/objects/ren/new/name`)).body.toString(), 'payload');
    assertAisError(await request('POST', `${v1}/objects/ren/missing`, { json: { action: 'rename-obj', name: 'x' } }), 404);
    assertAisError(await request('POST', `${v1}/objects/ren/new/name`, { json: { action: 'rename-obj' } }), 400, /new object name/);
  });

  test('objects written through /v1 and /s3 are the same objects', async () => {
    await createBucket('shared');
    const data = pseudoRandomBytes(70_000, 11);
    await put('shared', 'from-native', data);
    const out = await gw.s3.send(new GetObjectCommand({ Bucket: 'shared', Key: 'from-native' }));
    assert.ok(Buffer.from(await out.Body!.transformToByteArray()).equals(data));
    await gw.s3.send(new PutObjectCommand({ Bucket: 'shared', Key: 'from-s3', Body: data }));
    const g = await request('GET', `${v1}/objects/shared/from-s3`);
    assert.ok(g.body.equals(data));
    assert.equal(g.headers['ais-checksum-value'], checksumOf('xxhash', data));
  });

  // cmn/objlist_utils.go CustomMD2S: "[ETag:67c24314d6587da16bfa50dd4d2f6a0a LastModified:2023-09-20T21:04:51Z]".
  test('list objects: custom-md in AIStore\'s "[k:v k:v]" form, the ETag unquoted', async () => {
    await createBucket('custom');
    const put = await gw.s3.send(new PutObjectCommand({ Bucket: 'custom', Key: 'o', Body: 'custom md' }));
    const etag = put.ETag!.replace(/"/g, '');
    const e = ((await list('custom', { props: 'name,custom' })).json as any).entries[0];
    assert.equal(e['custom-md'], `[ETag:${etag}]`);
    const m = (msgpackDecode((await list('custom', { props: 'name,custom' }, true)).body) as any).Entries[0];
    assert.equal(m.m, `[ETag:${etag}]`);
  });

  // cmn/objattrs.go ToHeader: one `Ais-Custom-Md: k=v` per custom key on HEAD and GET (what api/object.go
  // SetObjectCustomProps sets), merged unless ?set-new-custom=true.
  test('custom props: PATCH sets them, HEAD and GET return them as Ais-Custom-Md k=v', async () => {
    await createBucket('cprops');
    await put('cprops', 'obj', 'bytes stay');
    assert.equal((await request('PATCH', `${v1}/objects/cprops/obj`, { json: { action: '', value: { color: 'blue', size: 'xl' } } })).status, 200);
    const customOf = (r: Reply) => String(r.headers['ais-custom-md'] ?? '').split(/,\s*/).filter(Boolean).sort();
    assert.deepEqual(customOf(await request('HEAD', `${v1}/objects/cprops/obj`)), ['color=blue', 'size=xl']);
    const g = await request('GET', `${v1}/objects/cprops/obj`);
    assert.equal(g.body.toString(), 'bytes stay');
    assert.deepEqual(customOf(g), ['color=blue', 'size=xl']);
    await request('PATCH', `${v1}/objects/cprops/obj?set-new-custom=true`, { json: { action: '', value: { shape: 'round' } } });
    assert.deepEqual(customOf(await request('HEAD', `${v1}/objects/cprops/obj`)), ['shape=round']);
    assert.deepEqual(customOf(await request('HEAD', `${v1}/objects/cprops/obj?props=custom`)), ['shape=round'], 'HEAD V2 props=custom');
    assert.equal((await request('HEAD', `${v1}/objects/cprops/obj?props=size`)).headers['ais-custom-md'], undefined);
  });

  // ais/proxy.go httpbckget: {"action":"list"} without a value is list-buckets, also under a bucket's path
  // (api.QueryBuckets); with a value (an LsoMsg) or without any message (curl) it lists objects.
  test('GET /v1/buckets/NAME: "list" without a value lists that bucket, with a value its objects', async () => {
    await createBucket('qb');
    await put('qb', 'x', 'x');
    const r = await request('GET', `${v1}/buckets/qb?provider=ais`, { json: { action: 'list' } });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, [{ name: 'qb', provider: 'ais', namespace: { uuid: '', name: '' } }]);
    assert.deepEqual((await request('GET', `${v1}/buckets/nosuchqb?provider=ais`, { json: { action: 'list' } })).json, []);
    assert.deepEqual(((await request('GET', `${v1}/buckets/qb?provider=ais`)).json as any).entries.map((e: any) => e.name), ['x']);
    assert.deepEqual(((await list('qb', {})).json as any).entries.map((e: any) => e.name), ['x']);
  });

  test('unknown routes and actions are AIStore errors, not hangs', async () => {
    assertAisError(await request('GET', `${v1}/nothing`), 400);
    assertAisError(await request('GET', `${v1}/cluster?what=bogus`), 400, /what=bogus/);
    assertAisError(await request('POST', `${v1}/buckets/zzz`, { json: { action: 'copy-bck' } }), 501);
    assertAisError(await request('GET', `${v1}/buckets/zzz`, { body: '{not json', headers: { 'content-type': 'application/json' } }), 400, /JSON/);
  });
});

// ais/proxy.go httpobjdelete, httpobjpatch and httpobjpost (rename-obj, via redirectAction) answer 307 to the
// object's target like GET/PUT/HEAD do; control requests (buckets, cluster) are served by the proxy.
describe('native API /v1 in redirect mode: every object request goes to the target', () => {
  let gw: TestGateway;
  before(async () => {
    await initChecksums();
    gw = await startTestGateway({ redirect: true });
    assert.equal((await request('POST', `${gw.url}/v1/buckets/rd`, { json: { action: 'create-bck' } })).status, 200);
  });
  after(() => gw.dispose());

  test('DELETE, PATCH and POST of an object are 307 to the target (GET 301) and change nothing on the proxy', async () => {
    const target = `${gw.targetUrl}/v1/objects/rd/o`;
    assert.equal((await request('PUT', target, { body: 'kept' })).status, 200);
    for (const [method, json] of [
      ['DELETE', undefined],
      ['PATCH', { action: '', value: { k: 'v' } }],
      ['POST', { action: 'rename-obj', name: 'moved' }],
    ] as const) {
      const r = await request(method, `${gw.url}/v1/objects/rd/o?provider=ais`, json ? { json } : {});
      assert.equal(r.status, 307, method);
      const loc = new URL(String(r.headers.location));
      assert.equal(`${loc.origin}${loc.pathname}`, target, method);
      assert.equal(loc.searchParams.get('provider'), 'ais');
    }
    // GET alone is 301 (ais/proxy.go httpobjget: http.StatusMovedPermanently), to the same place.
    const get = await request('GET', `${gw.url}/v1/objects/rd/o?provider=ais`);
    assert.equal(get.status, 301);
    assert.equal(new URL(String(get.headers.location)).pathname, '/v1/objects/rd/o');
    assert.equal((await request('HEAD', `${gw.url}/v1/objects/rd/o`)).status, 307);
    const head = await request('HEAD', target);
    assert.equal(head.status, 200, 'the 307s deleted and renamed nothing');
    assert.equal(head.headers['ais-custom-md'], undefined, 'and set no props');
  });

  test("the extension's AIS client follows them: custom props, rename, delete", async () => {
    const client = new AisClusterClient({ kind: 'ais', endpoint: gw.url });
    const bucket = { name: 'rd', provider: 'ais' };
    try {
      await client.putObject(bucket, 'c/one', { open: () => Readable.from([Buffer.from('one')]), size: 3 });
      await client.setObjectMetadata(bucket, 'c/one', { userMeta: { color: 'blue' } });
      assert.equal((await request('HEAD', `${gw.targetUrl}/v1/objects/rd/c/one`)).headers['ais-custom-md'], 'color=blue');
      assert.deepEqual((await client.headObject(bucket, 'c/one')).userMeta, { color: 'blue' });
      await client.renameObject(bucket, 'c/one', 'c/two');
      assert.deepEqual((await client.listObjects(bucket, { prefix: 'c/' })).objects.map((o) => o.key), ['c/two']);
      await client.deleteObject(bucket, 'c/two');
      assert.deepEqual((await client.listObjects(bucket, { prefix: 'c/' })).objects, []);
    } finally {
      client.dispose();
    }
  });
});

// ais/proxy.go httpbckdelete + ais/tgttxn.go destroyBucket: destroy-bck of a remote bucket evicts it from the
// cluster completely; the cloud bucket and its objects stay (there is no backend call to delete a bucket).
describe('native destroy-bck of an aws bucket', () => {
  let remote: TestGateway;
  let gw: TestGateway;
  before(async () => {
    await initChecksums();
    remote = await startTestGateway();
    gw = await startTestGateway({ remote: s3RemoteOf(remote) });
    await remote.s3.send(new CreateBucketCommand({ Bucket: 'keepme' }));
    await remote.s3.send(new PutObjectCommand({ Bucket: 'keepme', Key: 'k', Body: 'remote bytes' }));
  });
  after(async () => {
    await gw?.dispose();
    await remote?.dispose();
  });

  test('evicts the in-cluster copy and leaves the remote bucket and objects alone', async () => {
    const v1 = `${gw.url}/v1`;
    assert.equal((await request('GET', `${v1}/objects/keepme/k?provider=aws`)).body.toString(), 'remote bytes', 'cold GET caches it');
    const present = async () => (await request('GET', `${v1}/buckets?provider=aws&presence=2`, { json: { action: 'list' } })).json as any[];
    assert.deepEqual((await present()).map((b) => b.name), ['keepme']);
    assert.equal((await request('DELETE', `${v1}/buckets/keepme?provider=aws`, { json: { action: 'destroy-bck' } })).status, 200);
    assert.deepEqual(await present(), [], 'no longer in the cluster');
    const out = await remote.s3.send(new GetObjectCommand({ Bucket: 'keepme', Key: 'k' }));
    assert.equal(await out.Body!.transformToString(), 'remote bytes', 'the remote object is still there');
    assertAisError(await request('DELETE', `${v1}/buckets/nosuchremote?provider=aws`, { json: { action: 'destroy-bck' } }), 404);
  });

  // ais/proxy.go _checkObjMv: rename-obj is for ais buckets; a remote one is ErrUnsupp (501), nothing moves.
  test('rename-obj in a remote bucket is refused (501) and moves nothing', async () => {
    const v1 = `${gw.url}/v1`;
    const e = assertAisError(await request('POST', `${v1}/objects/keepme/k?provider=aws`, { json: { action: 'rename-obj', name: 'k2' } }), 501, /not supported for remote buckets \(s3:\/\/keepme\)/);
    assert.equal(e.tcode, 'ErrUnsupp');
    const out = await remote.s3.send(new GetObjectCommand({ Bucket: 'keepme', Key: 'k' }));
    assert.equal(await out.Body!.transformToString(), 'remote bytes');
  });
});
