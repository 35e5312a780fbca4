// A node:test reporter for `npm test`'s summary: passed, failed and skipped tests (with the skip reasons),
// rewritten to the file named by AIS_BUCKETS_TEST_COUNTS after every test. Written as it goes, because
// --test-force-exit ends the process before the built-in reporters print their totals to a file.
import fs from 'node:fs';
import path from 'node:path';

// eslint-disable-next-line require-yield -- node:test takes an async generator; this one prints nothing
export default async function* countReporter(source) {
  const file = process.env.AIS_BUCKETS_TEST_COUNTS;
  const counts = { passed: 0, failed: 0, skipped: 0, skips: [], failures: [] };
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { name, skip, todo, details, file: testFile } = event.data;
    const suite = details?.type === 'suite';
    const where = testFile ? `${path.basename(testFile)} › ${name}` : name;
    if (skip || todo) {
      counts.skipped += 1; // a skipped suite stands for its tests, which are not reported one by one
      counts.skips.push({ test: `unit › ${where}`, reason: typeof skip === 'string' ? skip : typeof todo === 'string' ? `todo: ${todo}` : 'skipped' });
    } else if (event.type === 'test:fail') {
      // A suite fails when one of its tests did (counted there), or by itself (a hook or its body threw).
      if (!suite || details?.error?.failureType !== 'subtestsFailed') {
        counts.failed += 1;
        const cause = details?.error?.cause ?? details?.error;
        counts.failures.push(`unit › ${where}: ${String(cause?.message ?? cause ?? '').split('\n')[0].slice(0, 200)}`);
      }
    } else if (!suite) {
      counts.passed += 1;
    }
    if (file) fs.writeFileSync(file, JSON.stringify(counts));
  }
}
