// When a crashed gateway is started again: after a delay that doubles with each crash in a recent window
// (1 s, 2 s, 4 s…), and not at all once it crashed too often in that window (a gateway that dies at once
// every time would otherwise restart forever).

export interface RestartPolicyOptions {
  /** Delay before the first restart, ms (1 s). */
  initialDelayMs?: number;
  /** The delay never grows past this, ms (30 s). */
  maxDelayMs?: number;
  /** The crash that makes this many within the window is not restarted (5). */
  maxCrashes?: number;
  /** Crashes older than this are forgotten, ms (2 minutes). */
  windowMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

export type RestartDecision = { restart: true; delayMs: number; crashes: number } | { restart: false; crashes: number; windowMs: number };

export class RestartPolicy {
  private crashes: number[] = [];
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxCrashes: number;
  readonly windowMs: number;
  private readonly now: () => number;

  constructor(opts: RestartPolicyOptions = {}) {
    this.initialDelayMs = opts.initialDelayMs ?? 1000;
    this.maxDelayMs = opts.maxDelayMs ?? 30_000;
    this.maxCrashes = Math.max(1, opts.maxCrashes ?? 5);
    this.windowMs = opts.windowMs ?? 120_000;
    this.now = opts.now ?? Date.now;
  }

  /** Records a crash (or a restart that failed) now, and says whether and when to start again. */
  crashed(): RestartDecision {
    const now = this.now();
    this.crashes = [...this.crashes.filter((t) => now - t < this.windowMs), now];
    const crashes = this.crashes.length;
    if (crashes >= this.maxCrashes) return { restart: false, crashes, windowMs: this.windowMs };
    return { restart: true, delayMs: Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** (crashes - 1)), crashes };
  }

  /** Forgets the crashes (the user started it again by hand). */
  reset(): void {
    this.crashes = [];
  }
}
