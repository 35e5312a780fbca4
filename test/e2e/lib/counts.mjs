// Test counts for `npm test`'s summary: each harness writes { passed, failed, skipped, skips, failures } to the file
// named by AIS_BUCKETS_TEST_COUNTS.
import fs from 'node:fs';

export function newCounts() {
  return { passed: 0, failed: 0, skipped: 0, skips: [], failures: [] };
}

/** Adds the extension-host suite's own summary line (written by test/suite/index.ts) to `into`. */
export function countSuiteReport(report, into, label) {
  const m = report.match(/extension-host suite: (\d+) failing, (\d+) ran, (\d+) pending/);
  if (!m) return false;
  const [failing, ran, pending] = m.slice(1).map(Number);
  into.failed += failing;
  into.passed += ran - failing;
  into.skipped += pending;
  for (const [, f] of report.matchAll(/^extension-host failure: (.*)$/gm)) into.failures.push(`${label} › ${f}`);
  if (pending) into.skips.push({ test: label, reason: `${pending} test(s) skipped (this.skip()); see its report` });
  return true;
}

export function writeCounts(counts) {
  if (process.env.AIS_BUCKETS_TEST_COUNTS) fs.writeFileSync(process.env.AIS_BUCKETS_TEST_COUNTS, JSON.stringify(counts));
}
