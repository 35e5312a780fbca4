// The worker-thread helper the hash and download workers share: requests settled by id, updates before
// the final reply, every pending request failed when the worker throws or exits, a new worker on next use.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RequestWorker } from '../../src/common/workerthread';

interface Reply {
  id: number;
  kind: 'update' | 'done' | 'failed';
  text: string;
}

let dir: string;
let script: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aisb-workerthread-'));
  script = path.join(dir, 'worker.js');
  // Echoes; 'hang' never answers, 'throw' throws, 'exit' exits: the requests left waiting must fail.
  fs.writeFileSync(
    script,
    `const { parentPort, threadId } = require('node:worker_threads');
     parentPort.on('message', (m) => {
       if (m.op === 'hang') return;
       if (m.op === 'throw') throw new Error('boom');
       if (m.op === 'exit') process.exit(3);
       parentPort.postMessage({ id: m.id, kind: 'update', text: 'working' });
       parentPort.postMessage({ id: m.id, kind: 'done', text: m.op + ' on ' + threadId });
     });`,
  );
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('worker helper: replies by id, a dead worker fails what waits and the next request starts another', async () => {
  const deaths: string[] = [];
  const w = new RequestWorker<Reply>({
    script,
    name: 'test worker',
    failure: (id, message) => ({ id, kind: 'failed', text: message }),
    isFinal: (r) => r.kind !== 'update',
    onDeath: (m) => deaths.push(m),
  });
  const updates: string[] = [];
  const first = await w.request({ id: 1, op: 'echo' }, (r) => updates.push(r.text));
  assert.equal(first.kind, 'done');
  assert.deepEqual(updates, ['working']);
  const thread = first.text.split(' on ')[1];

  const hanging = w.request({ id: 2, op: 'hang' });
  const exiting = w.request({ id: 3, op: 'exit' });
  assert.deepEqual(await hanging, { id: 2, kind: 'failed', text: 'the test worker exited (3)' });
  assert.deepEqual(await exiting, { id: 3, kind: 'failed', text: 'the test worker exited (3)' });

  const second = await w.request({ id: 4, op: 'echo' });
  assert.equal(second.kind, 'done');
  assert.notEqual(second.text.split(' on ')[1], thread, 'a new worker answers');

  const waiting = w.request({ id: 5, op: 'hang' });
  const throwing = w.request({ id: 6, op: 'throw' });
  assert.deepEqual(await waiting, { id: 5, kind: 'failed', text: 'the test worker failed: boom' });
  assert.deepEqual(await throwing, { id: 6, kind: 'failed', text: 'the test worker failed: boom' });
  assert.deepEqual(deaths, ['the test worker failed: boom']);
  assert.equal((await w.request({ id: 7, op: 'echo' })).kind, 'done');
});
