/** An app's traffic split: one bar per revision, each labelled with its share in words. */
import { shortRevision } from '../format';
import type { TrafficSplit } from '../types';

export function TrafficBar({ traffic, serving }: { traffic?: TrafficSplit[]; serving?: string }) {
  const shares = (traffic ?? []).filter((t) => t.weight > 0);
  if (shares.length === 0) return <span class="muted">no traffic</span>;
  return (
    <div class="traffic" role="list" aria-label="Traffic split">
      {shares.map((t) => (
        <div key={t.revisionName} role="listitem" class={`traffic-share ${t.revisionName === serving ? 'traffic-serving' : ''}`} style={{ flexGrow: t.weight }}>
          <span>
            {shortRevision(t.revisionName)} {t.weight} %
          </span>
        </div>
      ))}
    </div>
  );
}
