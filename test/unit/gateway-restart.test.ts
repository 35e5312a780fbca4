// The local gateway after a crash: the backoff policy on a fake clock, the running-transfers counter, and
// EmbeddedGatewayProcess against the real gateway program: kill -9 its child and see it come back (on the
// same port when free, another when not) with its data, or stay down after too many crashes.
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as path from 'node:path';
import { RunningTransfers } from '../../src/client/transfer/running';
import { EmbeddedGatewayProcess, type GatewayRestartEvent } from '../../src/embedded/process';
import { RestartPolicy } from '../../src/embedded/restartpolicy';
import { gatewayProgram } from '../helpers/program';
import { makeTempDir, removeDir } from '../helpers/temp';

describe('RestartPolicy', () => {
  test('1 s, 2 s, 4 s, 8 s, then no restart at the 5th crash within 2 minutes', () => {
    let now = 0;
    const p = new RestartPolicy({ now: () => now });
    const seen: ReturnType<RestartPolicy['crashed']>[] = [];
    for (let i = 0; i < 5; i++, now += 10_000) seen.push(p.crashed());
    assert.deepEqual(seen.slice(0, 4).map((d) => d.restart && d.delayMs), [1000, 2000, 4000, 8000]);
    assert.deepEqual(seen[4], { restart: false, crashes: 5, windowMs: 120_000 });
  });

  test('crashes older than the window are forgotten; the delay is capped; reset forgets all', () => {
    let now = 0;
    const p = new RestartPolicy({ now: () => now, maxDelayMs: 3000, maxCrashes: 10, windowMs: 60_000 });
    assert.deepEqual([p.crashed(), p.crashed(), p.crashed()].map((d) => d.restart && d.delayMs), [1000, 2000, 3000]);
    now += 60_000; // all three are out of the window now
    assert.deepEqual(p.crashed(), { restart: true, delayMs: 1000, crashes: 1 });
    p.crashed();
    p.reset();
    assert.deepEqual(p.crashed(), { restart: true, delayMs: 1000, crashes: 1 });
  });
});

describe('RunningTransfers', () => {
  test('counts per cluster, a transfer between two counts on both, ending twice counts once', async () => {
    const t = new RunningTransfers();
    const a = t.begin(['local']);
    const b = t.begin(['local', 'e2e', 'local']);
    assert.deepEqual([t.count('local'), t.count('e2e'), t.count('other')], [2, 1, 0]);
    b();
    b();
    assert.deepEqual([t.count('local'), t.count('e2e')], [1, 0]);
    a();
    assert.equal(t.count('local'), 0);
    await assert.rejects(
      t.track(['local'], async () => {
        assert.equal(t.count('local'), 1);
        throw new Error('failed transfer');
      }),
      /failed transfer/,
    );
    assert.equal(t.count('local'), 0, 'a failed transfer is not running any more');
  });
});

/** The next restart event of this type (fails after `ms`). */
function nextEvent<T extends GatewayRestartEvent['type']>(proc: EmbeddedGatewayProcess, type: T, ms = 20_000): Promise<Extract<GatewayRestartEvent, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${type}" event within ${ms} ms`)), ms);
    proc.onRestart((e) => {
      if (e.type !== type) return;
      clearTimeout(timer);
      resolve(e as Extract<GatewayRestartEvent, { type: T }>);
    });
  });
}

