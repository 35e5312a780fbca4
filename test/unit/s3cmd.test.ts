// The real s3cmd (Debian's, 2.x) against a gateway started here, through the flows of AIStore's s3cmd guide
// (/work/shared/seed/s3cmd.md): generated .s3cfg with host_base = 127.0.0.1:PORT/s3, and the
// --host/--host-bucket/--no-ssl form. s3cmd runs as an async child process (the gateway is in-process).
import { md5File, writeRandomFile } from '../helpers/files';
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command, ListPartsCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { checksumOf } from '../../src/common/checksum';
import { skipUnlessInstalled } from '../helpers/tools';
import { makeTempDir, removeDir } from '../helpers/temp';

const MiB = 1024 * 1024;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}



function listFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}

describe('s3cmd against the gateway, as in AIStore\'s s3cmd guide', { skip: skipUnlessInstalled('s3cmd') }, () => {
  let gw: TestGateway;
  let tmp: string;
  let cfg: string;
  let hostArgs: string[];

  /** Runs s3cmd with a private HOME (never the user's ~/.s3cfg). */
  function s3cmd(args: string[], opts: { config?: string | null; timeoutMs?: number } = {}): Promise<Run> {
    const config = opts.config === undefined ? cfg : opts.config;
    const argv = config ? ['-c', config, ...args] : args;
    return new Promise((resolve) => {
      execFile(
        's3cmd',
        argv,
        { env: { ...process.env, HOME: tmp, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', PYTHONIOENCODING: 'utf-8' }, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 * MiB },
        (err, stdout, stderr) => {
          const code: unknown = err ? (err as { code?: unknown }).code : 0;
          resolve({ code: typeof code === 'number' ? code : 1, stdout: String(stdout), stderr: String(stderr) });
        },
      );
    });
  }

  async function ok(args: string[], opts?: { config?: string | null }): Promise<Run> {
    const r = await s3cmd(args, opts);
    assert.equal(r.code, 0, `s3cmd ${args.join(' ')} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
    return r;
  }

  function noMd5Warning(r: Run, what: string): void {
    assert.doesNotMatch(r.stdout + r.stderr, /MD5 Sums don't match|WARNING|ERROR/i, `${what} printed a warning:\n${r.stdout}\n${r.stderr}`);
  }

  before(async () => {
    gw = await startTestGateway({ defaultChecksum: 'md5' });
    tmp = makeTempDir('s3cmd');
    cfg = path.join(tmp, 's3cfg');
    const hostPort = `127.0.0.1:${gw.port}`;
    // What the guide's diff produces: host_base/host_bucket = HOST:PORT/s3, and HTTP (use_https = False).
    fs.writeFileSync(
      cfg,
      [
        '[default]',
        'access_key = test',
        'secret_key = test',
        `host_base = ${hostPort}/s3`,
        `host_bucket = ${hostPort}/s3`,
        'use_https = False',
        'bucket_location = us-east-1',
        'guess_mime_type = True',
        '',
      ].join('\n'),
    );
    hostArgs = [`--host=${hostPort}/s3`, `--host-bucket=${hostPort}/s3`, '--no-ssl', '--access_key=test', '--secret_key=test'];
  });

  after(async () => {
    await gw.dispose();
    removeDir(tmp);
  });

  test('mb, ls, put, get (bytes equal), info, del, rb with a generated .s3cfg — no MD5 warning on an md5 bucket', async () => {
    const file = path.join(tmp, 'README.md');
    writeRandomFile(file, 10689);
    const want = await md5File(file);
    const mb = await ok(['mb', 's3://mmm']);
    assert.match(mb.stdout, /Bucket 's3:\/\/mmm\/' created/);
    assert.equal(gw.store.getBucket({ provider: 'ais', name: 'mmm' }).props.checksum.type, 'md5');
    assert.match((await ok(['ls'])).stdout, /s3:\/\/mmm/);
    const put = await ok(['put', file, 's3://mmm/saved-readme.md']);
    noMd5Warning(put, 'put');
    assert.equal((put.stdout.match(/upload:/g) ?? []).length, 1, 'uploaded once (a mismatch would re-upload)');
    const out = path.join(tmp, 'copied-readme.md');
    await ok(['get', 's3://mmm/saved-readme.md', out]);
    assert.ok(fs.readFileSync(out).equals(fs.readFileSync(file)), 'bytes equal after get');
    const ls = await ok(['ls', 's3://mmm']);
    assert.match(ls.stdout, /\s10689\s+s3:\/\/mmm\/saved-readme\.md/);
    const info = await ok(['info', 's3://mmm/saved-readme.md']);
    noMd5Warning(info, 'info');
    assert.match(info.stdout, new RegExp(`MD5 sum:\\s+${want}`));
    assert.match(info.stdout, /File size:\s+10689/);
    assert.match(info.stdout, /x-amz-meta-s3cmd-attrs: .*md5:/);
    const binfo = await ok(['info', 's3://mmm']);
    assert.match(binfo.stdout, /s3:\/\/mmm\/ \(bucket\)/);
    assert.match(binfo.stdout, /ACL:\s+\S+: FULL_CONTROL/);
    const rbFull = await s3cmd(['rb', 's3://mmm']);
    assert.notEqual(rbFull.code, 0);
    assert.match(rbFull.stderr, /BucketNotEmpty/);
    assert.match((await ok(['del', 's3://mmm/saved-readme.md'])).stdout, /delete: 's3:\/\/mmm\/saved-readme\.md'/);
    assert.doesNotMatch((await ok(['ls', 's3://mmm'])).stdout, /saved-readme/);
    assert.match((await ok(['rb', 's3://mmm'])).stdout, /Bucket 's3:\/\/mmm\/' removed/);
    assert.doesNotMatch((await ok(['ls'])).stdout, /mmm/);
  });

  test('the --host/--host-bucket/--no-ssl form works without a configured endpoint', async () => {
    const empty = path.join(tmp, 'empty.s3cfg');
    fs.writeFileSync(empty, '');
    const file = path.join(tmp, 'hostform.bin');
    writeRandomFile(file, 200_000);
    await ok([...hostArgs, 'mb', 's3://hostform'], { config: empty });
    const put = await ok([...hostArgs, 'put', file, 's3://hostform/saved-readme.md'], { config: empty });
    noMd5Warning(put, 'put');
    const out = path.join(tmp, 'hostform.out');
    await ok([...hostArgs, 'get', 's3://hostform/saved-readme.md', out], { config: empty });
    assert.ok(fs.readFileSync(out).equals(fs.readFileSync(file)));
    assert.match((await ok([...hostArgs, 'ls', 's3://hostform'], { config: empty })).stdout, /200000\s+s3:\/\/hostform\/saved-readme\.md/);
    await ok([...hostArgs, 'del', 's3://hostform/saved-readme.md'], { config: empty });
    await ok([...hostArgs, 'rb', 's3://hostform'], { config: empty });
  });

  test('put --multipart-chunk-size-mb=5 of a 50 MB file: size and bytes equal after get, multipart ETag, s3cmd multipart', async () => {
    await ok(['mb', 's3://abc']);
    const file = path.join(tmp, 'aisnode');
    const size = 53452800; // the guide's aisnode: 50.98 MiB
    writeRandomFile(file, size);
    const want = await md5File(file);
    const put = await ok(['put', file, 's3://abc', '--multipart-chunk-size-mb=5']);
    noMd5Warning(put, 'multipart put');
    const ls = await ok(['ls', 's3://abc']);
    assert.match(ls.stdout, new RegExp(`\\s${size}\\s+s3://abc/aisnode`));
    const head = await gw.s3.send(new HeadObjectCommand({ Bucket: 'abc', Key: 'aisnode' }));
    assert.equal(head.ContentLength, size);
    assert.match(head.ETag!, /^"[0-9a-f]{32}-11"$/, 'eleven 5 MiB parts');
    assert.match(head.Metadata?.['s3cmd-attrs'] ?? '', new RegExp(`md5:${want}`), 's3cmd-attrs given at initiate stay on the object');
    const meta = await gw.store.headObject({ provider: 'ais', name: 'abc' }, 'aisnode');
    assert.equal(meta.md5, want);
    assert.deepEqual(meta.checksum, { type: 'md5', value: want });
    const out = path.join(tmp, 'aisnode.out');
    await ok(['get', 's3://abc/aisnode', out]);
    assert.equal(fs.statSync(out).size, size);
    assert.equal(await md5File(out), want);
    const info = await ok(['info', 's3://abc/aisnode']);
    assert.match(info.stdout, new RegExp(`MD5 sum:\\s+${want}`));
    const mp = await ok(['multipart', 's3://abc']);
    assert.match(mp.stdout, /Initiated\tPath\tId/);
    assert.doesNotMatch(mp.stdout, /aisnode/, 'no upload left after completion');
    // A multipart copy (UploadPartCopy with ranges): s3cmd does it above multipart_copy_chunk_size_mb.
    const cfg2 = path.join(tmp, 's3cfg-mpcopy');
    fs.writeFileSync(cfg2, fs.readFileSync(cfg, 'utf8') + 'multipart_copy_chunk_size_mb = 5\n');
    await ok(['cp', 's3://abc/aisnode', 's3://abc/aisnode-copy'], { config: cfg2 });
    const copyHead = await gw.s3.send(new HeadObjectCommand({ Bucket: 'abc', Key: 'aisnode-copy' }));
    assert.equal(copyHead.ContentLength, size);
    assert.match(copyHead.ETag!, /-11"$/, 'copied in eleven parts');
    assert.equal((await gw.store.headObject({ provider: 'ais', name: 'abc' }, 'aisnode-copy')).md5, want);
    // s3cmd modify: a copy onto itself with REPLACE.
    await ok(['modify', '--add-header=x-amz-meta-color:blue', '--add-header=Content-Type:text/x-node', 's3://abc/aisnode-copy']);
    const mod = await gw.s3.send(new HeadObjectCommand({ Bucket: 'abc', Key: 'aisnode-copy' }));
    assert.equal(mod.Metadata?.color, 'blue');
    assert.equal(mod.ContentType, 'text/x-node');
    assert.equal(mod.ContentLength, size);
    assert.equal((await gw.store.headObject({ provider: 'ais', name: 'abc' }, 'aisnode-copy')).md5, want);
    await ok(['del', 's3://abc/aisnode-copy']);
    fs.rmSync(out);
    fs.rmSync(file);
  });

  test('recursive put and get of nested names with spaces and unicode', async () => {
    await ok(['mb', 's3://tree']);
    const src = path.join(tmp, 'tree');
    const names = ['top.txt', 'dir with space/file 1.txt', 'dir with space/ünï cødé/ключ файл.txt', 'a+b&c/x%20y.txt', '日本/語 テキスト.md', "quote's/(paren) [x].bin"];
    names.forEach((n, i) => {
      fs.mkdirSync(path.dirname(path.join(src, n)), { recursive: true });
      fs.writeFileSync(path.join(src, n), crypto.randomBytes(100 + i * 1000));
    });
    const put = await ok(['put', '--recursive', src + '/', 's3://tree/up/']);
    noMd5Warning(put, 'recursive put');
    const listed = await gw.s3.send(new ListObjectsV2Command({ Bucket: 'tree', Prefix: 'up/' }));
    assert.deepEqual(
      listed.Contents?.map((c) => c.Key).sort(),
      names.map((n) => `up/${n}`).sort(),
      'keys stored byte-identical',
    );
    const ls = await ok(['ls', '--recursive', 's3://tree']);
    for (const n of names) assert.ok(ls.stdout.includes(`s3://tree/up/${n}`), `ls shows ${n}:\n${ls.stdout}`);
    const dir = await ok(['ls', 's3://tree/up/']);
    assert.match(dir.stdout, /DIR\s+s3:\/\/tree\/up\/dir with space\//);
    const down = path.join(tmp, 'tree-down');
    fs.mkdirSync(down);
    await ok(['get', '--recursive', 's3://tree/up/', down + '/']);
    assert.deepEqual(listFiles(down), [...names].sort());
    for (const n of names) assert.ok(fs.readFileSync(path.join(down, n)).equals(fs.readFileSync(path.join(src, n))), n);
  });

  test('cp and mv between buckets and names (s3cmd reads ?acl first)', async () => {
    await ok(['mb', 's3://tree2']);
    const cp = await ok(['cp', 's3://tree/up/top.txt', 's3://tree2/copied top.txt']);
    assert.match(cp.stdout, /remote copy: 's3:\/\/tree\/up\/top\.txt' -> 's3:\/\/tree2\/copied top\.txt'/);
    const mv = await ok(['mv', 's3://tree2/copied top.txt', 's3://tree2/moved/ü.txt']);
    assert.match(mv.stdout, /move:/);
    const listed = await gw.s3.send(new ListObjectsV2Command({ Bucket: 'tree2' }));
    assert.deepEqual(listed.Contents?.map((c) => c.Key), ['moved/ü.txt']);
    const out = path.join(tmp, 'moved.out');
    await ok(['get', 's3://tree2/moved/ü.txt', out]);
    assert.ok(fs.readFileSync(out).equals(fs.readFileSync(path.join(tmp, 'tree', 'top.txt'))));
    // cp keeps the source's metadata, s3cmd's MD5 attribute included.
    await ok(['cp', 's3://tree/up/dir with space/file 1.txt', 's3://tree2/f1']);
    const h = await gw.s3.send(new HeadObjectCommand({ Bucket: 'tree2', Key: 'f1' }));
    assert.match(h.Metadata?.['s3cmd-attrs'] ?? '', /md5:/);
  });

  test('sync up, no-op re-sync, sync down — also with a multipart file', async () => {
    const src = path.join(tmp, 'tree');
    fs.writeFileSync(path.join(src, 'big.bin'), crypto.randomBytes(11 * MiB));
    const up = await ok(['sync', '--multipart-chunk-size-mb=5', src + '/', 's3://tree2/sync/']);
    noMd5Warning(up, 'sync up');
    const uploaded = (up.stdout.match(/upload:/g) ?? []).length;
    assert.equal(uploaded, 7, up.stdout);
    const big = await gw.s3.send(new HeadObjectCommand({ Bucket: 'tree2', Key: 'sync/big.bin' }));
    assert.match(big.ETag!, /-3"$/);
    const again = await ok(['sync', '--multipart-chunk-size-mb=5', src + '/', 's3://tree2/sync/']);
    assert.doesNotMatch(again.stdout, /upload:/, `re-sync must be a no-op:\n${again.stdout}`);
    noMd5Warning(again, 're-sync');
    const down = path.join(tmp, 'sync-down');
    const d = await ok(['sync', 's3://tree2/sync/', down + '/']);
    assert.equal((d.stdout.match(/download:/g) ?? []).length, 7, d.stdout);
    assert.deepEqual(listFiles(down), listFiles(src));
    for (const f of listFiles(src)) assert.ok(fs.readFileSync(path.join(down, f)).equals(fs.readFileSync(path.join(src, f))), f);
    const d2 = await ok(['sync', 's3://tree2/sync/', down + '/']);
    assert.doesNotMatch(d2.stdout, /download:/, `re-sync down must be a no-op:\n${d2.stdout}`);
    // A changed local file is uploaded again, and only that one.
    fs.writeFileSync(path.join(src, 'top.txt'), 'changed');
    const changed = await ok(['sync', src + '/', 's3://tree2/sync/']);
    assert.equal((changed.stdout.match(/upload:/g) ?? []).length, 1, changed.stdout);
    const del = await ok(['del', '--recursive', '--force', 's3://tree2']);
    assert.match(del.stdout, /delete:/);
    await ok(['rb', 's3://tree2']);
    await ok(['rb', '--recursive', '--force', 's3://tree']);
  });

  test('an upload killed mid-way is listed by `s3cmd multipart`/`listmp` and removed by `abortmp`', async () => {
    await ok(['mb', 's3://killed']);
    const file = path.join(tmp, 'killme.bin');
    writeRandomFile(file, 40 * MiB);
    const child = spawn('s3cmd', ['-c', cfg, 'put', file, 's3://killed/half done.bin', '--multipart-chunk-size-mb=5', '--limit-rate=10m'], {
      env: { ...process.env, HOME: tmp },
      stdio: 'ignore',
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // Wait until at least two parts are in, then kill it hard.
    let uploadId: string | undefined;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const ups = await gw.s3.send(new ListMultipartUploadsCommand({ Bucket: 'killed' }));
      uploadId = ups.Uploads?.[0]?.UploadId;
      if (uploadId) {
        const parts = await gw.s3.send(new ListPartsCommand({ Bucket: 'killed', Key: 'half done.bin', UploadId: uploadId }));
        if ((parts.Parts?.length ?? 0) >= 2) break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    await exited;
    assert.ok(uploadId, 'the upload started');
    await assert.rejects(gw.s3.send(new HeadObjectCommand({ Bucket: 'killed', Key: 'half done.bin' })), 'no object from a killed upload');
    const mp = await ok(['multipart', 's3://killed']);
    assert.match(mp.stdout, new RegExp(`s3://killed/half done\\.bin\\t${uploadId}`));
    const lmp = await ok(['listmp', 's3://killed/half done.bin', uploadId!]);
    const partLines = lmp.stdout.split('\n').filter((l) => /\t\d+\t"[0-9a-f]{32}"\t5242880$/.test(l));
    assert.ok(partLines.length >= 2, lmp.stdout);
    await ok(['abortmp', 's3://killed/half done.bin', uploadId!]);
    const after = await ok(['multipart', 's3://killed']);
    assert.doesNotMatch(after.stdout, /half done/);
    assert.equal((await gw.s3.send(new ListMultipartUploadsCommand({ Bucket: 'killed' }))).Uploads, undefined);
    const uploadsDir = path.join(gw.dataDir, 'buckets', 'ais', 'killed', 'uploads');
    assert.deepEqual(fs.existsSync(uploadsDir) ? fs.readdirSync(uploadsDir) : [], [], 'staged parts removed');
    await ok(['rb', 's3://killed']);
    fs.rmSync(file);
  });

  test('on an xxhash bucket (AIStore default) s3cmd warns about MD5 like on AIStore, and the bytes are still right', async () => {
    await ok(['mb', 's3://xxb']);
    const ref = { provider: 'ais' as const, name: 'xxb' };
    await gw.store.setBucketProps(ref, { checksum: { type: 'xxhash' } });
    const file = path.join(tmp, 'xx.bin');
    writeRandomFile(file, 5000);
    const put = await s3cmd(['put', file, 's3://xxb/xx.bin']);
    assert.match(put.stdout + put.stderr, /MD5 Sums don't match/);
    const meta = await gw.store.headObject(ref, 'xx.bin');
    assert.equal(meta.checksum.type, 'xxhash');
    // The bytes are right: s3cmd sent no Content-MD5, so (as AIStore) only the bucket's xxhash is computed.
    assert.equal(meta.checksum.value, checksumOf('xxhash', fs.readFileSync(file)));
    assert.equal(meta.md5, undefined);
    // Switching the bucket to md5, as the guide says, silences it.
    await gw.store.setBucketProps(ref, { checksum: { type: 'md5' } });
    noMd5Warning(await ok(['put', file, 's3://xxb/xx.bin']), 'put after checksum.type=md5');
    await ok(['rb', '--recursive', '--force', 's3://xxb']);
  });
});
