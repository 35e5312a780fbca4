// The extension host's event-loop delay, written to a file for the scale measurements (test/e2e/scale):
// while AIS_BUCKETS_EVENT_LOOP_LOG names a file, every half second appends one JSON line with the delay
// percentiles of that half second. Nothing runs without the variable.
import * as fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const INTERVAL_MS = 500;

/** Starts the meter when `file` is given; returns its stop. */
export function startEventLoopMeter(file: string | undefined): () => void {
  if (!file) return () => undefined;
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  const timer = setInterval(() => {
    const line = { t: Date.now(), p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
    h.reset();
    fs.appendFile(file, JSON.stringify(line) + '\n', () => undefined);
  }, INTERVAL_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    h.disable();
  };
}