/** Listens on `port` as soon as the dying gateway lets go of it. */
async function occupy(port: number): Promise<net.Server> {
  for (const deadline = Date.now() + 5000; ; ) {
    const server = net.createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
      return server;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

const body = async (url: string) => {
  const res = await fetch(url);
  return `${res.status} ${await res.text()}`;
};

describe('EmbeddedGatewayProcess restarts after a crash', () => {
  let tmp: string;
  let script: string;
  const procs: EmbeddedGatewayProcess[] = [];
  const make = (name: string, restart: ConstructorParameters<typeof EmbeddedGatewayProcess>[0]['restart'], extra: { port?: number; preferredPort?: number } = {}) => {
    const logs: string[] = [];
    const proc = new EmbeddedGatewayProcess({ script, dataDir: path.join(tmp, name), restart, onLog: (l) => logs.push(l), ...extra });
    procs.push(proc);
    return { proc, logs };
  };

  before(async () => {
    tmp = makeTempDir('restart');
    script = await gatewayProgram(tmp);
  });
  after(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    removeDir(tmp);
  });

  test('kill -9: restarted on the same port after the delay, its data intact', async () => {
    const { proc } = make('same', { initialDelayMs: 300 });
    const first = await proc.start();
    assert.equal((await fetch(`${first.url}/s3/kept`, { method: 'PUT' })).status, 200);
    assert.equal((await fetch(`${first.url}/s3/kept/a.txt`, { method: 'PUT', body: 'still here' })).status, 200);
    const crashed = nextEvent(proc, 'crashed');
    const restarted = nextEvent(proc, 'restarted');
    process.kill(first.pid, 'SIGKILL');
    const c = await crashed;
    assert.deepEqual([c.exit.signal, c.delayMs], ['SIGKILL', 300]);
    assert.equal(proc.restarting, true);
    const now = (p: EmbeddedGatewayProcess) => p.current;
    assert.equal(now(proc), undefined, 'nothing runs while it waits');
    const r = await restarted;
    assert.notEqual(r.running.pid, first.pid);
    assert.equal(r.running.url, first.url, 'the free port it had is taken again');
    assert.equal(now(proc)?.pid, r.running.pid);
    assert.equal(proc.restarting, false);
    assert.equal(await body(`${r.running.url}/s3/kept/a.txt`), '200 still here');
  });

  test('kill -9 while another program took its port: restarted on a new port, data intact', async () => {
    const { proc, logs } = make('moved', { initialDelayMs: 500 });
    const first = await proc.start();
    assert.equal((await fetch(`${first.url}/s3/kept`, { method: 'PUT' })).status, 200);
    assert.equal((await fetch(`${first.url}/s3/kept/b.txt`, { method: 'PUT', body: 'moved along' })).status, 200);
    const restarted = nextEvent(proc, 'restarted');
    process.kill(first.pid, 'SIGKILL');
    const squatter = await occupy(first.port);
    try {
      const r = await restarted;
      assert.notEqual(r.running.port, first.port);
      assert.equal(await body(`${r.running.url}/s3/kept/b.txt`), '200 moved along');
      assert.ok(logs.some((l) => l.includes(`port ${first.port} is taken now`)), logs.join('\n'));
    } finally {
      squatter.close();
    }
  });

  test('stop() during the delay: no restart; start() during the delay restarts at once', async () => {
    const { proc } = make('stopped', { initialDelayMs: 20_000, maxDelayMs: 120_000 });
    const first = await proc.start();
    const crashed = nextEvent(proc, 'crashed');
    process.kill(first.pid, 'SIGKILL');
    await crashed;
    assert.equal(proc.restarting, true);
    await proc.stop();
    assert.equal(proc.restarting, false);
    assert.equal(proc.current, undefined);

    const second = await proc.start();
    const crashedAgain = nextEvent(proc, 'crashed');
    process.kill(second.pid, 'SIGKILL');
    assert.equal((await crashedAgain).delayMs, 20_000, 'a new start forgot the earlier crash (else 40 s)');
    const started = Date.now();
    const third = await proc.start();
    assert.ok(Date.now() - started < 15_000, 'it did not wait for the 20 s');
    assert.equal((await fetch(`${third.url}/v1/health`)).status, 200);
    assert.equal(proc.restarting, false);
  });

  test('stop() is no crash: nothing restarts it', async () => {
    const { proc } = make('clean', { initialDelayMs: 50 });
    const events: string[] = [];
    proc.onRestart((e) => events.push(e.type));
    const running = await proc.start();
    await proc.stop();
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(events, []);
    assert.equal(proc.current, undefined);
    await assert.rejects(fetch(`${running.url}/v1/health`));
  });

  test('too many crashes in the window: it gives up and stays stopped until started again', async () => {
    const { proc } = make('gives-up', { initialDelayMs: 50, maxCrashes: 2 });
    const first = await proc.start();
    const restarted = nextEvent(proc, 'restarted');
    process.kill(first.pid, 'SIGKILL');
    const r = await restarted;
    const gaveUp = nextEvent(proc, 'gave-up');
    process.kill(r.running.pid, 'SIGKILL');
    const g = await gaveUp;
    assert.deepEqual([g.crashes, g.exit.signal], [2, 'SIGKILL']);
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(proc.current, undefined);
    assert.equal(proc.restarting, false);
    const again = await proc.start();
    assert.equal((await fetch(`${again.url}/v1/health`)).status, 200);
  });

  test('preferredPort: a fresh start takes it when free, a free port when it is taken', async () => {
    const probe = await occupy(0);
    const port = (probe.address() as net.AddressInfo).port;
    const { proc } = make('preferred', undefined, { preferredPort: port });
    try {
      const busy = await proc.start().catch((e: Error) => e);
      assert.ok(!(busy instanceof Error), String(busy));
      assert.notEqual(busy.port, port, 'the taken port was not used');
      await proc.stop();
    } finally {
      probe.close();
    }
    const { proc: second } = make('preferred', undefined, { preferredPort: port });
    assert.equal((await second.start()).port, port);
  });
});
