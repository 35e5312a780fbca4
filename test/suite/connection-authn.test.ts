// AIStore with AuthN in the real VS Code: a gateway program run with --authn and tokens of a few seconds.
// Signed in, the tree lists the buckets; once the token expires the tree shows a sign-in row and the
// client says 'token-expired'; signing in again brings it back. A multipart upload that meets the expiry
// half-way stays in the journal and, after signing in again, resumes with only the parts it lacked. A
// token file (as `ais auth login` writes it) is read afresh: a new token in it is all it takes.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { signIn, tokenExpiry } from '../../src/client/ais/authn';
import type { ClientError } from '../../src/client/cluster';
import type { AisBucketsApi } from '../../src/extension';
import { readAll } from '../helpers/data';
import { bucketNode, commandError, savedCluster, treeOf } from '../helpers/clusters';
import { activate, testGateway } from '../helpers/extension-host';
import { bearer } from '../helpers/authn';
import { request } from '../helpers/http';
import { PartGate, partGate, SecuredGateway, startAuthnGateway } from '../helpers/secured';
import { makeTempDir, removeDir } from '../helpers/temp';

const USER = { name: 'admin', password: 'suite-authn-pass:42' };
const TTL_SECONDS = 4;
const MiB = 1024 * 1024;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `token` has expired at the gateway (JWT exp has whole seconds), with a margin. */
async function untilExpired(token: string): Promise<void> {
  const exp = tokenExpiry(token);
  assert.ok(exp, 'the token has an expiry');
  const wait = exp.getTime() - Date.now() + 1200;
  if (wait > 0) await sleep(wait);
}

async function expectExpired(p: Promise<unknown>): Promise<ClientError> {
  try {
    await p;
  } catch (e) {
    assert.equal((e as ClientError).authProblem, 'token-expired', (e as Error).message);
    return e as ClientError;
  }
  assert.fail('expected the cluster to refuse the expired token');
}

