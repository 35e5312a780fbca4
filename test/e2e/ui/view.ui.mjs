// The "AIS Buckets" view as a person first sees it. Each test gets a fresh workbench page (`wb`, see
// ../lib/workbench.mjs) with the extension loaded from this checkout; `ctx` has the gateway and its seed.
import assert from 'node:assert/strict';

export default [
  {
    name: 'opens from the activity bar and lists the cluster from the environment',
    async run(wb, ctx) {
      await wb.openView('AIS Buckets', 'Clusters');
      const header = wb.viewPane('Clusters').locator('.pane-header');
      assert.match(await header.getAttribute('aria-label'), /^Clusters/);
      // The harness hands its gateway to the extension as the cluster "e2e" (AIS_BUCKETS_CLUSTER_URL).
      await wb.row(ctx.cluster);
      const cluster = (await wb.rowInfo()).find((r) => r.label === ctx.cluster);
      // host:port beside the name (a side bar is narrow); the full URL in the tooltip and for screen readers
      assert.equal(cluster.description, new URL(ctx.gateway.url).host);
      assert.equal(cluster.aria, `cluster ${ctx.cluster}, AIStore at ${ctx.gateway.url}`);
      assert.equal(cluster.level, 1);
      assert.equal(await wb.welcomeText(), '', 'with a cluster, the view shows the tree, not its welcome text');
      await wb.screenshot('clusters-view');
    },
  },
];
