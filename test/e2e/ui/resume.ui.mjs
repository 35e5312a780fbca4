// Resumable uploads: "an upload killed half-way and resumed after a restart of the extension host sends only the
// missing parts and the object's checksum is right", in the real workbench. A cluster of the user's own
// (added through Add Cluster) points at a small proxy in front of the gateway (lib/partproxy.mjs) that
// records UploadPart requests and holds them back after the third: a dropped 100 MiB file stalls half-way
// with three parts on the cluster. The extension host sending it is killed (SIGKILL), a new one starts, the
// extension offers the interrupted upload, Resume sends the rest, and the gateway holds the file's bytes.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startPartProxy } from '../lib/partproxy.mjs';
import { until } from '../lib/until.mjs';

const CLUSTER = 'via-proxy';
const BUCKET = 'resume-ui';
const FILE = 'big-upload.bin';
const MiB = 1024 * 1024;
const PART = 16 * MiB; // aisBuckets.transfer.partSizeMb's default
const SIZE = 6 * PART + 4 * MiB; // 7 parts, the last one short
const PARTS = Math.ceil(SIZE / PART);
const PASS = 3; // parts that reach the gateway before the upload is killed

/** Random bytes (not compressible, not all the same part) written in 4 MiB steps; returns the MD5. */
function writeRandomFile(file, size) {
  const md5 = crypto.createHash('md5');
  const fd = fs.openSync(file, 'w');
  try {
    for (let done = 0; done < size;) {
      const chunk = crypto.randomBytes(Math.min(4 * MiB, size - done));
      md5.update(chunk);
      fs.writeSync(fd, chunk);
      done += chunk.length;
    }
  } finally {
    fs.closeSync(fd);
  }
  return md5.digest('hex');
}

/** The extension's upload journal (a file in its global storage on the server), or [] before there is one. */
function journalEntries(userDir) {
  const dir = path.join(userDir, 'globalStorage');
  const ext = fs.existsSync(dir) ? fs.readdirSync(dir).find((d) => d.toLowerCase() === 'ais-buckets.ais-buckets') : undefined;
  const file = ext && path.join(dir, ext, 'uploads.json');
  if (!file || !fs.existsSync(file)) return { file, uploads: [] };
  try {
    return { file, uploads: JSON.parse(fs.readFileSync(file, 'utf8')).uploads ?? [] };
  } catch {
    return { file, uploads: [] }; // caught between the temp file and the rename
  }
}

async function s3(ctx, method, p) {
  return fetch(`${ctx.gateway.url}/s3/${p}`, { method });
}

/** The MD5 of an object's bytes as the gateway serves them. */
async function objectMd5(ctx, key) {
  const res = await s3(ctx, 'GET', `${BUCKET}/${key}`);
  assert.equal(res.status, 200, `GET ${key}`);
  const md5 = crypto.createHash('md5');
  for await (const chunk of res.body) md5.update(chunk);
  return md5.digest('hex');
}

