// Commands as a person runs them: the palette, the context menu, QuickPicks, InputBoxes and dialogs. Each
// result is checked in the tree and on the gateway itself (its S3 listing), never only in the UI.
import assert from 'node:assert/strict';

async function gatewayBuckets(ctx) {
  const xml = await (await fetch(`${ctx.gateway.url}/s3`)).text();
  return [...xml.matchAll(/<Name>([^<]+)<\/Name>/g)].map((m) => m[1]);
}

export default [
  {
    name: 'Create Bucket from the palette, answering the InputBox',
    async run(wb, ctx) {
      await wb.openView();
      await wb.expandPath(ctx.cluster, 'ais');
      await wb.runCommand('AIS Buckets: Create Bucket…');
      await wb.typeInput('Bad_Name!');
      assert.match(await wb.inputError(), /not allowed/, 'an invalid name is refused in the InputBox');
      await wb.screenshot('create-bucket-invalid-name');
      await wb.inputBox('from-palette');
      await wb.row('from-palette', { under: 'ais' });
      assert.ok((await gatewayBuckets(ctx)).includes('from-palette'));
      await wb.screenshot('bucket-created');
    },
  },
  {
    name: 'Create Bucket from the provider row\'s context menu',
    async run(wb, ctx) {
      assert.ok(!(await gatewayBuckets(ctx)).includes('from-context-menu'), 'not there before');
      try {
        await wb.openView();
        await wb.expandPath(ctx.cluster);
        await wb.row('ais', { under: ctx.cluster });
        await wb.contextMenu('ais', 'Create Bucket…', { under: ctx.cluster });
        // The menu's command got the provider row: it asks for the name on that cluster, not which cluster.
        await wb.inputBox('from-context-menu', { title: `Create Bucket on ${ctx.cluster}` });
        await wb.expandRow('ais');
        await wb.row('from-context-menu', { under: 'ais' });
        assert.ok((await gatewayBuckets(ctx)).includes('from-context-menu'));
        await wb.screenshot('bucket-created');
      } finally {
        await fetch(`${ctx.gateway.url}/s3/from-context-menu`, { method: 'DELETE' }).catch(() => undefined); // a rerun creates it anew
      }
    },
  },
  {
    name: 'Delete Bucket from the palette, picking the bucket and confirming',
    async run(wb, ctx) {
      // Its own bucket, so that it does not depend on (or break) what other tests see.
      assert.equal((await fetch(`${ctx.gateway.url}/s3/to-delete`, { method: 'PUT' })).status, 200);
      await wb.openView();
      await wb.expandPath(ctx.cluster, 'ais');
      await wb.row('to-delete', { under: 'ais' });
      await wb.runCommand('AIS Buckets: Delete Bucket…');
      await wb.quickPick('to-delete');
      assert.match(await wb.dialogMessage(), /Delete bucket ais:\/\/to-delete/);
      await wb.screenshot('delete-confirmation');
      await wb.dialogButton('Delete');
      await wb.waitForNoRow('to-delete');
      assert.ok(!(await gatewayBuckets(ctx)).includes('to-delete'));
      await wb.screenshot('bucket-deleted');
    },
  },
];
