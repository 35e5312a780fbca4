// Per-key serialisation: an object file's path (commits to one key) or an upload's directory (complete, abort).

export class KeyLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Serialises commits to one key so versions increase and the index matches the file on disk. */
  async run<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(id) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.tails.set(id, tail);
    try {
      return await run;
    } finally {
      if (this.tails.get(id) === tail) this.tails.delete(id);
    }
  }
}
