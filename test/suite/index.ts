// The extension-host test entry: `run()` is what both runners call with the real `vscode` API loaded —
// @vscode/test-electron on a desktop (npm run test:desktop) and the offline harness in VS Code's server
// (test/e2e/run.mjs, via the smoke-test driver's extensionTestsPath). It runs every *.test.js next to it
// (built from test/suite/*.test.ts by test/build.mjs) with mocha's BDD interface.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    // The harness shows this output in a terminal, but it travels through the workbench: no colours.
    color: false,
    timeout: 30_000,
    // AIS_BUCKETS_TEST_GREP=pattern runs a subset, like mocha --grep.
    grep: process.env.AIS_BUCKETS_TEST_GREP || undefined,
  });
  // *.last.test.js run after all others: they look at what the whole session left behind (its log).
  const last = (f: string) => (f.endsWith('.last.test.js') ? 1 : 0);
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort((a, b) => last(a) - last(b) || a.localeCompare(b));
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  // The offline harness cannot read the extension host's stdout: it asks for the report in a file too.
  const reportFile = process.env.AIS_BUCKETS_TEST_REPORT;
  const base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void };
  const consoleLog = base.consoleLog;
  if (reportFile) {
    fs.writeFileSync(reportFile, '');
    base.consoleLog = (...args: unknown[]) => {
      fs.appendFileSync(reportFile, `${util.format(...args)}\n`);
      consoleLog(...args);
    };
  }
  return new Promise<void>((resolve, reject) => {
    if (files.length === 0) return reject(new Error(`no *.test.js files in ${__dirname}: run \`npm run compile\``));
    try {
      const failed: string[] = [];
      const runner = mocha.run((failures) => {
        base.consoleLog = consoleLog;
        // One line a failure, which npm test's summary repeats: CI shows only the end of a long log.
        if (reportFile) for (const f of failed) fs.appendFileSync(reportFile, `extension-host failure: ${f}\n`);
        const ran = runner.stats?.tests ?? 0;
        // A run that tested nothing (a --grep that matches nothing, files that register no tests) is red.
        const summary = ran === 0
          ? `extension-host suite: no tests ran (${files.length} file(s)${mocha.options.grep ? `, grep ${mocha.options.grep}` : ''})`
          : `extension-host suite: ${failures} failing, ${ran} ran, ${runner.stats?.pending ?? 0} pending, from ${files.length} file(s)`;
        if (reportFile) fs.appendFileSync(reportFile, `${summary}\n`);
        console.log(summary);
        if (failures > 0 || ran === 0) reject(new Error(summary));
        else resolve();
      });
      runner.on('fail', (test: Mocha.Runnable, err: Error) => failed.push(`${test.fullTitle()}: ${firstLine(err?.message)}`));
    } catch (e) {
      // A test file that throws while loading lands here, before mocha reports anything.
      base.consoleLog = consoleLog;
      if (reportFile) fs.appendFileSync(reportFile, `the suite could not run: ${(e as Error).stack ?? e}\n`);
      reject(e);
    }
  });
}

const firstLine = (m: unknown) => String(m ?? '').split('\n')[0].slice(0, 200);
