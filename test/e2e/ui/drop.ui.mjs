// Drag and drop from the built-in Explorer onto a bucket row uploads the file: the md5 question first (the
// first time for this bucket), then the upload, and a notification that says what was uploaded where.
import assert from 'node:assert/strict';

export default [
  {
    name: 'drops a file from the Explorer onto a bucket and the object appears',
    async run(wb, ctx) {
      await wb.openView();
      await wb.expandPath(ctx.cluster, 'ais');
      await wb.row('photos', { under: 'ais' });
      await wb.dragFromExplorer('upload-me.txt', 'photos');
      await wb.screenshot('dropped');
      // photos is not md5: asked before anything is sent, unless an earlier run of this test answered.
      if (await wb.page.locator('.monaco-dialog-box').waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false)) {
        assert.match(await wb.dialogMessage(), /^Switch ais:\/\/photos to md5 checksums before uploading\?/);
        await wb.dialogButton('Keep xxhash and Upload');
      }
      assert.equal(await wb.waitForNotification(/^Uploaded upload-me\.txt/, 30_000), 'Uploaded upload-me.txt (26 B) to ais://photos.');
      const children = async () => wb.children('photos');
      const deadline = Date.now() + 20_000;
      let now = await children();
      while (!now.includes('upload-me.txt') && Date.now() < deadline) {
        await wb.page.waitForTimeout(500);
        now = await children();
      }
      assert.ok(now.includes('upload-me.txt'), `photos holds ${JSON.stringify(now)}`);
      const res = await fetch(`${ctx.gateway.url}/s3/photos/upload-me.txt`);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'dropped from the Explorer\n');
      await wb.screenshot('object-in-tree');
    },
  },
];
