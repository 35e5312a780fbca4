// The rows: the work each target is measured on, and the helpers that fill and list buckets for them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUCKET, MB, W } from './config.mjs';
import { CopyObjectCommand, DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { PATTERN, enc, patternBody, pool, request } from './http.mjs';
import { cpuMs, flushDirtyPages, settle } from './measure.mjs';
import { shardRows } from './shard-rows.mjs';

// Each row returns { mbps?, ops?, ms, note?, ratio?, readMb? } (readMb: what the server read from files).
export const rows = [
  {
    id: 'put',
    label: `PUT ${W.single / MB} MB (single)`,
    run: async (t) => {
      const t0 = performance.now();
      await request('PUT', `${t.s3}/${BUCKET}/big`, { headers: { 'Content-Length': W.single }, body: patternBody(W.single) });
      return mbps(W.single, t0);
    },
  },
  {
    id: 'get',
    warm: (t) => readThrough(t, ['big']),
    label: `GET ${W.single / MB} MB`,
    run: async (t) => {
      const t0 = performance.now();
      const r = await request('GET', `${t.s3}/${BUCKET}/big`, { sink: true });
      if (r.bytes !== W.single) throw new Error(`GET returned ${r.bytes} bytes`);
      return mbps(W.single, t0);
    },
  },
  {
    id: 'mpu',
    label: `multipart ${W.multipart / MB} MB (16 MB × 4)`,
    run: async (t) => {
      const t0 = performance.now();
      const init = await request('POST', `${t.s3}/${BUCKET}/mpu?uploads`);
      const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(init.text)[1];
      const n = Math.ceil(W.multipart / W.partSize);
      const etags = [];
      await pool(n, W.partsInFlight, async (i) => {
        const size = Math.min(W.partSize, W.multipart - i * W.partSize);
        const r = await request('PUT', `${t.s3}/${BUCKET}/mpu?partNumber=${i + 1}&uploadId=${uploadId}`, {
          headers: { 'Content-Length': size },
          body: patternBody(size),
        });
        etags[i] = r.headers.etag;
      });
      const xml = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
      const t1 = performance.now();
      const done = await request('POST', `${t.s3}/${BUCKET}/mpu?uploadId=${uploadId}`, { body: xml, headers: { 'Content-Type': 'application/xml' } });
      if (/<Error>/.test(done.text)) throw new Error(done.text);
      return { ...mbps(W.multipart, t0), completeMs: performance.now() - t1 };
    },
  },
  {
    id: 'small-put',
    // Steady state, as the GET rows' warm read: a server's first few hundred requests are its JIT's.
    warm: (t) => {
      const body = PATTERN.subarray(0, W.smallSize);
      return pool(Math.min(500, W.smallCount), W.smallInFlight, (i) => request('PUT', `${t.s3}/${BUCKET}/warm-put/${i}`, { body, headers: { 'Content-Length': body.length } }));
    },
    label: `${W.smallCount} × 4 KB PUT (16 in flight)`,
    run: async (t) => {
      const body = PATTERN.subarray(0, W.smallSize);
      const t0 = performance.now();
      await pool(W.smallCount, W.smallInFlight, (i) => request('PUT', `${t.s3}/${BUCKET}/small/${i}`, { body, headers: { 'Content-Length': body.length } }));
      return opsps(W.smallCount, t0);
    },
  },
  {
    id: 'small-get',
    warm: (t) => readThrough(t, Array.from({ length: W.smallCount }, (_, i) => `small/${i}`)),
    label: `${W.smallCount} × 4 KB GET (16 in flight)`,
    run: async (t) => {
      const t0 = performance.now();
      await pool(W.smallCount, W.smallInFlight, async (i) => {
        const r = await request('GET', `${t.s3}/${BUCKET}/small/${i}`, { sink: true });
        if (r.bytes !== W.smallSize) throw new Error(`small GET returned ${r.bytes} bytes`);
      });
      return opsps(W.smallCount, t0);
    },
  },
  {
    id: 'list-s3',
    label: `list ${W.listKeys} keys, S3 pages of 1000 (keys/s)`,
    needs: 'list',
    setup: (t) => fill(t, 'list/', W.listKeys),
    run: async (t) => {
      const t0 = performance.now();
      const n = await listS3(t, 'list/', W.listKeys);
      if (n !== W.listKeys) throw new Error(`listed ${n} of ${W.listKeys}`);
      return opsps(n, t0);
    },
  },
  {
    id: 'list-native',
    label: `list ${W.listKeys} keys, native pages of 1000 (keys/s)`,
    needs: 'native',
    run: async (t) => {
      const t0 = performance.now();
      const n = await listNative(t, 'list/', W.listKeys);
      if (n !== W.listKeys) throw new Error(`listed ${n} of ${W.listKeys}`);
      return opsps(n, t0);
    },
  },
  {
    id: 'deep',
    label: `${W.deepKeys} keys: last page ÷ first page (S3)`,
    needs: 'deep',
    deep: true,
    run: async (t) => {
      // Time the first page, then walk to the last page by continuation token and time that one alone.
      const page = async (token) => {
        const t0 = performance.now();
        const r = await request('GET', `${t.s3}/deep?list-type=2&prefix=deep/&max-keys=${W.listPage}${token ? `&continuation-token=${encodeURIComponent(token)}` : ''}`);
        const next = /<NextContinuationToken>([^<]+)<\/NextContinuationToken>/.exec(r.text)?.[1];
        return { ms: performance.now() - t0, next: next && unxml(next) };
      };
      const firsts = [];
      let first = await page();
      firsts.push(first.ms);
      for (let i = 0; i < 4; i++) firsts.push((await page()).ms);
      let token = first.next;
      const lasts = [];
      while (token) {
        const p = await page(token);
        if (!p.next) {
          for (let i = 0; i < 4; i++) lasts.push((await page(token)).ms);
          lasts.push(p.ms);
        }
        token = p.next;
      }
      const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
      const f = med(firsts);
      const l = med(lasts);
      return { ratio: l / f, ms: l, note: `first ${f.toFixed(1)} ms, last ${l.toFixed(1)} ms` };
    },
  },
  {
    id: 'xfer-up',
    label: `engine: upload ${W.bigFile / MB} MB file`,
    needs: 'engine',
    run: async (t, c) => {
      const t0 = performance.now();
      await c.lib.uploadFile(c.client, c.bucket, c.bigFile, 'xfer/big', { partSize: 16 * MB, partConcurrency: 4 });
      return mbps(W.bigFile, t0);
    },
  },
  {
    id: 'xfer-down',
    warm: (t) => readThrough(t, ['xfer/big']),
    label: `engine: download ${W.bigFile / MB} MB file`,
    needs: 'engine',
    run: async (t, c) => {
      const dest = path.join(c.dir, 'big.down');
      const t0 = performance.now();
      await c.lib.downloadFile(c.client, c.bucket, 'xfer/big', dest, { partSize: 16 * MB, partConcurrency: 4 });
      const r = mbps(W.bigFile, t0);
      if (fs.statSync(dest).size !== W.bigFile) throw new Error('downloaded size differs');
      fs.rmSync(dest);
      return r;
    },
  },
  {
    id: 'folder-up',
    label: `engine: upload ${W.folderFiles}-file folder`,
    needs: 'engine',
    run: async (t, c) => {
      const items = await c.lib.collectFolder(c.folder, 'folder/');
      const t0 = performance.now();
      await c.lib.uploadFiles(c.client, c.bucket, items, { fileConcurrency: 8 });
      return opsps(items.length, t0, W.folderFiles * W.folderFileSize);
    },
  },
  {
    id: 'folder-down',
    warm: (t) => readThrough(t, Array.from({ length: W.folderFiles }, (_, i) => `folder/f${i}`)),
    label: `engine: download ${W.folderFiles}-file folder`,
    needs: 'engine',
    run: async (t, c) => {
      const dest = path.join(c.dir, 'folder.down');
      const items = Array.from({ length: W.folderFiles }, (_, i) => ({ key: `folder/f${i}`, file: path.join(dest, `f${i}`), size: W.folderFileSize }));
      const t0 = performance.now();
      await c.lib.downloadFiles(c.client, c.bucket, items, { fileConcurrency: 8 });
      const r = opsps(items.length, t0, W.folderFiles * W.folderFileSize);
      fs.rmSync(dest, { recursive: true, force: true });
      return r;
    },
  },
  {
    // How "Delete" on a folder sent it before batches: one DELETE per object, one after the other.
    id: 'delete-each',
    label: `delete ${W.deleteKeys} objects, one DELETE each (keys/s)`,
    needs: 'delete',
    setup: (t) => fill(t, 'del-each/', W.deleteKeys),
    run: async (t, c) => {
      const keys = keyNames('del-each/', W.deleteKeys);
      const t0 = performance.now();
      for (const key of keys) await c.client.deleteObject(c.bucket, key);
      return opsps(keys.length, t0);
    },
  },
  {
    // The client's deleteObjects: AIStore's delete-listrange job (gateways) or S3 DeleteObjects (s3rver).
    id: 'delete-batch',
    label: `delete ${W.deleteKeys} objects, batches of 1000 (keys/s)`,
    needs: 'delete',
    setup: (t) => fill(t, 'del-batch/', W.deleteKeys),
    run: async (t, c) => {
      const keys = keyNames('del-batch/', W.deleteKeys);
      const t0 = performance.now();
      const r = await c.client.deleteObjects(c.bucket, keys);
      const result = opsps(keys.length, t0);
      if (r.deleted !== keys.length) throw new Error(`deleted ${r.deleted} of ${keys.length}${r.failed[0] ? `: ${r.failed[0].key}: ${r.failed[0].message}` : ''}`);
      const left = await listS3(t, 'del-batch/');
      if (left !== 0) throw new Error(`${left} keys left after the batch delete`);
      return result;
    },
  },
  {
    // A bucket copied on the server (AIStore's copy-bck job, polled as AIStore's clients poll it) against
    // what an S3 browser does: list the source, then one CopyObject per key, 16 in flight.
    id: 'copy-job',
    label: `copy ${W.copyKeys} × 1 KB bucket→bucket: copy-bck job vs S3 CopyObject, ${W.copyInFlight} in flight (objects/s)`,
    needs: 'native',
    setup: (t) => copySource(t),
    run: async (t) => {
      const job = await halves(t, async () => {
        await runJob(t, 'copy-bck', 'POST', `${t.url}/v1/buckets/${COPY_SRC}?bck_to=${encodeURIComponent(`ais/@#/copy-job/`)}`, { action: 'copy-bck', value: {} });
      });
      const s3 = s3Client(t);
      const vs = await halves(t, async () => {
        await request('PUT', `${t.s3}/copy-s3`);
        const keys = await s3Keys(s3, COPY_SRC);
        await pool(keys.length, W.copyInFlight, (i) => s3.send(new CopyObjectCommand({ Bucket: 'copy-s3', Key: keys[i], CopySource: `${COPY_SRC}/${enc(keys[i])}` })));
      });
      for (const b of ['copy-job', 'copy-s3']) {
        const n = (await s3Keys(s3, b)).length;
        if (n !== W.copyKeys) throw new Error(`${b}: ${n} of ${W.copyKeys} objects copied`);
      }
      s3.destroy();
      return versus(W.copyKeys, job, { label: 'CopyObject', ...vs });
    },
  },
  {
    // AIStore's delete-listrange job by template against S3 DeleteObjects in batches of 1000, one after the
    // other, as an S3 browser sends them. Each side deletes one of the copy row's two copies of its source
    // (made again by copy-bck when that row did not run: far quicker than storing 20,000 objects over HTTP).
    id: 'delete-job',
    label: `delete ${W.copyKeys} objects: delete-listrange job vs S3 DeleteObjects (objects/s)`,
    needs: 'native',
    setup: async (t) => {
      await copySource(t);
      const s3 = s3Client(t);
      for (const b of ['copy-job', 'copy-s3']) {
        const n = await s3Keys(s3, b).then((keys) => keys.length, () => -1);
        if (n === W.copyKeys) continue;
        await runJob(t, 'copy-bck', 'POST', `${t.url}/v1/buckets/${COPY_SRC}?bck_to=${encodeURIComponent(`ais/@#/${b}/`)}`, { action: 'copy-bck', value: {} });
      }
      s3.destroy();
    },
    run: async (t) => {
      const names = keyNames(COPY_PREFIX, W.copyKeys);
      const template = `${COPY_PREFIX}{${names[0].slice(COPY_PREFIX.length)}..${names.at(-1).slice(COPY_PREFIX.length)}}`;
      const job = await halves(t, async () => {
        await runJob(t, 'delete-listrange', 'DELETE', `${t.url}/v1/buckets/copy-job`, { action: 'delete-listrange', value: { template } });
      });
      const s3 = s3Client(t);
      const vs = await halves(t, async () => {
        for (let i = 0; i < names.length; i += 1000) {
          const r = await s3.send(new DeleteObjectsCommand({ Bucket: 'copy-s3', Delete: { Objects: names.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true } }));
          if (r.Errors?.length) throw new Error(`DeleteObjects: ${r.Errors[0].Key}: ${r.Errors[0].Message}`);
        }
      });
      for (const b of ['copy-job', 'copy-s3']) {
        const n = (await s3Keys(s3, b)).length;
        if (n !== 0) throw new Error(`${b}: ${n} objects left`);
      }
      s3.destroy();
      return versus(W.copyKeys, job, { label: 'DeleteObjects', ...vs });
    },
  },
  ...shardRows,
  {
    // A dataset of small files landing at once: W.ingestCount objects of 1–16 KB (sizes spread evenly, each
    // object its own bytes) through 64 connections, into a fresh server, so its RSS is what the index of
    // that many keys costs while it takes them. s3rver keeps every object in a file and a JSON index: n/a.
    id: 'ingest',
    label: `ingest ${W.ingestCount.toLocaleString('en-US')} × 1–16 KB (64 in flight)`,
    fresh: true,
    needs: 'ingest',
    run: async (t) => {
      const sizeOf = (i) => 1024 + ((i * 7919) % (15 * 1024 + 1));
      let bytes = 0;
      const t0 = performance.now();
      await pool(W.ingestCount, W.ingestInFlight, (i) => {
        const size = sizeOf(i);
        bytes += size;
        const off = (i * 4099) % (PATTERN.length - size);
        return request('PUT', `${t.s3}/${BUCKET}/ingest/${String(i).padStart(7, '0')}`, { body: PATTERN.subarray(off, off + size), headers: { 'Content-Length': size } });
      });
      return opsps(W.ingestCount, t0, bytes);
    },
  },
  {
    // The memory goal on its own: a server that has served nothing else (the RSS of the rows above includes
    // what earlier rows left, such as the 100,000-key index), moving one large object each way.
    id: 'fresh',
    label: `fresh server: PUT then GET ${W.bigFile / MB} MB`,
    fresh: true,
    run: async (t) => {
      const t0 = performance.now();
      await request('PUT', `${t.s3}/${BUCKET}/fresh`, { headers: { 'Content-Length': W.bigFile }, body: patternBody(W.bigFile) });
      const r = await request('GET', `${t.s3}/${BUCKET}/fresh`, { sink: true });
      if (r.bytes !== W.bigFile) throw new Error(`GET returned ${r.bytes} bytes`);
      return mbps(2 * W.bigFile, t0);
    },
  },
];

// The copy and delete rows' source: W.copyKeys objects of 1 KB, each its own bytes, stored once per server.
const COPY_SRC = 'copy-src';
const COPY_PREFIX = 'obj-';
const filledSources = new WeakSet();
async function copySource(t) {
  if (filledSources.has(t)) return;
  await request('PUT', `${t.s3}/${COPY_SRC}`);
  await fill(t, COPY_PREFIX, W.copyKeys, { bucket: COPY_SRC, size: W.copySize });
  filledSources.add(t);
}

/**
 * Starts an AIStore job and waits for it as AIStore's clients do: GET /v1/cluster?what=status with the job's
 * id until its end_time is set.
 */
async function runJob(t, kind, method, url, msg) {
  const body = JSON.stringify(msg);
  const id = (await request(method, url, { body, headers: jsonHeaders(body) })).text.trim();
  const query = JSON.stringify({ id, kind });
  for (;;) {
    const r = await request('GET', `${t.url}/v1/cluster?what=status`, { body: query, headers: jsonHeaders(query) });
    const s = JSON.parse(r.text);
    if (s.end_time > 0) {
      if (s.err || s.aborted) throw new Error(`${kind} ${id}: ${s.err || 'aborted'}`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
const jsonHeaders = (body) => ({ 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });

/** The AWS SDK against a target's S3 side, as an S3 browser would use it (no retries: a failure shows). */
function s3Client(t) {
  return new S3Client({ endpoint: t.s3, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' }, maxAttempts: 1 });
}
async function s3Keys(s3, bucket) {
  const keys = [];
  let token;
  do {
    const r = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: W.listPage, ContinuationToken: token }));
    for (const o of r.Contents ?? []) keys.push(o.Key);
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/**
 * One half of a row that sets two ways of doing the same work side by side: each half starts with no dirty
 * pages and an idle machine, as a cell does, and counts its own wall time and server CPU.
 */
async function halves(t, fn) {
  flushDirtyPages();
  await settle();
  const cpu0 = cpuMs(t.child.pid);
  const t0 = performance.now();
  await fn();
  return { ms: performance.now() - t0, cpuMs: cpuMs(t.child.pid) - cpu0 };
}
/** The row's cell: the first way's objects/s, and the second's under `vs`. */
function versus(n, first, second) {
  return { ops: n / (first.ms / 1000), ms: first.ms, cpuMs: first.cpuMs, vs: { ...second, ops: n / (second.ms / 1000) } };
}

/**
 * Reads objects through the server, untimed, before a read row, so every target serves them from the page
 * cache: on this kind of VM, file pages left untouched are paged out over time (DAMON; 140 MB of a fresh
 * 1 GB file within 80 s), and each row goes across the targets in the order their data was written, so
 * the first target's object would be the oldest.
 */
async function readThrough(t, keys) {
  await pool(keys.length, 16, async (i) => {
    await request('GET', `${t.s3}/${BUCKET}/${enc(keys[i])}`, { sink: true });
  });
}

function mbps(bytes, t0) {
  const ms = performance.now() - t0;
  return { mbps: bytes / MB / (ms / 1000), ms };
}
function opsps(n, t0, bytes) {
  const ms = performance.now() - t0;
  return { ops: n / (ms / 1000), ms, ...(bytes ? { mbps: bytes / MB / (ms / 1000) } : {}) };
}
const unxml = (s) => s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The names fill(t, prefix, count) stores. */
const keyNames = (prefix, count) => Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(String(count).length, '0')}`);

const FILL_LIMIT_MS = Number(process.env.BENCH_FILL_LIMIT_S ?? 150) * 1000;
/** Stores `count` objects under `prefix`: empty, or of `size` bytes, each a different slice of the pattern. */
async function fill(t, prefix, count, { bucket = BUCKET, size = 0, inFlight = 32 } = {}) {
  const names = keyNames(prefix, count);
  const t0 = performance.now();
  let done = 0;
  await pool(count, inFlight, async (i) => {
    if (performance.now() - t0 > FILL_LIMIT_MS) throw new Error(`too slow: ${done} of ${count} keys stored in ${FILL_LIMIT_MS / 1000} s`);
    const body = size ? PATTERN.subarray(i % 4096, (i % 4096) + size) : '';
    await request('PUT', `${t.s3}/${bucket}/${names[i]}`, { body, headers: { 'Content-Length': body.length } });
    done++;
  });
}

async function listS3(t, prefix) {
  let n = 0;
  let token;
  do {
    const r = await request('GET', `${t.s3}/${BUCKET}?list-type=2&prefix=${encodeURIComponent(prefix)}&max-keys=${W.listPage}${token ? `&continuation-token=${encodeURIComponent(token)}` : ''}`);
    n += (r.text.match(/<Key>/g) ?? []).length;
    const m = /<NextContinuationToken>([^<]+)<\/NextContinuationToken>/.exec(r.text);
    token = m && /<IsTruncated>true<\/IsTruncated>/.test(r.text) ? unxml(m[1]) : undefined;
  } while (token);
  return n;
}

async function listNative(t, prefix) {
  let n = 0;
  let token = '';
  do {
    const body = JSON.stringify({ action: 'list', value: { prefix, pagesize: W.listPage, continuation_token: token, props: 'name,size' } });
    const r = await request('GET', `${t.url}/v1/buckets/${BUCKET}?provider=ais`, { body, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } });
    const page = JSON.parse(r.text);
    n += (page.entries ?? []).length;
    token = page.continuation_token ?? '';
  } while (token);
  return n;
}
