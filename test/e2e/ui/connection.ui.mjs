// Connections as a person makes them: the guided Add Cluster flow (step numbers in the title, a check's
// failure in the box with the input kept, Back with what was typed still there), sign in again from the
// key-icon row after an AuthN token expired, Edit Connection, AWS profiles and Show Connection Details.
// Each test starts the gateways it needs (with keys, with AuthN) and stops them; results are checked in
// the tree and on those gateways. The notification centre stays open (the smoke-test driver hides toasts),
// so the screenshots show what the extension says.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { seedGateway, startGateway } from '../lib/gateway.mjs';
import { until } from '../lib/until.mjs';

const LAB = 'Lab S3';
const LAB_KEYS = { accessKeyId: 'LABKEY0123456789', secretAccessKey: 'lab-secret-0123456789abcdef' };
const AUTHN_USER = 'lab';
const AUTHN_PASSWORD = 'lab-pass-1';
const AUTHN_TTL_S = 20;

/** A gateway of this test's own, with `args` (keys, --authn …), its data and log in the test's folders. */
async function ownGateway(wb, ctx, name, args) {
  fs.mkdirSync(wb.artifactsDir, { recursive: true });
  return startGateway({ dataDir: path.join(ctx.work, `gateway-${name}-${Date.now()}`), logFile: path.join(wb.artifactsDir, `gateway-${name}.log`), args });
}

/** A gateway that wants the lab keys, with a bucket lab-data holding readme.txt. */
async function keyedGateway(wb, ctx) {
  const gw = await ownGateway(wb, ctx, 'keys', ['--access-key', LAB_KEYS.accessKeyId, '--secret-key', LAB_KEYS.secretAccessKey]);
  const seeded = await seedGateway(gw, [{ name: 'lab-data', objects: { 'readme.txt': 'lab data\n' } }], { credentials: LAB_KEYS });
  if (seeded.error) {
    await gw.child.stop();
    throw new Error(seeded.error);
  }
  return gw;
}

