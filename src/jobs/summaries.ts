// Bucket and folder summaries (object count, total size) computed this session, kept until the tree is
// refreshed there: the tooltip shows them, Show Summary computes them again.
import type { BucketRef } from '../client/cluster';
import type { BucketSummary } from '../client/jobs';

export interface KeptSummary extends BucketSummary {
  at: Date;
}

function keyOf(clusterName: string, bucket: BucketRef, prefix: string): string {
  return [clusterName, bucket.provider, bucket.namespace?.uuid ?? '', bucket.namespace?.name ?? '', bucket.name, prefix].join('\n');
}

export class SummaryCache {
  private readonly kept = new Map<string, KeptSummary>();

  get(clusterName: string, bucket: BucketRef, prefix = ''): KeptSummary | undefined {
    return this.kept.get(keyOf(clusterName, bucket, prefix));
  }

  set(clusterName: string, bucket: BucketRef, prefix: string, summary: BucketSummary): KeptSummary {
    const kept = { ...summary, at: new Date() };
    this.kept.set(keyOf(clusterName, bucket, prefix), kept);
    return kept;
  }

  /** Forgets what is under a refreshed node: everything, a cluster, a bucket, or a folder and its subfolders. */
  invalidate(scope?: { clusterName: string; bucket?: BucketRef; prefix?: string }): void {
    if (!scope) return this.kept.clear();
    const start = scope.bucket ? keyOf(scope.clusterName, scope.bucket, scope.prefix ?? '') : `${scope.clusterName}\n`;
    for (const k of [...this.kept.keys()]) {
      // A folder's refresh also changes the counts of the bucket and folders it is in: drop those too.
      const sameBucket = scope.bucket && k.slice(0, k.lastIndexOf('\n')) === start.slice(0, start.lastIndexOf('\n'));
      if (k.startsWith(start) || sameBucket) this.kept.delete(k);
    }
  }
}
