// The gateway's AIStore-native API (/v1) for buckets: create, list, HEAD (props), destroy, set/reset props and
// the multi-object delete, checked against the wire shapes AIStore's source declares (cmn/api.go, cmn/err.go).
/* eslint-disable @typescript-eslint/no-explicit-any -- wire replies are untyped JSON, checked field by field */
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import type { TestGateway } from '../helpers/gateway';
import { request } from '../helpers/http';
import { assertAisError, nativeCalls, startNativeGateway, waitForJob } from '../helpers/native';

describe('native API /v1: buckets', () => {
  let gw: TestGateway;
  let v1: string;
  const { put, createBucket, list } = nativeCalls(() => v1);
  before(async () => ({ gw, v1 } = await startNativeGateway()));
  after(() => gw.dispose());

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
    // A template's job runs on after the answer, as AIStore's does: wait for it to end.
    await waitForJob(v1, r.body.toString());
    const left = ((await list('multi', {})).json as any).entries.map((e: any) => e.name);
    assert.deepEqual(left, ['keep', 'shard-010.tar', 'shard-011.tar']);
  });
});
