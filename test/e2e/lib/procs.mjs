// Every process the harness starts goes through here, so that it is always stopped: on normal exit, on a
// thrown error, on Ctrl-C/SIGTERM. Each child gets its own process group (detached), and we kill the group,
// which also takes the VS Code server's extension hosts and file watchers with it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

const live = new Map(); // pid -> { name, child }
const cleanups = []; // async functions run once by stopAll(), last registered first
const exitCleanups = []; // synchronous ones that also run when the process exits, however it exits
let stopping = false;

/** True once a signal asked us to stop: loops over tests should end instead of starting the next one. */
export function isStopping() {
  return stopping;
}

let handlersInstalled = false;
function installHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // Last resort: synchronous, so only signals. Normal paths call stopAll() in a finally.
  process.on('exit', () => {
    for (const pid of live.keys()) killGroup(pid, 'SIGKILL');
    for (const fn of exitCleanups.splice(0)) {
      try { fn(); } catch { /* exiting anyway */ }
    }
  });
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
    process.on(sig, () => {
      stopping = true;
      console.error(`e2e: ${sig}: stopping everything`);
      void stopAll().finally(() => process.exit(code));
    });
  }
  process.on('uncaughtException', (e) => {
    console.error('e2e: uncaught exception:', e);
    void stopAll().finally(() => process.exit(1));
  });
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    try { process.kill(pid, signal); } catch { /* already gone */ }
  }
}

/**
 * Spawns a managed child in its own process group. Output is appended to `logFile` (if given) and kept in
 * memory (child.output()) so callers can wait for a line and show the tail on failure.
 */
export function spawnManaged(name, cmd, args, { logFile, env, cwd, ipc = false } = {}) {
  installHandlers();
  const child = spawn(cmd, args, {
    cwd,
    env: env ?? process.env,
    detached: true,
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const sink = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : null;
  const onData = (d) => {
    out += d;
    if (out.length > 4_000_000) out = out.slice(-2_000_000);
    sink?.write(d);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  child.exited = new Promise((resolve) => child.on('exit', (code, signal) => {
    live.delete(child.pid);
    sink?.end();
    resolve({ code, signal });
  }));
  child.output = () => out;
  child.tail = (n = 40) => out.split('\n').slice(-n).join('\n');
  child.stop = () => stopChild(child);
  if (child.pid) live.set(child.pid, { name, child });
  return child;
}

/** Waits until the child's output matches `re`; rejects if it exits first or after `timeoutMs`. */
export function waitForOutput(child, re, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = child.output().match(re);
      if (m) { done(); resolve(m); }
    };
    const iv = setInterval(check, 100);
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${what}: no "${re.source}" after ${timeoutMs} ms. Output:\n${child.tail()}`));
    }, timeoutMs);
    child.exited.then(({ code, signal }) => {
      const m = child.output().match(re);
      if (m) return;
      done();
      reject(new Error(`${what} exited (${code ?? signal}) before "${re.source}". Output:\n${child.tail()}`));
    });
    function done() { clearInterval(iv); clearTimeout(timer); }
    check();
  });
}

async function stopChild(child) {
  if (!live.has(child.pid)) return;
  killGroup(child.pid, 'SIGTERM');
  const timeout = new Promise((r) => setTimeout(() => r('timeout'), 5000));
  if ((await Promise.race([child.exited, timeout])) === 'timeout') {
    killGroup(child.pid, 'SIGKILL');
    await child.exited;
  }
}

/** Registers an async cleanup (close the browser, remove a temp dir) that stopAll() runs. */
export function onCleanup(fn) {
  installHandlers();
  cleanups.push(fn);
}

/** Registers a synchronous cleanup (remove a temp dir) that runs in stopAll() and at process exit. */
export function onExitSync(fn) {
  installHandlers();
  exitCleanups.push(fn);
}

/** Runs the cleanups and stops every live child. Safe to call more than once. */
export async function stopAll() {
  while (cleanups.length) {
    const fn = cleanups.pop();
    try { await fn(); } catch (e) { console.error('e2e: cleanup failed:', e.message); }
  }
  await Promise.all([...live.values()].map(({ child }) => stopChild(child)));
  for (const fn of exitCleanups.splice(0)) {
    try { fn(); } catch (e) { console.error('e2e: cleanup failed:', e.message); }
  }
}
