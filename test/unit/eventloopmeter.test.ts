// The event-loop meter the scale measurements read: off without a file, and a blocked loop shows in it.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startEventLoopMeter } from '../../src/common/eventloopmeter';
import { makeTempDir, removeDir } from '../helpers/temp';

test('event-loop meter: a line every half second, and 200 ms of blocking shows as its max', async () => {
  const dir = makeTempDir('loop');
  try {
    const file = path.join(dir, 'loop.jsonl');
    const stop = startEventLoopMeter(file);
    await new Promise((r) => setTimeout(r, 100));
    const until = Date.now() + 200;
    while (Date.now() < until); // the loop held, as a long synchronous task would hold it
    await new Promise((r) => setTimeout(r, 1200));
    stop();
    await new Promise((r) => setTimeout(r, 50));
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { t: number; p99: number; max: number });
    assert.ok(lines.length >= 2, `${lines.length} lines`);
    assert.ok(Math.max(...lines.map((l) => l.max)) >= 150, `max delay ${JSON.stringify(lines)}`);
    assert.ok(lines.at(-1)!.max < 150, 'the next half second is calm again');
    const n = lines.length;
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(fs.readFileSync(file, 'utf8').trim().split('\n').length, n, 'nothing written once stopped');
    assert.equal(typeof startEventLoopMeter(undefined), 'function', 'without a file: nothing runs, stop is a no-op');
  } finally {
    removeDir(dir);
  }
});
