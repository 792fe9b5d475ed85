/**
 * A state as a word with a tone: the word is always there (colour is never the only signal),
 * the tone tells good, bad, needs-attention, in progress, or neither at a glance.
 */
type Tone = 'good' | 'bad' | 'warn' | 'running' | 'neutral';

const TONES: Readonly<Record<string, Tone>> = {
  succeeded: 'good', verified: 'good', baseline: 'good', healthy: 'good', fresh: 'good', Complete: 'good', Passed: 'good', successful: 'good', started: 'good', ok: 'good',
  failed: 'bad', 'rolled-back': 'bad', rejected: 'bad', unhealthy: 'bad', stale: 'bad', Failed: 'bad', critical: 'bad', error: 'bad',
  degraded: 'warn', 'awaiting-approval': 'warn', inconclusive: 'warn', paused: 'warn', warning: 'warn', duplicate: 'warn',
  queued: 'running', verifying: 'running', 'backing-up': 'running', migrating: 'running', deploying: 'running', 'health-waiting': 'running',
  promoting: 'running', 'rolling-back': 'running', running: 'running', Pending: 'running', Running: 'running', Verifying: 'running', pending: 'running',
};

export function toneOf(value: string): Tone {
  return TONES[value] ?? 'neutral';
}

export function Badge({ value, label }: { value: string; label?: string }) {
  return <span class={`badge badge-${toneOf(value)}`}>{label ?? value}</span>;
}