function s3Client(endpoint, credentials) {
  const require = createRequire(path.join(process.cwd(), 'package.json'));
  const { S3Client, GetObjectCommand, ListBucketsCommand } = require('@aws-sdk/client-s3');
  const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
  return {
    async get(bucket, key) {
      return (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body.transformToString();
    },
    async buckets() {
      return ((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name);
    },
    close: () => s3.destroy(),
  };
}

/** An object's text as the gateway serves it to a request signed with `keys` (the AWS SDK, as any client). */
async function getObject(gw, keys, bucket, key) {
  const s3 = s3Client(gw.s3Endpoint, keys);
  try {
    return await s3.get(bucket, key);
  } finally {
    s3.close();
  }
}

/** Add Cluster by keyboard up to its method step: the endpoint typed, "S3-compatible endpoint" chosen. */
async function openS3Flow(wb, endpoint) {
  await wb.runCommandByKeyboard('AIS Buckets: Add Cluster');
  await wb.waitForQuickInputTitle('Add Cluster (1/');
  await wb.retype(endpoint);
  await wb.page.keyboard.press('Enter');
  await wb.waitForQuickInputTitle('Add Cluster (2/');
  await wb.arrowToQuickPickItem('S3-compatible endpoint');
  await wb.page.keyboard.press('Enter');
  await wb.waitForQuickInputTitle('Add Cluster (3/');
}

/**
 * Adds the keyed gateway's S3 side as `name` through the flow, without looking (test 1 looks): the state
 * other tests start from, made as a person makes it.
 */
async function addLabCluster(wb, gw, name) {
  const key = (k) => wb.page.keyboard.press(k);
  await openS3Flow(wb, gw.s3Endpoint);
  await wb.arrowToQuickPickItem('Access key and secret');
  await key('Enter');
  await wb.waitForQuickInputTitle('Add Cluster (4/9)');
  await wb.retype(LAB_KEYS.accessKeyId);
  await key('Enter');
  await wb.waitForQuickInputTitle('Add Cluster (5/9)');
  await wb.retype(LAB_KEYS.secretAccessKey);
  await key('Enter');
  await wb.waitForQuickInputTitle('Add Cluster (6/9)');
  await key('Enter');
  await wb.waitForQuickInputTitle('Add Cluster (7/9)', 20_000);
  await key('Enter');
  await wb.waitForQuickInputTitle('Add Cluster (8/9)');
  await key('Enter');
  await wb.waitForQuickInputTitle('Add Cluster (9/9)');
  await wb.retype(name);
  await key('Enter');
  await wb.row(name);
}

/** Removes clusters a test added (as a person does), whichever of them exist. */
async function removeClusters(wb, ...names) {
  for (const name of names) {
    if ((await wb.rowLabels().catch(() => [])).includes(name)) await wb.removeCluster(name).catch(() => undefined);
  }
}

export default [
  {
    name: 'Add Cluster: an S3 endpoint with keys, keyboard only, a wrong secret fixed after Back',
    timeout: 4 * 60_000,
    async run(wb, ctx) {
      const gw = await keyedGateway(wb, ctx);
      const downloaded = path.join(ctx.workspace, 'readme.txt');
      try {
        await wb.openView();
        await wb.row(ctx.cluster);
        await wb.showNotificationCenter();
        const key = (k) => wb.page.keyboard.press(k);

        // 1 endpoint: a malformed URL is refused while typing, with why; the gateway's S3 side is checked on Enter.
        await wb.runCommandByKeyboard('AIS Buckets: Add Cluster');
        await wb.waitForQuickInputTitle('Add Cluster (1/');
        await wb.retype('http://lab gateway:9000');
        assert.match(await wb.inputError(), /"http:\/\/lab gateway:9000" is not a URL/);
        await wb.screenshot('1-endpoint-malformed');
        await key('Enter'); // refused: still step 1
        await wb.page.waitForTimeout(300);
        assert.match(await wb.quickInputTitle(), /\(1\//);
        await wb.retype(gw.s3Endpoint);
        assert.equal(await wb.inputError(), '');
        await wb.screenshot('1-endpoint-typed');
        await key('Enter');

        // 2 kind: the gateway was detected (as AIStore, from its /v1/health); the arrows pick S3.
        await wb.waitForQuickInputTitle('Add Cluster (2/');
        const ais = await wb.waitForQuickPickItem('AIStore cluster');
        assert.match(ais.description, /detected: AIStore/);
        assert.ok(ais.focused, 'the detected kind is preselected');
        assert.match(await wb.quickPickPlaceholder(), /looks like AIStore/);
        await wb.screenshot('2-kind-detected');
        await wb.arrowToQuickPickItem('S3-compatible endpoint');
        await key('Enter');

        // 3 method: keys are what it asks for (it refused the unsigned listing).
        await wb.waitForQuickInputTitle('Add Cluster (3/');
        assert.equal((await wb.focusedQuickPickItem())?.label, 'Access key and secret', 'keys are preselected for an endpoint that wants credentials');
        await wb.screenshot('3-method');
        await key('Enter');

        // 4 access key, 5 secret (masked; a wrong one), 6 session token: Enter checks the keys.
        await wb.waitForQuickInputTitle('Add Cluster (4/9)');
        await wb.retype(LAB_KEYS.accessKeyId);
        await wb.screenshot('4-access-key');
        await key('Enter');
        await wb.waitForQuickInputTitle('Add Cluster (5/9)');
        assert.ok(await wb.quickInputIsPassword(), 'the secret is masked');
        await wb.retype('not-the-secret');
        await wb.screenshot('5-secret-wrong');
        await key('Enter');
        await wb.waitForQuickInputTitle('Add Cluster (6/9)');
        assert.ok(await wb.quickInputIsPassword(), 'the session token is masked');
        await key('Enter');
        await wb.waitForQuickInputIdle();
        const wrong = await wb.waitForInputError(/secret key does not match/);
        assert.match(wrong, /Press Enter again to go on anyway/);
        assert.doesNotMatch(wrong, /not-the-secret/, 'no secret in the message');
        assert.match(await wb.quickInputTitle(), /\(6\/9\)/, 'the box stays on its step');
        await wb.screenshot('6-wrong-secret-message');

        // Back (its keybinding): the secret step, with what was typed still in it; fix it.
        await wb.quickInputBack({ keyboard: true });
        await wb.waitForQuickInputTitle('Add Cluster (5/9)');
        assert.equal(await wb.quickInputValue(), 'not-the-secret', 'Back shows the typed secret again');
        await wb.screenshot('5-back-at-secret');
        await wb.retype(LAB_KEYS.secretAccessKey);
        await key('Enter');
        await wb.waitForQuickInputTitle('Add Cluster (6/9)');
        await key('Enter');
        await wb.waitForQuickInputIdle();

        // 7 region, 8 addressing, 9 name.
        await wb.waitForQuickInputTitle('Add Cluster (7/9)', 20_000);
        assert.equal(await wb.quickInputValue(), 'us-east-1');
        await wb.screenshot('7-region');
        await key('Enter');
        await wb.waitForQuickInputTitle('Add Cluster (8/9)');
        const pathStyle = await wb.focusedQuickPickItem();
        assert.equal(pathStyle?.label, 'Path-style', 'path-style for a non-Amazon endpoint');
        assert.match(pathStyle.detail, /MinIO, Ceph, AIStore/);
        await wb.screenshot('8-addressing');
        await key('Enter');
        await wb.waitForQuickInputTitle('Add Cluster (9/9)');
        assert.equal(await wb.quickInputValue(), 'S3 (127.0.0.1)', 'a name is suggested');
        await wb.retype(LAB);
        await wb.screenshot('9-name');
        await key('Enter');
        await wb.waitForNotification(`Added cluster "${LAB}"`);
        await wb.row(LAB);
        await wb.screenshot('added');

        // The tree: the cluster, its S3 buckets, the seeded object, through the keys just given.
        await wb.expandPath(LAB, 's3', 'lab-data');
        await wb.row('readme.txt', { under: 'lab-data' });
        await wb.screenshot('tree-buckets');

        // Upload: a file dragged from the Explorer onto the bucket, signed with the keys.
        await wb.dragFromExplorer('upload-me.txt', 'lab-data', { under: 's3' });
        await wb.row('upload-me.txt', { under: 'lab-data', timeout: 20_000 });
        assert.equal(await getObject(gw, LAB_KEYS, 'lab-data', 'upload-me.txt'), 'dropped from the Explorer\n');
        await wb.screenshot('uploaded');

        // Download: the object's context menu, the folder dialog (it opens at the workspace), Enter.
        await wb.contextMenu('readme.txt', 'Download…', { under: 'lab-data' });
        await wb.waitForQuickInputTitle('Download to folder');
        assert.equal(await wb.quickInputValue(), `${ctx.workspace}/`);
        await wb.screenshot('download-folder');
        await key('Enter');
        await until('the downloaded file', () => fs.existsSync(downloaded) && fs.readFileSync(downloaded, 'utf8') === 'lab data\n');
        await until('the download\'s progress to end', async () => !(await wb.notifications()).some((t) => t.startsWith('Downloading readme.txt')), 10_000);
        await wb.screenshot('downloaded');
      } catch (e) {
        await wb.screenshot('failed-before-cleanup').catch(() => undefined); // the state, before finally tidies it away
        throw e;
      } finally {
        await removeClusters(wb, LAB);
        fs.rmSync(downloaded, { force: true });
        await gw.child.stop();
      }
    },
  },
  {
    name: 'Sign in with AuthN, the token expires, the key-icon row signs in again',
    timeout: 4 * 60_000,
    async run(wb, ctx) {
      const NAME = 'Secure AIS';
      const gw = await ownGateway(wb, ctx, 'authn', ['--authn', '--authn-port', '0', '--authn-ttl', `${AUTHN_TTL_S}s`, '--authn-user', `${AUTHN_USER}:${AUTHN_PASSWORD}`]);
      try {
        // Seed it as the ais CLI's user would: a token from AuthN, then S3 requests carrying it.
        const login = await fetch(`${gw.authnUrl}/v1/users/${AUTHN_USER}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ password: AUTHN_PASSWORD }) });
        assert.equal(login.status, 200, 'AuthN signs the test in');
        const { token } = await login.json();
        const seeded = await seedGateway(gw, [{ name: 'secure-data', objects: { 'plan.txt': 'plan\n' } }], { credentials: { accessKeyId: 'authn', secretAccessKey: 'authn', sessionToken: token } });
        assert.equal(seeded.error, undefined);
        assert.equal((await fetch(`${gw.url}/v1/buckets`)).status, 401, 'the gateway wants a token');

        await wb.openView();
        await wb.row(ctx.cluster);
        await wb.showNotificationCenter();
        const key = (k) => wb.page.keyboard.press(k);
        await wb.runCommandByKeyboard('AIS Buckets: Add Cluster');
        await wb.waitForQuickInputTitle('Add Cluster (1/');
        await wb.retype(gw.url);
        await key('Enter');

        // 2 kind: AIStore, detected and preselected.
        await wb.waitForQuickInputTitle('Add Cluster (2/');
        const ais = await wb.waitForQuickPickItem('AIStore cluster');
        assert.match(ais.description, /detected: AIStore/);
        assert.ok(ais.focused);
        await wb.screenshot('2-kind-detected');
        await key('Enter');

        // 3 method: it refused an anonymous listing, so AuthN is preselected.
        await wb.waitForQuickInputTitle('Add Cluster (3/');
        assert.equal((await wb.focusedQuickPickItem())?.label, 'Sign in with AuthN');
        await wb.screenshot('3-method-authn');
        await key('Enter');

        // 4 AuthN URL: a guess (port 52001 on the gateway's host), typed over with this test's AuthN.
        await wb.waitForQuickInputTitle('Add Cluster (4/7)');
        assert.equal(await wb.quickInputValue(), 'http://127.0.0.1:52001', 'the default AuthN port is guessed');
        await wb.retype(gw.authnUrl);
        await wb.screenshot('4-authn-url');
        await key('Enter');
        await wb.waitForQuickInputTitle('Add Cluster (5/7)');
        assert.equal(await wb.quickInputValue(), 'admin', "AuthN's default user is offered");
        await wb.retype(AUTHN_USER);
        await key('Enter');

        // 6 password: a wrong one is refused in the box (the box stays), the right one signs in.
        await wb.waitForQuickInputTitle('Add Cluster (6/7)');
        assert.ok(await wb.quickInputIsPassword());
        await wb.retype('wrong-password');
        await key('Enter');
        await wb.waitForQuickInputIdle();
        const refused = await wb.waitForInputError(/./);
        console.log(`wrong password: ${refused}`);
        assert.match(refused, /invalid credentials|password|401/i);
        assert.doesNotMatch(refused, /wrong-password/);
        assert.match(await wb.quickInputTitle(), /\(6\/7\)/);
        await wb.screenshot('6-wrong-password');
        await wb.retype(AUTHN_PASSWORD);
        await key('Enter');
        await wb.waitForQuickInputIdle();
        const signedInAt = Date.now();

        // 7 name.
        await wb.waitForQuickInputTitle('Add Cluster (7/7)', 20_000);
        await wb.retype(NAME);
        await key('Enter');
        await wb.waitForNotification(`Added cluster "${NAME}"`);
        await wb.expandPath(NAME, 'ais');
        await wb.row('secure-data', { under: 'ais' });
        await wb.screenshot('added-buckets-listed');

        // The token expires; a refresh shows the key-icon row where the buckets were.
        const wait = signedInAt + AUTHN_TTL_S * 1000 + 1500 - Date.now();
        if (wait > 0) await wb.page.waitForTimeout(wait);
        await wb.runCommand('AIS Buckets: Refresh');
        const authRow = await wb.row('Token expired: click to sign in', { under: NAME, timeout: 20_000 });
        const info = (await wb.rowInfo()).find((r) => r.label === 'Token expired: click to sign in');
        assert.match(info.description, /The AuthN token for .* has expired: sign in again\./, 'the cause follows');
        assert.ok(await authRow.locator('.codicon-key').count(), 'the row has a key icon');
        await wb.waitForNoRow('secure-data');
        await wb.screenshot('token-expired-key-row');

        // Click it: the password (user and AuthN URL are kept), the buckets again.
        await authRow.click();
        await wb.waitForQuickInputTitle(`Sign in to ${NAME}`);
        assert.match(await wb.quickInputMessage(), new RegExp(`Password of ${AUTHN_USER} at ${gw.authnUrl.replace(/[.]/g, '\\.')}`));
        assert.ok(await wb.quickInputIsPassword());
        await wb.retype(AUTHN_PASSWORD);
        await wb.screenshot('sign-in-again-password');
        await key('Enter');
        // The tree reloads the cluster: its provider row is back (collapsed: VS Code forgets the expansion
        // of a row that was gone), and under it the buckets, listed with the new token.
        await wb.waitForNoRow('Token expired: click to sign in');
        await wb.expandPath(NAME, 'ais');
        await wb.row('secure-data', { under: 'ais', timeout: 20_000 });
        await wb.screenshot('signed-in-again');
        // The progress of the sign-in is gone once it is done.
        await until('the "Signing in" progress to end', async () => !(await wb.notifications()).some((t) => t.startsWith('Signing in to')), 10_000);
      } catch (e) {
        await wb.screenshot('failed-before-cleanup').catch(() => undefined); // the state, before finally tidies it away
        throw e;
      } finally {
        await removeClusters(wb, NAME);
        await gw.child.stop();
      }
    },
  },
  {
    name: 'Edit Connection… from the context menu: the saved values filled in, renamed',
    timeout: 4 * 60_000,
    async run(wb, ctx) {
      const RENAMED = 'Lab S3 Ü';
      const gw = await keyedGateway(wb, ctx);
      try {
        await wb.openView();
        await wb.row(ctx.cluster);
        await wb.showNotificationCenter();
        await addLabCluster(wb, gw, LAB);
        const key = (k) => wb.page.keyboard.press(k);

        await wb.contextMenu(LAB, 'Edit Connection…');
        const title = `Edit Connection: ${LAB}`;
        await wb.waitForQuickInputTitle(`${title} (1/9)`);
        // The endpoint as saved (the S3 side of the gateway); Enter checks it again.
        assert.equal(await wb.quickInputValue(), gw.s3Endpoint);
        await wb.screenshot('1-endpoint-filled');
        await key('Enter');
        await wb.waitForQuickInputTitle(`${title} (2/9)`);
        assert.equal((await wb.focusedQuickPickItem())?.label, 'S3-compatible endpoint', 'the saved kind is preselected');
        const [firstKind] = await wb.quickPickItems();
        assert.equal(firstKind.label, 'S3-compatible endpoint', 'the saved kind is listed first');
        assert.match(firstKind.description, /^current · /, 'and marked as the current one');
        await wb.screenshot('2-kind-saved');
        await key('Enter');
        await wb.waitForQuickInputTitle(`${title} (3/9)`);
        assert.equal((await wb.focusedQuickPickItem())?.label, 'Access key and secret', 'the saved method is preselected');
        assert.match((await wb.quickPickItems())[0].description, /^current · /, 'the saved method is marked');
        await key('Enter');
        await wb.waitForQuickInputTitle(`${title} (4/9)`);
        assert.equal(await wb.quickInputValue(), LAB_KEYS.accessKeyId, 'the saved access key');
        await wb.screenshot('4-key-filled');
        await key('Enter');
        await wb.waitForQuickInputTitle(`${title} (5/9)`);
        assert.ok(await wb.quickInputIsPassword(), 'the secret is masked');
        assert.equal(await wb.quickInputValue(), LAB_KEYS.secretAccessKey, 'the saved secret is in the box, masked');
        await wb.screenshot('5-secret-masked');
        await key('Enter');
        await wb.waitForQuickInputTitle(`${title} (6/9)`);
        await key('Enter');
        await wb.waitForQuickInputTitle(`${title} (7/9)`, 20_000);
        assert.equal(await wb.quickInputValue(), 'us-east-1');
        await key('Enter');
        await wb.waitForQuickInputTitle(`${title} (8/9)`);
        assert.equal((await wb.focusedQuickPickItem())?.label, 'Path-style');
        assert.match((await wb.focusedQuickPickItem())?.description ?? '', /^current · /, 'the saved addressing is marked');
        await key('Enter');
        await wb.waitForQuickInputTitle(`${title} (9/9)`);
        assert.equal(await wb.quickInputValue(), LAB, 'the saved name');
        await wb.retype(RENAMED);
        await wb.screenshot('9-renamed');
        await key('Enter');
        await wb.waitForNotification(`Saved the connection of "${RENAMED}"`);
        await wb.row(RENAMED);
        await wb.waitForNoRow(LAB);
        await wb.expandPath(RENAMED, 's3');
        await wb.row('lab-data', { under: 's3' });
        await wb.screenshot('renamed-in-tree');
        const settings = JSON.parse(fs.readFileSync(path.join(ctx.userDir, 'settings.json'), 'utf8'));
        const saved = JSON.stringify(settings['aisBuckets.clusters'] ?? settings);
        assert.ok(saved.includes(RENAMED), `settings.json has the new name: ${saved}`);
        assert.ok(!saved.includes(LAB_KEYS.secretAccessKey), 'the secret is not in settings.json');
      } catch (e) {
        await wb.screenshot('failed-before-cleanup').catch(() => undefined); // the state, before finally tidies it away
        throw e;
      } finally {
        await removeClusters(wb, RENAMED, LAB);
        await gw.child.stop();
      }
    },
  },
  {
    name: 'AWS profile: picked in Add Cluster with its description, and imported from the view menu',
    timeout: 4 * 60_000,
    async run(wb, ctx) {
      const gw = await keyedGateway(wb, ctx);
      fs.mkdirSync(path.dirname(ctx.aws.config), { recursive: true });
      // Written now, read by the extension when the flow lists them (never at start).
      fs.writeFileSync(ctx.aws.config, [
        '[profile lab-profile]', 'region = eu-lab-1', `endpoint_url = ${gw.s3Endpoint}`, 's3 =', '  addressing_style = path', '',
        '[profile lab-import]', 'region = us-east-1', `endpoint_url = ${gw.s3Endpoint}`, 's3 =', '  addressing_style = path', '',
      ].join('\n'));
      fs.writeFileSync(ctx.aws.credentials, [
        '[lab-profile]', `aws_access_key_id = ${LAB_KEYS.accessKeyId}`, `aws_secret_access_key = ${LAB_KEYS.secretAccessKey}`, '',
        '[lab-import]', `aws_access_key_id = ${LAB_KEYS.accessKeyId}`, `aws_secret_access_key = ${LAB_KEYS.secretAccessKey}`, '',
      ].join('\n'));
      const added = [];
      try {
        await wb.openView();
        await wb.row(ctx.cluster);
        await wb.showNotificationCenter();
        // When the extension started after the files were written, it offers (once) to import them.
        const offer = await wb.waitForNotification(/found AWS profiles on this machine/, 4_000).catch(() => undefined);
        if (offer) {
          await wb.screenshot('import-offer');
          await wb.notificationButton(/found AWS profiles/, 'Not Now');
        }
        const key = (k) => wb.page.keyboard.press(k);
        await openS3Flow(wb, gw.s3Endpoint);
        await wb.arrowToQuickPickItem('AWS profile');
        await wb.screenshot('3-method-profile');
        await key('Enter');

        // 4 the profiles of the files, each with what it is; picking one checks it.
        await wb.waitForQuickInputTitle('Add Cluster (4/7)');
        const item = await wb.waitForQuickPickItem('lab-profile');
        console.log(JSON.stringify(await wb.quickPickItems()));
        assert.match(item.description, /LABK…6789|LABK.*6789/, `the masked access key: ${item.description}`);
        assert.match(item.description, /eu-lab-1/);
        assert.match(item.detail, new RegExp(`endpoint ${gw.s3Endpoint.replace(/[.]/g, '\\.')}`));
        assert.doesNotMatch(JSON.stringify(await wb.quickPickItems()), new RegExp(LAB_KEYS.secretAccessKey));
        await wb.screenshot('4-profiles');
        await wb.arrowToQuickPickItem('lab-profile');
        await key('Enter');
        await wb.waitForQuickInputIdle();

        // 5 region (the profile's), 6 addressing, 7 name (after the profile).
        await wb.waitForQuickInputTitle('Add Cluster (5/7)', 20_000);
        assert.equal(await wb.quickInputValue(), 'eu-lab-1', "the profile's region");
        await key('Enter');
        await wb.waitForQuickInputTitle('Add Cluster (6/7)');
        assert.equal((await wb.focusedQuickPickItem())?.label, 'Path-style');
        await key('Enter');
        await wb.waitForQuickInputTitle('Add Cluster (7/7)');
        const name = await wb.quickInputValue();
        console.log(`suggested: ${name}`);
        assert.match(name, /lab-profile/, 'the name says which profile');
        await wb.screenshot('7-name');
        await key('Enter');
        added.push(name);
        await wb.waitForNotification(`Added cluster "${name}"`);
        await wb.expandPath(name, 's3');
        await wb.row('lab-data', { under: 's3' });
        await wb.screenshot('profile-cluster-buckets');

        // Import from the view's "..." menu: the other profile becomes a cluster.
        await wb.viewAction('More Actions...', { view: 'Clusters' });
        await wb.menuItem('Import Clusters from AWS Profiles (~/.aws)…');
        await wb.waitForQuickInputTitle('Import AWS Profiles');
        await wb.waitForQuickPickItem('lab-import');
        await wb.screenshot('import-pick');
        await wb.arrowToQuickPickItem('lab-import');
        await key('Space');
        await key('Enter');
        const imported = await wb.waitForNotification(/^Imported /);
        console.log(imported);
        const importedName = /"([^"]+)"/.exec(imported)[1];
        added.push(importedName);
        assert.match(importedName, /lab-import/);
        await wb.expandPath(importedName, 's3');
        await wb.row('lab-data', { under: 's3' });
        await wb.screenshot('imported-cluster-buckets');
      } catch (e) {
        await wb.screenshot('failed-before-cleanup').catch(() => undefined); // the state, before finally tidies it away
        throw e;
      } finally {
        await removeClusters(wb, ...added);
        fs.rmSync(ctx.aws.config, { force: true });
        fs.rmSync(ctx.aws.credentials, { force: true });
        await gw.child.stop();
      }
    },
  },
  {
    name: 'Show Connection Details on the local gateway: endpoints and copy rows, .s3cfg copied',
    timeout: 3 * 60_000,
    async run(wb, ctx) {
      let started = false;
      try {
        await wb.openView();
        await wb.row(ctx.cluster);
        await wb.showNotificationCenter();
        if (!(await wb.rowLabels()).includes('local')) {
          await wb.runCommand('AIS Buckets: Start Local Gateway');
          started = true;
        }
        await wb.row('local', { timeout: 60_000 });
        await wb.contextMenu('local', 'Show Connection Details');
        await wb.waitForQuickInputTitle('Connection Details: local');
        const items = await wb.quickPickItems();
        console.log(JSON.stringify(items, null, 1));
        const labels = items.map((i) => i.label);
        for (const want of ['AIStore endpoint (native API)', 'S3 endpoint', 'Access key', '.s3cfg section (s3cmd)', 'aws CLI environment']) {
          assert.ok(labels.some((l) => l.startsWith(want)), `a row "${want}": ${JSON.stringify(labels)}`);
        }
        const native = items.find((i) => i.label.startsWith('AIStore endpoint')).detail;
        assert.match(native, /^http:\/\/127\.0\.0\.1:\d+$/);
        assert.equal(items.find((i) => i.label === 'S3 endpoint').detail, `${native}/s3`);
        await wb.screenshot('details');
        await wb.arrowToQuickPickItem('.s3cfg section');
        await wb.page.keyboard.press('Enter');
        await wb.waitForNotification('Copied: .s3cfg section');
        await wb.screenshot('copied');
        const copied = await wb.clipboardText();
        const accessKey = /access_key = (\S+)/.exec(copied)?.[1];
        const secretKey = /secret_key = (\S+)/.exec(copied)?.[1];
        assert.ok(accessKey && secretKey, `the .s3cfg section has the keys: ${copied.replace(/secret_key = .*/, 'secret_key = …')}`);
        assert.match(copied, new RegExp(`host_base = ${native.replace(/^http:\/\//, '').replace(/[.]/g, '\\.')}/s3`));
        assert.ok(!JSON.stringify(items).includes(secretKey), 'the secret is never on screen');
        // What was copied works: the local gateway lists its buckets to a client signing with those keys.
        const s3 = s3Client(`${native}/s3`, { accessKeyId: accessKey, secretAccessKey: secretKey });
        try {
          assert.ok(Array.isArray(await s3.buckets()));
        } catch (e) {
        await wb.screenshot('failed-before-cleanup').catch(() => undefined); // the state, before finally tidies it away
        throw e;
      } finally {
          s3.close();
        }
      } catch (e) {
        await wb.screenshot('failed-before-cleanup').catch(() => undefined); // the state, before finally tidies it away
        throw e;
      } finally {
        if (started) await wb.runCommand('AIS Buckets: Stop Local Gateway').catch(() => undefined);
      }
    },
  },
];
