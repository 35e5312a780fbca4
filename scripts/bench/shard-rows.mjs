// The shard rows (gateway only): one member out of a ~1 GB .tar by archpath, and the listing of a .tar of
// 10,000 members by LsArchDir pages. Besides time, each reports the bytes the gateway process read during
// the request: /proc/PID/io `rchar` (every read(2)/pread(2) it made, whether the page cache served it or
// the disk; sockets too, but a request is a few hundred bytes) and `read_bytes` (what reached the block
// device: ~0 here, as the shards are in the page cache).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUCKET, MB, W } from './config.mjs';
import { PATTERN, request } from './http.mjs';

const BIG = 'shard-1g.tar';
const MANY = 'shard-10k.tar';
/** Timed requests per way in a cell; the cell reports the median. */
const TRIES = 5;

export const shardRows = [
  {
    // archpath against a ranged GET of the very same bytes: the ranged GET is the ceiling (a reader that
    // already knows the member's offset); the gap is what finding the member by its headers costs.
    id: 'shard-member',
    label: `member of a ${W.shardBytes / MB} MB tar (archpath ÷ ranged GET, time)`,
    needs: 'native',
    warm: (t, c) => putShard(t, c, 'big'),
    run: async (t) => {
      const { members } = await shardFile('big');
      const last = await memberCost(t, members.at(-1));
      const middle = await memberCost(t, members[members.middle]);
      const note =
        `last member (${kb(last.member.size)} KB at ${mb(last.member.offset)} MB): ${last.ms.toFixed(1)} ms, ${mb(last.rchar, 2)} MB rchar, ${mb(last.readBytes, 2)} MB read_bytes; ` +
        `ranged GET ${last.rangeMs.toFixed(1)} ms, ${mb(last.rangeRchar, 2)} MB rchar; ` +
        `middle member (at ${mb(middle.member.offset)} MB): ${middle.ms.toFixed(1)} ms, ${mb(middle.rchar, 2)} MB rchar (ranged ${middle.rangeMs.toFixed(1)} ms)`;
      return { ratio: last.ms / last.rangeMs, ms: last.ms, readMb: last.rchar / MB, note };
    },
  },
  {
    // Every member, in LsArchDir pages of 1000 as the extension asks, against GNU tar listing the same
    // file on this machine (`tar -tf`, its process started and timed whole; its rchar from its shell).
    id: 'shard-list',
    label: `list a tar of ${W.shardMembers} members, pages of ${W.listPage} (÷ tar -tf, time)`,
    needs: 'native',
    warm: (t, c) => putShard(t, c, 'many'),
    run: async (t) => {
      const { file, members } = await shardFile('many');
      const runs = [];
      for (let i = 0; i < TRIES; i++) {
        const io0 = procIo(t.child.pid);
        const t0 = performance.now();
        const n = await listMembers(t, MANY);
        const ms = performance.now() - t0;
        const io1 = procIo(t.child.pid);
        if (n !== members.length) throw new Error(`listed ${n} of ${members.length} members`);
        runs.push({ ms, rchar: io1.rchar - io0.rchar, readBytes: io1.read_bytes - io0.read_bytes });
      }
      const tars = [];
      for (let i = 0; i < TRIES; i++) {
        const t0 = performance.now();
        const out = execFileSync('sh', ['-c', 'tar -tf "$0" > /dev/null && cat /proc/$$/io', file], { encoding: 'utf8' });
        tars.push({ ms: performance.now() - t0, rchar: Number(/rchar: (\d+)/.exec(out)[1]) });
      }
      const g = median(runs);
      const tr = median(tars);
      const note = `${g.ms.toFixed(1)} ms, ${mb(g.rchar)} MB rchar, ${mb(g.readBytes, 2)} MB read_bytes (shard ${mb(fs.statSync(file).size)} MB); tar -tf ${tr.ms.toFixed(1)} ms, ${mb(tr.rchar)} MB rchar`;
      return { ratio: g.ms / tr.ms, ms: g.ms, readMb: g.rchar / MB, note };
    },
  },
];

/** One member by archpath and the same bytes by a ranged GET, TRIES times each: the median of each. */
async function memberCost(t, member) {
  const url = `${t.url}/v1/objects/${BUCKET}/${BIG}`;
  const arch = [];
  const range = [];
  for (let i = 0; i < TRIES; i++) {
    arch.push(await timed(t, `${url}?provider=ais&archpath=${encodeURIComponent(member.name)}`, {}, member.size));
    range.push(await timed(t, `${url}?provider=ais`, { Range: `bytes=${member.offset}-${member.offset + member.size - 1}` }, member.size));
  }
  const a = median(arch);
  const r = median(range);
  return { member, ms: a.ms, rchar: a.rchar, readBytes: a.readBytes, rangeMs: r.ms, rangeRchar: r.rchar };
}

async function timed(t, url, headers, size) {
  const io0 = procIo(t.child.pid);
  const t0 = performance.now();
  const r = await request('GET', url, { headers, sink: true });
  const ms = performance.now() - t0;
  const io1 = procIo(t.child.pid);
  if (r.bytes !== size) throw new Error(`GET ${url} returned ${r.bytes} bytes (status ${r.status}), not ${size}`);
  return { ms, rchar: io1.rchar - io0.rchar, readBytes: io1.read_bytes - io0.read_bytes };
}

