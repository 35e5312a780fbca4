// The gateway's AIStore-native API (/v1) for the cluster: health, the cluster map, cluster and node config,
// and errors for unknown routes, checked against the wire shapes AIStore's source declares (core/meta/smap.go,
// cmn/config.go, cmn/err.go...).
/* eslint-disable @typescript-eslint/no-explicit-any -- wire replies are untyped JSON, checked field by field */
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import type { TestGateway } from '../helpers/gateway';
import { request } from '../helpers/http';
import { assertAisError, nativeCalls, startNativeGateway } from '../helpers/native';

describe('native API /v1: cluster', () => {
  let gw: TestGateway;
  let v1: string;
  const { createBucket } = nativeCalls(() => v1);
  before(async () => ({ gw, v1 } = await startNativeGateway()));
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

  test('unknown routes and actions are AIStore errors, not hangs', async () => {
    assertAisError(await request('GET', `${v1}/nothing`), 400);
    assertAisError(await request('GET', `${v1}/cluster?what=bogus`), 400, /what=bogus/);
    assertAisError(await request('POST', `${v1}/buckets/zzz`, { json: { action: 'move-bck' } }), 501);
    assertAisError(await request('GET', `${v1}/buckets/zzz`, { body: '{not json', headers: { 'content-type': 'application/json' } }), 400, /JSON/);
  });
});