describe('connection: AuthN', function () {
  this.timeout(180_000);
  let api: AisBucketsApi;
  let gw: SecuredGateway;
  let authnUrl: string;
  const tmp = makeTempDir('conn-authn');
  const auth = () => ({ method: 'authn' as const, url: authnUrl, user: USER.name });
  const longToken = async () => (await signIn(authnUrl, USER.name, USER.password, { expiresInSeconds: 600 })).token;

  before(async function () {
    if (!testGateway()) return this.skip();
    api = await activate<AisBucketsApi>();
    gw = await startAuthnGateway(tmp, USER, `${TTL_SECONDS}s`);
    authnUrl = gw.authnUrl!;
    const token = await longToken();
    for (const b of ['authn-data', 'authn-uploads']) {
      const r = await request('POST', `${gw.url}/v1/buckets/${b}`, { json: { action: 'create-bck' }, headers: bearer(token) });
      assert.equal(r.status, 200, r.body.toString());
    }
  });

  after(async () => {
    await gw?.stop();
    removeDir(tmp);
  });

  it('signs in with the password: the tree lists the buckets; an expired token shows a sign-in row; signing in again brings them back', async () => {
    const name = await vscode.commands.executeCommand('aisBuckets.addCluster', { name: 'authn-lab', kind: 'ais', endpoint: gw.url, auth: auth(), password: USER.password });
    assert.equal(name, 'authn-lab');
    try {
      assert.deepEqual(savedCluster('authn-lab')?.auth, auth());
      assert.ok(!JSON.stringify(savedCluster('authn-lab')).includes(USER.password), 'no password in the settings');
      const first = (await api.registry.entry('authn-lab'))?.spec.authToken;
      assert.ok(first, 'the token AuthN issued is kept (in SecretStorage)');
      const tree = await treeOf(api, 'authn-lab');
      assert.deepEqual(tree.errors.map((e) => e.detail), []);
      assert.deepEqual(tree.buckets, ['authn-data', 'authn-uploads']);

      await untilExpired(first);
      const err = await expectExpired((await api.registry.client('authn-lab')).listBuckets());
      assert.match(err.message, /The AuthN token for http:\/\/127\.0\.0\.1:\d+ has expired: sign in again\./);
      const expired = await treeOf(api, 'authn-lab');
      assert.deepEqual(expired.buckets, []);
      assert.equal(expired.errors.length, 1, JSON.stringify(expired.errors));
      assert.deepEqual(expired.errors[0].auth, { clusterName: 'authn-lab', problem: 'token-expired' });
      const row = api.tree.getTreeItem(expired.errors[0]);
      assert.equal(row.contextValue, 'authError');
      assert.equal(row.command?.command, 'aisBuckets.signIn');

      // Signing in again as Sign In does it: a new token stored for the cluster.
      await api.registry.storeToken('authn-lab', (await signIn(authnUrl, USER.name, USER.password)).token);
      assert.deepEqual((await treeOf(api, 'authn-lab')).buckets, ['authn-data', 'authn-uploads']);

      // And through Edit Connection with the password; the rest of the cluster stays as it was.
      await untilExpired((await api.registry.entry('authn-lab'))!.spec.authToken!);
      await expectExpired((await api.registry.client('authn-lab')).listBuckets());
      const settings = JSON.stringify(savedCluster('authn-lab'));
      assert.equal(await vscode.commands.executeCommand('aisBuckets.editConnection', 'authn-lab', { password: USER.password }), true);
      assert.equal(JSON.stringify(savedCluster('authn-lab')), settings);
      assert.deepEqual((await treeOf(api, 'authn-lab')).buckets, ['authn-data', 'authn-uploads']);
    } finally {
      await vscode.commands.executeCommand('aisBuckets.removeCluster', 'authn-lab');
    }
  });

  it('refuses a wrong password with the reason, and saves nothing', async () => {
    const e = await commandError('aisBuckets.addCluster', { name: 'authn-wrong', kind: 'ais', endpoint: gw.url, auth: auth(), password: 'not-the-password' });
    assert.match(e.message, /AuthN at http:\/\/127\.0\.0\.1:\d+ refused user "admin": wrong user name or password\./);
    assert.ok(!e.message.includes('not-the-password'));
    assert.equal(savedCluster('authn-wrong'), undefined);
  });

  describe('a multipart upload that meets the expiry', () => {
    let gate: PartGate;
    const file = path.join(tmp, 'forty.bin');
    const key = 'big/forty.bin';
    const name = 'authn-upload';

    before(async () => {
      gate = await partGate(gw.url);
      fs.writeFileSync(file, crypto.randomBytes(38 * MiB + 4321)); // 8 parts of 5 MiB
      await vscode.workspace.getConfiguration('aisBuckets.transfer').update('partSizeMb', 5, vscode.ConfigurationTarget.Global);
    });

    after(async () => {
      await vscode.workspace.getConfiguration('aisBuckets.transfer').update('partSizeMb', undefined, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('aisBuckets.removeCluster', name);
      await gate?.close();
    });

    it('fails with token-expired, stays in the upload journal, and resumes after signing in again with only the missing parts', async () => {
      // The cluster goes through the gate; its S3 side (multipart) too: /s3 of the same address.
      await vscode.commands.executeCommand('aisBuckets.addCluster', { name, kind: 'ais', endpoint: gate.url, auth: auth(), password: USER.password });
      const dest = bucketNode(name, 'authn-uploads', 'ais');
      const folder = { type: 'folder' as const, clusterName: name, bucket: dest.bucket, prefix: 'big/' };
      await api.registry.storeToken(name, (await signIn(authnUrl, USER.name, USER.password)).token);
      const token = (await api.registry.entry(name))!.spec.authToken!;

      // Two parts reach the gateway while the token is good; the others wait at the gate until it has expired.
      gate.pass(2);
      const upload = Promise.resolve(vscode.commands.executeCommand('aisBuckets.upload', folder, [vscode.Uri.file(file)]));
      upload.catch(() => undefined);
      const t0 = Date.now();
      while ((gate.sent().length < 2 || gate.held().length === 0) && Date.now() - t0 < 30_000) await sleep(50);
      assert.deepEqual(gate.sent().map((p) => p.status), [200, 200], 'two parts went through with the fresh token');
      await untilExpired(token);
      gate.pass(Infinity);
      const failed = await upload.then(
        () => assert.fail('the upload should fail on the expired token'),
        (e: ClientError) => e,
      );
      assert.equal(failed.authProblem, 'token-expired', `${failed.message} (${String((failed as { cause?: unknown }).cause)}); parts: ${JSON.stringify(gate.sent())}; ${gate.problems().join('; ')}`);
      const byNumber = (a: number, b: number) => a - b;
      const firstTime = gate.sent().filter((p) => p.status === 200).map((p) => p.partNumber).sort(byNumber);
      assert.equal(firstTime.length, 2);
      assert.ok(gate.sent().some((p) => p.status === 403), `the held parts were refused: ${JSON.stringify(gate.sent())}`);

      const journalled = (await api.uploadJournal.list()).filter((e) => e.key === key && e.bucket.name === 'authn-uploads');
      assert.equal(journalled.length, 1, 'the upload is in the journal');
      assert.deepEqual(journalled[0].parts.map((p) => p.partNumber).sort(byNumber), firstTime, 'with the parts the cluster took');

      // Sign in again; the same upload again resumes it.
      await api.registry.storeToken(name, (await signIn(authnUrl, USER.name, USER.password, { expiresInSeconds: 600 })).token);
      gate.reset();
      const done = (await vscode.commands.executeCommand('aisBuckets.upload', folder, [vscode.Uri.file(file)])) as { files: number };
      assert.equal(done.files, 1);
      const secondTime = gate.sent();
      assert.deepEqual(secondTime.map((p) => p.status), secondTime.map(() => 200));
      const lacking = [1, 2, 3, 4, 5, 6, 7, 8].filter((n) => !firstTime.includes(n));
      assert.deepEqual(secondTime.map((p) => p.partNumber).sort(byNumber), lacking, 'only the parts the cluster lacked were sent');
      assert.ok(!(await api.uploadJournal.list()).some((e) => e.uploadId === journalled[0].uploadId), 'the journal entry is done');

      const client = await api.registry.client(name);
      const got = await readAll((await client.getObject(dest.bucket, key)).body);
      const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
      assert.equal(got.length, fs.statSync(file).size);
      assert.equal(sha(got), sha(fs.readFileSync(file)));
    });
  });

  describe('a token file', () => {
    const tokenFile = path.join(tmp, 'cli', 'auth.token');
    const writeToken = (token: string) => {
      fs.mkdirSync(path.dirname(tokenFile), { recursive: true });
      fs.writeFileSync(tokenFile, JSON.stringify({ token }));
    };

    after(() => vscode.commands.executeCommand('aisBuckets.removeCluster', 'authn-file'));

    it('is read as the ais CLI writes it; a new token in it after expiry works again without touching the cluster', async () => {
      const short = (await signIn(authnUrl, USER.name, USER.password)).token;
      writeToken(short);
      await vscode.commands.executeCommand('aisBuckets.addCluster', { name: 'authn-file', kind: 'ais', endpoint: gw.url, auth: { method: 'tokenFile', file: tokenFile } });
      assert.deepEqual(savedCluster('authn-file')?.auth, { method: 'tokenFile', file: tokenFile });
      assert.equal((await api.registry.entry('authn-file'))?.spec.authToken, undefined, 'the token stays in its file');
      assert.deepEqual((await treeOf(api, 'authn-file')).buckets, ['authn-data', 'authn-uploads']);
      const settings = JSON.stringify(savedCluster('authn-file'));

      await untilExpired(short);
      await expectExpired((await api.registry.client('authn-file')).listBuckets());
      const expired = await treeOf(api, 'authn-file');
      assert.deepEqual(expired.errors.map((e) => e.auth), [{ clusterName: 'authn-file', problem: 'token-expired' }]);

      writeToken(await longToken()); // what `ais auth login` does
      assert.deepEqual((await treeOf(api, 'authn-file')).buckets, ['authn-data', 'authn-uploads']);
      assert.deepEqual((await (await api.registry.client('authn-file')).listBuckets()).map((b) => b.name).sort(), ['authn-data', 'authn-uploads']);
      assert.equal(JSON.stringify(savedCluster('authn-file')), settings, 'the cluster itself was not touched');
    });
  });
});
