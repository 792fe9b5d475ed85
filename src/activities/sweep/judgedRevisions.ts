/**
 * Which revisions a sweep judges, and what the platform says about them.
 *
 * While a deployment of the app runs, the revisions it rolls out (those running the digest being
 * deployed) are the pipeline's: its health-wait judges them by its own rules (a slow start is not
 * a failure), so the sweep leaves them out of the platform signal and the metrics. The revisions
 * that were serving before stay judged.
 */
import { judgePlatform, type PlatformJudgement } from '../../domain/health';
import type { RevisionView } from '../../adapters/containerApps/containerAppsPort';

export interface JudgedRevisions {
  /** Active revisions the sweep judges, most traffic first. */
  established: RevisionView[];
  /** Active revisions under rollout by the running deployment. */
  underRollout: RevisionView[];
}

export function splitRevisions(revisions: readonly RevisionView[], runningDigest: string | undefined): JudgedRevisions {
  const active = revisions.filter((r) => r.active).sort((a, b) => b.trafficWeight - a.trafficWeight);
  if (!runningDigest) return { established: active, underRollout: [] };
  const digest = runningDigest.toLowerCase();
  const isRollout = (r: RevisionView): boolean => (r.image ?? '').toLowerCase().includes(digest);
  return { established: active.filter((r) => !isRollout(r)), underRollout: active.filter(isRollout) };
}

const WORST: Readonly<Record<PlatformJudgement['outcome'], number>> = { healthy: 0, unknown: 1, starting: 2, unhealthy: 3 };

/**
 * One platform judgement for the app: the worst of its judged revisions, naming the revision.
 * Undefined when there is nothing to judge because every active revision is under rollout.
 */
export function judgeRevisions(split: JudgedRevisions, scaleToZero: boolean): PlatformJudgement | undefined {
  if (split.established.length === 0) {
    if (split.underRollout.length > 0) return undefined;
    return { outcome: 'unhealthy', terminal: false, reason: 'no active revision' };
  }
  const judged = split.established.map((r) => ({ revision: r, judgement: judgePlatform(r, { scaleToZero }) }));
  const worst = judged.reduce((a, b) => (WORST[b.judgement.outcome] > WORST[a.judgement.outcome] ? b : a));
  const idle = judged.every((j) => j.judgement.idle === true);
  const others = judged.length > 1 ? ` (worst of ${judged.length} active revisions)` : '';
  return {
    outcome: worst.judgement.outcome,
    terminal: worst.judgement.terminal,
    reason: `${worst.revision.name}: ${worst.judgement.reason}${others}`,
    ...(idle ? { idle: true } : {}),
  };
}