/** All members of a shard through LsArchDir pages, as the extension's client asks for them. */
async function listMembers(t, shard) {
  let n = 0;
  let token = '';
  do {
    const body = JSON.stringify({ action: 'list', value: { prefix: shard, flags: '8', props: 'name,size', pagesize: W.listPage, continuation_token: token } });
    const r = await request('GET', `${t.url}/v1/buckets/${BUCKET}?provider=ais`, { body, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } });
    const page = JSON.parse(r.text);
    for (const e of page.entries ?? []) if (e.name.startsWith(`${shard}/`)) n++;
    token = page.continuation_token ?? '';
  } while (token);
  return n;
}

/** The whole entry by the row's own measure: the run with the median time. */
const median = (runs) => [...runs].sort((a, b) => a.ms - b.ms)[(runs.length - 1) >> 1];
const mb = (n, digits = 1) => (n / MB).toFixed(digits);
const kb = (n) => (n / 1024).toFixed(0);

/** /proc/PID/io as numbers (rchar, read_bytes, ...). */
function procIo(pid) {
  const out = {};
  for (const line of fs.readFileSync(`/proc/${pid}/io`, 'utf8').split('\n')) {
    const [k, v] = line.split(': ');
    if (v !== undefined) out[k] = Number(v);
  }
  return out;
}

// ---------------------------------------------------------------- the shards, built once per run

const built = new Map();
const stored = new WeakMap();

/** Builds the shard file once per run (in the bench's work dir), then PUTs it once per server. */
async function putShard(t, c, which) {
  const done = stored.get(t) ?? new Set();
  stored.set(t, done);
  if (done.has(which)) return;
  const { file } = await shardFile(which, path.dirname(c.dir));
  const size = fs.statSync(file).size;
  const t0 = performance.now();
  const key = which === 'big' ? BIG : MANY;
  await request('PUT', `${t.s3}/${BUCKET}/${key}`, { headers: { 'Content-Length': size }, body: (req) => fs.createReadStream(file).pipe(req) });
  // Read through once, untimed, so the shard is in the page cache as the other read rows' objects are.
  await request('GET', `${t.s3}/${BUCKET}/${key}`, { sink: true });
  console.log(`  ${key}: ${mb(size)} MB stored in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  done.add(which);
}

function shardFile(which, dir) {
  if (!built.has(which)) {
    if (!dir) throw new Error('shard not built');
    built.set(which, Promise.resolve(which === 'big' ? writeBigTar(path.join(dir, BIG)) : writeManyTar(path.join(dir, MANY))));
  }
  return built.get(which);
}

/** A deterministic generator of sizes in [lo, hi]. */
function sizes(seed, lo, hi) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + (s % (hi - lo + 1));
  };
}

/**
 * ~W.shardBytes of members 4 KB–2 MB with one 64 MB member in the middle; the member after it and the last
 * one are 256 KB (the ones read).
 */
function writeBigTar(file) {
  const next = sizes(1, 4096, 2 * MB);
  const large = Math.min(64 * MB, Math.floor(W.shardBytes / 16));
  const list = [];
  let total = 0;
  let middle;
  const add = (size) => {
    list.push(size);
    total += size + 512;
  };
  while (total < W.shardBytes - 256 * 1024) {
    if (middle === undefined && total >= W.shardBytes / 2) {
      add(large);
      middle = list.length;
      add(256 * 1024);
    } else add(next());
  }
  add(256 * 1024);
  const members = writeTar(file, list);
  members.middle = middle;
  return { file, members };
}

/** W.shardMembers members of 1–16 KB. */
function writeManyTar(file) {
  const next = sizes(2, 1024, 16 * 1024);
  return { file, members: writeTar(file, Array.from({ length: W.shardMembers }, () => next())) };
}

/** A ustar file of members m-000000.bin... of these sizes (slices of the pattern); their names and offsets. */
function writeTar(file, list) {
  const fd = fs.openSync(file, 'w');
  const members = [];
  let pos = 0;
  const out = (buf) => {
    fs.writeSync(fd, buf);
    pos += buf.length;
  };
  for (const [i, size] of list.entries()) {
    const name = `m-${String(i).padStart(6, '0')}.bin`;
    out(ustarHeader(name, size));
    members.push({ name, size, offset: pos });
    for (let left = size, k = i; left > 0; k++) {
      const n = Math.min(left, MB);
      const at = (k * 4099) % (PATTERN.length - n + 1);
      out(PATTERN.subarray(at, at + n));
      left -= n;
    }
    if (size % 512) out(Buffer.alloc(512 - (size % 512)));
  }
  out(Buffer.alloc(1024));
  fs.closeSync(fd);
  return members;
}

function ustarHeader(name, size) {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write(`${(1_700_000_000).toString(8).padStart(11, '0')}\0`, 136, 'latin1');
  h.write('0', 156, 'latin1');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}
