// Drag and drop from the built-in Explorer onto a bucket row uploads the file.
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
