// Which clusters transfers are running on right now, so that stopping a cluster (the local gateway) can
// say how many it would break. One count per cluster name; a transfer between two clusters counts on both.

export class RunningTransfers {
  private readonly counts = new Map<string, number>();

  /** A transfer begins on these clusters; call the returned function (once is enough) when it ends. */
  begin(clusters: Iterable<string>): () => void {
    const names = [...new Set(clusters)];
    for (const n of names) this.counts.set(n, (this.counts.get(n) ?? 0) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      for (const n of names) {
        const left = (this.counts.get(n) ?? 1) - 1;
        if (left > 0) this.counts.set(n, left);
        else this.counts.delete(n);
      }
    };
  }

  /** Runs `work` as one transfer on these clusters. */
  async track<T>(clusters: Iterable<string>, work: () => PromiseLike<T>): Promise<T> {
    const end = this.begin(clusters);
    try {
      return await work();
    } finally {
      end();
    }
  }

  count(cluster: string): number {
    return this.counts.get(cluster) ?? 0;
  }
}

/** The extension's transfers (the commands register theirs here). */
export const runningTransfers = new RunningTransfers();
