/**
 * One check of a backup (or drill) in progress, judged purely: the runner's record decides when it
 * is terminal; otherwise the job execution and the clock decide whether to keep waiting.
 * - record terminal → done;
 * - execution ended (Succeeded/Failed/Stopped...) but no terminal record after `graceMs` → the
 *   runner died without reporting (killed, out of memory, image could not start): fail;
 * - past the deadline → fail (the job never finished).
 */
export interface BackupWaitObservation {
  /** The record's state; 'Missing' when there is none. */
  readonly recordState: string;
  readonly recordTerminal: boolean;
  readonly executionStatus?: string;
  readonly executionReason?: string;
}

export interface BackupWaitClock {
  readonly startedAt: string;
  /** When the execution was first seen ended (carried between checks). */
  readonly executionEndedAt?: string;
  readonly now: Date;
  readonly deadlineMs: number;
  readonly graceMs: number;
}

export type BackupWaitVerdict =
  | { readonly verdict: 'done' }
  | { readonly verdict: 'wait'; readonly executionEndedAt?: string }
  | { readonly verdict: 'fail'; readonly reason: string };

const RUNNING = new Set(['Running', 'Processing']);

export function judgeBackupWait(observation: BackupWaitObservation, clock: BackupWaitClock): BackupWaitVerdict {
  if (observation.recordTerminal) return { verdict: 'done' };
  const now = clock.now.getTime();
  const ended = observation.executionStatus !== undefined && !RUNNING.has(observation.executionStatus);
  if (ended) {
    const endedAt = clock.executionEndedAt ?? clock.now.toISOString();
    if (now - Date.parse(endedAt) >= clock.graceMs) {
      const why = observation.executionReason ? ` (${observation.executionReason})` : '';
      return { verdict: 'fail', reason: `the job execution ended ${observation.executionStatus}${why} without the runner recording a result (record: ${observation.recordState})` };
    }
    return { verdict: 'wait', executionEndedAt: endedAt };
  }
  if (now - Date.parse(clock.startedAt) >= clock.deadlineMs) {
    return { verdict: 'fail', reason: `the backup job did not finish within ${Number((clock.deadlineMs / 60_000).toFixed(1))} minutes (execution ${observation.executionStatus ?? 'unknown'}, record ${observation.recordState})` };
  }
  return { verdict: 'wait' };
}

/** Poll interval: quick at first (small databases finish in seconds), then every `maxSeconds`. */
export function pollDelaySeconds(check: number, minSeconds: number, maxSeconds: number): number {
  return Math.min(maxSeconds, minSeconds * 2 ** Math.min(check, 10));
}

/** A 6-hex suffix derived from a string (an instance id), for ids an orchestrator must derive deterministically. */
export function hexSuffixOf(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash & 0xffffff).toString(16).padStart(6, '0');
}
