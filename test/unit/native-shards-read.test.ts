// Reading shards on the native API: GET /v1/objects/B/SHARD?archpath=MEMBER (one member's bytes) and
// ?archregx=X&archmode=MODE (the matches as a TAR), for .tar, .tar.gz, .zip and .tar.lz4, with AIStore's
// answers for a member that is not there, a name that climbs out, a broken shard. Each request is the one
// AIStore's Python SDK sends (named at each).
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import type { TestGateway } from '../helpers/gateway';
import { request } from '../helpers/http';
import { assertAisError, nativeCalls, startNativeGateway } from '../helpers/native';
import { FixtureMember, LZ4_CLI_FIXTURE, lz4FixtureMembers, sampleMembers, tarOf, tgzOf, untar, zipOf } from './shard-fixtures';

describe('native API /v1: reading shards (archpath, archregx)', () => {
  let gw: TestGateway;
  let v1: string;
  const { put, createBucket } = nativeCalls(() => v1);
  const members = sampleMembers();
  const shards: Record<string, Buffer> = {};

  before(async () => {
    ({ gw, v1 } = await startNativeGateway());
    assert.equal((await createBucket('sh')).status, 200);
    shards['s.tar'] = await tarOf(members);
    shards['s.tar.gz'] = await tgzOf(members);
    shards['s.tgz'] = shards['s.tar.gz'];
    shards['s.zip'] = await zipOf(members);
    shards['stored.zip'] = await zipOf(members, false);
    shards['cli.tar.lz4'] = Buffer.from(LZ4_CLI_FIXTURE, 'base64');
    for (const [name, data] of Object.entries(shards)) assert.equal((await put('sh', name, data)).status, 200);
  });
  after(() => gw.dispose());

  /**
   * sdk/obj/object.py Object.get_reader(archive_config=ArchiveConfig(archpath=...)): the SDK always sends
   * archpath and archregx (empty when unused), archmode only with a mode.
   */
  const getArch = (shard: string, cfg: { archpath?: string; regex?: string; mode?: string }, headers: Record<string, string> = {}) => {
    const q = new URLSearchParams({ provider: 'ais' });
    if (cfg.mode !== undefined) q.set('archmode', cfg.mode);
    q.set('archpath', cfg.archpath ?? '');
    q.set('archregx', cfg.regex ?? '');
    return request('GET', `${v1}/objects/sh/${shard}?${q}`, { headers });
  };

  test('archpath: every member of .tar, .tar.gz, .tgz, .zip (deflated and stored) round-trips byte for byte', async () => {
    for (const shard of ['s.tar', 's.tar.gz', 's.tgz', 's.zip', 'stored.zip']) {
      for (const m of members) {
        const r = await getArch(shard, { archpath: m.name });
        assert.equal(r.status, 200, `${shard}/${m.name}: ${r.body.toString()}`);
        assert.ok(r.body.equals(m.data), `${shard}/${m.name}: bytes`);
        assert.equal(r.headers['content-length'], String(m.data.length));
        assert.equal(r.headers['content-type'], 'application/octet-stream');
        // ais/tgtobj.go _txarch sets these two headers only: the shard's checksum is not the member's.
        assert.equal(r.headers['ais-checksum-value'], undefined);
      }
    }
  });

  test('.tar.lz4: members of a frame made by the lz4 tool (linked 64 KB blocks, checksums) round-trip', async () => {
    for (const m of lz4FixtureMembers()) {
      const r = await getArch('cli.tar.lz4', { archpath: m.name });
      assert.equal(r.status, 200, r.body.toString());
      assert.ok(r.body.equals(m.data), m.name);
    }
  });

  test('archpath: a leading "/" and the shard\'s own name in front are accepted (ais/dpq.go, ais/target.go)', async () => {
    const r1 = await getArch('s.tar', { archpath: '/a/001.json' });
    assert.equal(r1.body.toString(), '{"n":1}');
    const r2 = await getArch('s.tar', { archpath: 's.tar/a/002.json' });
    assert.equal(r2.body.toString(), '{"n":2}');
  });

  test('a member that is not there is AIStore\'s 404 ErrNotFound; a name that climbs out is 400 before any read', async () => {
    for (const shard of ['s.tar', 's.tar.gz', 's.zip', 'cli.tar.lz4']) {
      const e = assertAisError(await getArch(shard, { archpath: 'a/nosuch.jpg' }), 404);
      assert.equal(e.tcode, 'ErrNotFound');
      assert.match(e.message as string, new RegExp(`^t\\[[A-Za-z0-9]+\\]: a/nosuch\\.jpg in ais://sh/${shard.replace(/\./g, '\\.')} does not exist$`));
    }
    for (const bad of ['../x', 'a/../../etc/passwd', './a/001.jpg', 'a/', '~/x']) {
      const e = assertAisError(await getArch('s.tar', { archpath: bad }), 400);
      assert.equal(e.tcode, 'errInvalidPath');
      assert.equal(e.message, `invalid archpath ${JSON.stringify(bad)}`);
    }
    // The shard itself missing: the object's own 404.
    assertAisError(await getArch('nosuch.tar', { archpath: 'x' }), 404, /ais:\/\/sh\/nosuch\.tar does not exist/);
    // A Range with archpath: ais/target.go answers ErrUnsupp.
    const ranged = assertAisError(await getArch('s.tar', { archpath: 'a/001.jpg' }, { range: 'bytes=0-1' }), 501);
    assert.match(ranged.message as string, /cannot range-read archived content range: bytes=0-1, arch query: \(archpath=a\/001\.jpg\)/);
  });

  /** sdk: Object.get_reader(archive_config=ArchiveConfig(regex=..., mode=ArchiveMode.X)) → a TAR of the matches. */
  test('archregx + archmode: prefix, suffix, substr, wdskey, regexp select the same members in every format', async () => {
    const want: [string, string, string[]][] = [
      ['suffix', 'json', ['a/001.json', 'a/002.json']],
      ['prefix', 'a/00', ['a/001.jpg', 'a/001.json', 'a/002.jpg', 'a/002.json']],
      ['substr', '002', ['a/002.jpg', 'a/002.json']],
      ['wdskey', 'a/001', ['a/001.jpg', 'a/001.json']],
      ['regexp', '^a/00[12]\\.jpg$', ['a/001.jpg', 'a/002.jpg']],
      ['regexp', 'blob|empty', ['bin/blob.bin', 'empty.txt']],
      // An empty regx matches every member (cmn/archive/read.go matcher.do).
      ['prefix', '', members.map((m) => m.name)],
    ];
    const byName = new Map(members.map((m) => [m.name, m.data]));
    for (const shard of ['s.tar', 's.tar.gz', 's.zip', 'stored.zip']) {
      for (const [mode, regex, names] of want) {
        const r = await getArch(shard, { regex, mode });
        assert.equal(r.status, 200, `${shard} ${mode}=${regex}: ${r.body.toString().slice(0, 200)}`);
        assert.equal(r.headers['content-type'], 'application/x-tar');
        const got: FixtureMember[] = await untar(r.body);
        assert.deepEqual(got.map((g) => g.name), names, `${shard} ${mode}=${regex}`);
        for (const g of got) assert.ok(g.data.equals(byName.get(g.name)!), `${shard}: ${g.name} bytes`);
      }
    }
  });

  test('archregx: no match is 404, an unknown mode 400 ErrMatchMode, a bad regexp 400 in Go\'s words, with archpath 400', async () => {
    const none = assertAisError(await getArch('s.tar', { regex: 'zzz', mode: 'suffix' }), 404);
    assert.match(none.message as string, /^t\[[A-Za-z0-9]+\]: \(archregx=zzz, archmode=suffix\) in ais:\/\/sh\/s\.tar does not exist$/);
    const mode = assertAisError(await getArch('s.tar', { regex: 'x', mode: 'glob' }), 400);
    assert.equal(mode.tcode, 'ErrMatchMode');
    assert.equal(mode.message, 'invalid matching mode "glob", expecting one of: [regexp prefix suffix substr wdskey]');
    assertAisError(await getArch('s.tar', { regex: '(', mode: 'regexp' }), 400, /failed to extract files that match \(archregx=\(, archmode=regexp\) from ais:\/\/sh\/s\.tar, err: error parsing regexp: missing closing \): `\(`/);
    assertAisError(await getArch('s.tar', { archpath: 'a/001.jpg', mode: 'prefix' }), 400, /archpath="archpath" \(match one\) and archregx="archregx" \(match many\) are mutually exclusive/);
    // archregx without archmode is no shard read at all (ais/dpq.go isArch): the shard's own bytes.
    const plain = await request('GET', `${v1}/objects/sh/s.tar?archregx=json`);
    assert.ok(plain.body.equals(shards['s.tar']));
  });

  test('a truncated or corrupt shard is a 400 naming it; what lies before the damage still reads', async () => {
    const tar = shards['s.tar'];
    // Cut inside bin/blob.bin's data: the members before it read, the ones after it do not.
    const cut = tar.indexOf(Buffer.from('bin/blob.bin')) + 512 + 30_000;
    await put('sh', 'cut.tar', tar.subarray(0, cut));
    assert.equal((await getArch('cut.tar', { archpath: 'a/002.json' })).body.toString(), '{"n":2}');
    assertAisError(await getArch('cut.tar', { archpath: 'empty.txt' }), 400, /^failed to open ais:\/\/sh\/cut\.tar: unexpected EOF \(the archive is truncated\)$/);
    assertAisError(await getArch('cut.tar', { archpath: 'bin/blob.bin' }), 400, /truncated/);

    const tgz = shards['s.tar.gz'];
    await put('sh', 'cut.tar.gz', tgz.subarray(0, tgz.length - 200));
    assertAisError(await getArch('cut.tar.gz', { archpath: 'empty.txt' }), 400, /^failed to open ais:\/\/sh\/cut\.tar\.gz: gzip: unexpected end of file$/);

    const zip = shards['s.zip'];
    await put('sh', 'cut.zip', zip.subarray(0, zip.length - 30));
    assertAisError(await getArch('cut.zip', { archpath: 'a/001.jpg' }), 400, /^failed to open ais:\/\/sh\/cut\.zip: zip: /);

    await put('sh', 'junk.tar', Buffer.alloc(4096, 'j'));
    assertAisError(await getArch('junk.tar', { archpath: 'x' }), 400, /archive\/tar: invalid tar header/);
    await put('sh', 'junk.tar.lz4', Buffer.alloc(64, 'j'));
    assertAisError(await getArch('junk.tar.lz4', { archpath: 'x' }), 400, /lz4: invalid header/);
    // The gateway is still well.
    assert.equal((await getArch('s.tar', { archpath: 'a/001.jpg' })).status, 200);
  });

  test('a ZIP whose headers declare sizes its data cannot hold is refused before any byte is sent', async () => {
    const zip = Buffer.from(shards['s.zip']);
    // Central directory record of bin/blob.bin: signature PK\1\2, name length at +28, name at +46,
    // uncompressed size at +24.
    const sig = Buffer.from([0x50, 0x4b, 1, 2]);
    let at = zip.indexOf(sig);
    while (zip.toString('utf8', at + 46, at + 46 + zip.readUInt16LE(at + 28)) !== 'bin/blob.bin') at = zip.indexOf(sig, at + 4);
    zip.writeUInt32LE(0xfffffff0, at + 24);
    await put('sh', 'liar.zip', zip);
    assertAisError(await getArch('liar.zip', { archpath: 'bin/blob.bin' }), 400, /declares 4294967280 bytes from \d+ compressed bytes, more than DEFLATE can produce/);
    // Its honest members still read.
    assert.equal((await getArch('liar.zip', { archpath: 'a/001.json' })).body.toString(), '{"n":1}');
  });
});
