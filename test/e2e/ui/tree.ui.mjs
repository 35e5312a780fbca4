// Browsing: cluster → provider → bucket → folder, read from the rows a person sees.
import assert from 'node:assert/strict';

export default [
  {
    name: 'expands cluster, provider, bucket and folder',
    async run(wb, ctx) {
      await wb.openView();
      const providers = await wb.children(ctx.cluster);
      assert.ok(providers.includes('ais'), `providers of ${ctx.cluster}: ${JSON.stringify(providers)}`);
      await wb.screenshot('cluster-expanded');

      const buckets = await wb.children('ais');
      for (const b of ctx.seed.seeded) assert.ok(buckets.includes(b.name), `bucket ${b.name} in ${JSON.stringify(buckets)}`);
      assert.deepEqual(buckets, [...buckets].sort(), 'buckets sorted by name');
      await wb.screenshot('provider-expanded');

      const demo = await wb.children('demo');
      assert.deepEqual(demo, ['docs/', 'hello.txt'], 'folders first, then objects');
      const hello = (await wb.rowInfo()).find((r) => r.label === 'hello.txt');
      assert.match(hello.description, /^32 B\b/, `size in the description: ${hello.description}`);
      assert.equal(hello.expanded, undefined, 'an object is a leaf');
      await wb.screenshot('bucket-expanded');

      assert.deepEqual(await wb.children('docs/'), ['notes/', 'guide.md']);
      await wb.screenshot('folder-expanded');
    },
  },
];
