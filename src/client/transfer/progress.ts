// Progress of a transfer: one meter shared by all its files (transferEach moves many on one), fed by a
// pass-through on each byte stream.
import { Transform } from 'node:stream';
import type { Hasher } from '../../common/checksum';
import { DEFAULT_FILE_CONCURRENCY, forEachLimited, TransferCancelled } from './limits';
import type { TransferOptions, TransferProgress, TransferResult } from './options';

/** Progress shared by every file of one transfer. */
export class Meter {
  bytesDone = 0;
  filesDone = 0;
  private readonly started = Date.now();
  private lastReport = 0;
  current?: string;
  constructor(
    readonly bytesTotal: number,
    readonly filesTotal: number,
    private readonly onProgress?: (p: TransferProgress) => void,
  ) {}
  add(bytes: number) {
    this.bytesDone += bytes;
    this.report(false);
  }
  fileDone() {
    this.filesDone++;
    this.report(true);
  }
  report(force: boolean) {
    const now = Date.now();
    if (!this.onProgress || (!force && now - this.lastReport < 100)) return;
    this.lastReport = now;
    const secs = Math.max(0.001, (now - this.started) / 1000);
    this.onProgress({ bytesDone: this.bytesDone, bytesTotal: this.bytesTotal, filesDone: this.filesDone, filesTotal: this.filesTotal, rate: this.bytesDone / secs, current: this.current });
  }
}

/** A pass-through that counts bytes into the meter, feeds hashers, and dies when the signal fires. */
export function tap(meter: Meter, hashers: Hasher[], signal: AbortSignal | undefined, counted: { n: number }): Transform {
  const t = new Transform({
    transform(chunk: Buffer, _e, cb) {
      counted.n += chunk.length;
      meter.add(chunk.length);
      for (const h of hashers) h.update(chunk);
      cb(null, chunk);
    },
  });
  // The consumer (an HTTP request) may not listen yet when a cancel destroys the stream: never crash.
  t.on('error', () => undefined);
  if (signal) {
    const onAbort = () => t.destroy(new TransferCancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    t.once('close', () => signal.removeEventListener('abort', onAbort));
  }
  return t;
}

/** Moves many files, `fileConcurrency` of them at a time, on one meter. */
export async function transferEach<T extends { key: string; size: number }>(items: readonly T[], opts: TransferOptions, one: (item: T, meter: Meter) => Promise<unknown>): Promise<TransferResult> {
  const started = Date.now();
  const meter = new Meter(items.reduce((n, i) => n + i.size, 0), items.length, opts.onProgress);
  meter.report(true);
  await forEachLimited(items, opts.fileConcurrency ?? DEFAULT_FILE_CONCURRENCY, opts.signal, async (item) => {
    meter.current = item.key;
    await one(item, meter);
    meter.fileDone();
  });
  return { files: items.length, bytes: meter.bytesDone, ms: Date.now() - started };
}
