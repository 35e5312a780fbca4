// How a job reads in the Jobs view: its label, the one-line description (objects, bytes, rate, elapsed time
// or how it ended), the tooltip and what a screen reader says. Plain data; views/jobs.ts makes TreeItems.
import * as l10n from '@vscode/l10n';
import type { BucketRef } from '../client/cluster';
import { isRunning, JOB_KIND, type JobInfo } from '../client/jobs';
import { firstSentence } from '../objects/errors';
import { formatCount, formatDate, formatSize } from '../objects/format';
import { objectUri } from '../objects/location';
import type { JobEntry } from './board';

export type JobOutcome = 'running' | 'done' | 'stopped' | 'failed';

export function outcomeOf(job: JobInfo): JobOutcome {
  if (isRunning(job)) return 'running';
  if (job.aborted) return 'stopped';
  return job.error ? 'failed' : 'done';
}

export function kindLabel(kind: string): string {
  switch (kind) {
    case JOB_KIND.copyBucket:
      return l10n.t('Copy bucket');
    case JOB_KIND.copyObjects:
      return l10n.t('Copy objects');
    case JOB_KIND.deleteObjects:
      return l10n.t('Delete objects');
    case JOB_KIND.evictObjects:
      return l10n.t('Evict objects');
    case JOB_KIND.summary:
      return l10n.t('Summary');
    case JOB_KIND.prefetchObjects:
      return l10n.t('Prefetch');
    case JOB_KIND.archive:
      return l10n.t('Create shard');
    default:
      return kind;
  }
}

/** "0:07", "12:30", "1:02:03". */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const p = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}:${p(m)}:${p(s % 60)}` : `${m}:${p(s % 60)}`;
}

export function elapsedMs(job: JobInfo, now = Date.now()): number {
  if (!job.started) return 0;
  return (job.ended?.getTime() ?? now) - job.started.getTime();
}

/** A bucket (and a prefix in it) as a row has room for: an ais:// bucket by its name, any other as its URI. */
export function shortBucket(b: BucketRef, prefix = ''): string {
  return b.provider === 'ais' && !b.namespace ? b.name + (prefix ? `/${prefix}` : '') : objectUri(b, prefix);
}

/** The job's label: what it was asked to do, or its kind and bucket(s). */
export function jobLabel(entry: JobEntry): string {
  if (entry.title) return entry.title;
  const { info } = entry;
  const src = info.bucket ? shortBucket(info.bucket) : '';
  const dst = info.destination && (!info.bucket || shortBucket(info.destination) !== src) ? shortBucket(info.destination) : '';
  return [kindLabel(info.kind), src, dst ? `→ ${dst}` : ''].filter(Boolean).join(' ');
}

function counts(job: JobInfo): string {
  const objects = job.objects === 1 ? l10n.t('1 object') : l10n.t('{0} objects', formatCount(job.objects));
  return job.bytes > 0 ? `${objects} · ${formatSize(job.bytes)}` : objects;
}

/** Objects a second over the job's time so far ("" before a second has passed). */
export function rateText(job: JobInfo, now = Date.now()): string {
  const ms = elapsedMs(job, now);
  if (ms < 1000 || job.objects === 0) return '';
  const perSecond = (job.objects * 1000) / ms;
  const objs = l10n.t('{0} obj/s', formatCount(Math.round(perSecond)));
  return job.bytes > 0 ? `${objs} (${formatSize((job.bytes * 1000) / ms)}/s)` : objs;
}

export function jobDescription(job: JobInfo, now = Date.now()): string {
  const elapsed = formatElapsed(elapsedMs(job, now));
  switch (outcomeOf(job)) {
    case 'running':
      return [counts(job), rateText(job, now), elapsed].filter(Boolean).join(' · ');
    case 'done':
      return l10n.t('Done: {0} in {1}', counts(job), elapsed);
    case 'stopped':
      return l10n.t('Stopped after {0}', counts(job));
    case 'failed':
      return l10n.t('Failed: {0}', firstSentence(job.error ?? ''));
  }
}

export function jobIcon(job: JobInfo): { icon: string; color?: 'error' | 'passed' } {
  switch (outcomeOf(job)) {
    case 'running':
      return { icon: 'sync~spin' };
    case 'done':
      return { icon: 'pass', color: 'passed' };
    case 'stopped':
      return { icon: 'debug-stop' };
    case 'failed':
      return { icon: 'error', color: 'error' };
  }
}

export function jobTooltip(entry: JobEntry, now = Date.now()): string {
  const { info } = entry;
  const lines = [jobLabel(entry), l10n.t('Job {0} ({1}) on {2}', info.id, info.kind, entry.clusterName)];
  if (info.bucket) lines.push(l10n.t('Bucket: {0}', objectUri(info.bucket)));
  if (info.destination) lines.push(l10n.t('Destination: {0}', objectUri(info.destination)));
  if (info.started) lines.push(l10n.t('Started: {0}', formatDate(info.started)));
  if (info.ended) lines.push(l10n.t('Ended: {0}', formatDate(info.ended)));
  lines.push(l10n.t('Done so far: {0}', counts(info)));
  const rate = rateText(info, now);
  if (rate) lines.push(l10n.t('Rate: {0}', rate));
  lines.push(l10n.t('Elapsed: {0}', formatElapsed(elapsedMs(info, now))));
  if (info.aborted) lines.push(l10n.t('Stopped before it finished.'));
  if (info.error) lines.push(l10n.t('Error: {0}', info.error));
  if (entry.runner === 'extension') lines.push(l10n.t('Run by AIS Buckets in this window (the endpoint has no server-side jobs).'));
  return lines.join('\n');
}

/** What a screen reader says: the label, then how it stands. */
export function jobAccessibilityLabel(entry: JobEntry, now = Date.now()): string {
  const state = { running: l10n.t('running'), done: l10n.t('finished'), stopped: l10n.t('stopped'), failed: l10n.t('failed') }[outcomeOf(entry.info)];
  return `${jobLabel(entry)}, ${state}, ${jobDescription(entry.info, now)}`;
}