export default [
  {
    name: 'an upload killed half-way with its extension host resumes in a new one, sending only the missing parts',
    timeout: 4 * 60_000,
    async run(wb, ctx) {
      const proxy = await startPartProxy(ctx.gateway.url);
      const file = path.join(ctx.workspace, FILE);
      const fileMd5 = writeRandomFile(file, SIZE);
      assert.equal((await s3(ctx, 'PUT', BUCKET)).status, 200, `create bucket ${BUCKET}`);
      const settingsFile = path.join(ctx.userDir, 'settings.json');
      const settingsBefore = fs.readFileSync(settingsFile, 'utf8');
      let uploadId;
      try {
        // A cluster of one's own, as a person adds it: the proxy's address, its S3 side, a name.
        await wb.openView();
        await wb.runCommand('AIS Buckets: Add Cluster');
        await wb.answerAddCluster(`${proxy.url}/s3`, CLUSTER);
        proxy.passParts(PASS);
        await wb.expandPath(CLUSTER, 'ais');
        await wb.row(BUCKET, { under: 'ais' });
        await wb.dragFromExplorer(FILE, BUCKET, { under: 'ais' });
        // The md5 question comes before the upload (this cluster's bucket is not md5), unless answered before.
        if (await wb.page.locator('.monaco-dialog-box').waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false)) await wb.dialogButton('Keep xxhash and Upload');

        // Half-way: three parts on the gateway, the next ones held, the journal knows the three.
        await until(`${PASS} parts on the gateway and the next ones held`, () => proxy.sent().length === PASS && proxy.held().length > 0, 30_000);
        await until(`the journal to record ${PASS} parts`, () => journalEntries(ctx.userDir).uploads.find((u) => u.key === FILE)?.parts.length === PASS, 30_000);
        uploadId = proxy.sent()[0].uploadId;
        assert.deepEqual(proxy.sent().map((p) => p.status), [200, 200, 200]);
        // The progress toast, when the workbench shows one for a drop (not needed for the proof).
        await wb.waitForNotification(/Uploading big-upload\.bin/, 3_000).catch(() => undefined);
        await wb.screenshot('upload-stalled-half-way');

        // Kill it: the extension host that sends the parts dies (SIGKILL, no goodbye, no cancel).
        const holders = proxy.holders();
        assert.equal(holders.length, 1, `one process sends the parts: ${holders}`);
        const cmdline = fs.readFileSync(`/proc/${holders[0]}/cmdline`, 'utf8');
        assert.match(cmdline, /--type=extensionHost/, `the parts come from the extension host: ${cmdline}`);
        process.kill(holders[0], 'SIGKILL');
        await until('the held part requests to die with the extension host', () => proxy.held().length === 0, 30_000);
        await wb.screenshot('extension-host-killed');
        // A new extension host. The web workbench has no "Developer: Restart Extension Host" (a desktop
        // command) and does not restart a remote host that died: "Developer: Reload Window" starts one.
        const reloaded = wb.page.waitForNavigation({ timeout: 60_000 });
        await wb.runCommand('Developer: Reload Window');
        await reloaded;
        await wb.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
        const onCluster = await (await s3(ctx, 'GET', `${BUCKET}/${FILE}?uploadId=${encodeURIComponent(uploadId)}`)).text();
        const heldParts = [...onCluster.matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => Number(m[1]));
        // The parts go up several at a time, so the three that passed are the first three to arrive, not
        // necessarily parts 1-3: the gateway holds exactly those, and only the others are sent later.
        const passed = proxy.sent().map((p) => p.partNumber).sort((a, b) => a - b);
        assert.deepEqual(heldParts, passed, `the parts the gateway holds after the kill are the ones that passed: ${onCluster}`);
        const missing = Array.from({ length: PARTS }, (_, i) => i + 1).filter((n) => !passed.includes(n));
        assert.equal((await s3(ctx, 'HEAD', `${BUCKET}/${FILE}`)).status, 404, 'no object yet');

        // The new extension host offers the interrupted upload; Resume, keep it picked, go.
        proxy.passParts(Infinity);
        const before = proxy.sent().length;
        await wb.row(CLUSTER, { timeout: 60_000 }); // the new extension host is up
        await wb.notificationButton(/1 interrupted upload\(s\) can be resumed/, 'Resume', 40_000);
        const pick = wb.page.locator('.quick-input-widget');
        await pick.locator(`.monaco-list-row[aria-label*=${JSON.stringify(FILE)}]`).first().waitFor({ timeout: 15_000 });
        await wb.screenshot('resume-pick');
        await pick.locator('.quick-input-box input').press('Enter');

        await until('the resumed object on the gateway', async () => (await s3(ctx, 'HEAD', `${BUCKET}/${FILE}`)).status === 200, 90_000);
        const resumed = proxy.sent().slice(before);
        assert.deepEqual(
          resumed.map((p) => p.partNumber).sort((a, b) => a - b),
          missing,
          `only the missing parts were sent after the restart: ${JSON.stringify(resumed)}`,
        );
        assert.ok(resumed.every((p) => p.uploadId === uploadId && p.status === 200), 'into the same multipart upload');
        assert.equal(await objectMd5(ctx, FILE), fileMd5, "the object's MD5 is the file's");
        await until('the journal to forget the upload', () => !journalEntries(ctx.userDir).uploads.some((u) => u.key === FILE), 30_000);
        await wb.expandPath(CLUSTER, 'ais', BUCKET);
        await wb.row(FILE, { under: BUCKET });
        await wb.screenshot('resumed');
      } finally {
        // Remove the cluster as a person does (VS Code then writes its settings itself); the file as it
        // was before, in case the page is gone.
        await wb.removeCluster(CLUSTER).catch(() => fs.writeFileSync(settingsFile, settingsBefore));
        await proxy.close();
        // Leave nothing for later tests: no journal entry offered at their start, no upload, no bucket.
        const j = journalEntries(ctx.userDir);
        if (j.file && j.uploads.some((u) => u.key === FILE)) {
          fs.writeFileSync(j.file, JSON.stringify({ version: 1, uploads: j.uploads.filter((u) => u.key !== FILE) }));
        }
        if (uploadId) await s3(ctx, 'DELETE', `${BUCKET}/${FILE}?uploadId=${encodeURIComponent(uploadId)}`).catch(() => undefined);
        await s3(ctx, 'DELETE', `${BUCKET}/${FILE}`).catch(() => undefined);
        await s3(ctx, 'DELETE', BUCKET).catch(() => undefined);
        fs.rmSync(file, { force: true });
      }
    },
  },
];
