/** Small pieces every page uses: loading, an error, a notice that an action was taken, a copyable command. */
import { useState } from 'preact/hooks';
import { describeError } from '../api';
import { formatAge, formatTime } from '../format';

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function ErrorNote({ error }: { error: unknown }) {
  return (
    <p class="problem" role="alert">
      {describeError(error)}
    </p>
  );
}

/** The outcome of the last action, read out by screen readers. */
export function Notice({ message }: { message?: string }) {
  return (
    <p class="notice" role="status" aria-live="polite">
      {message ?? ''}
    </p>
  );
}

export function Time({ iso, relative = true }: { iso?: string; relative?: boolean }) {
  if (!iso) return <span>—</span>;
  return (
    <time dateTime={iso} title={formatTime(iso)}>
      {relative ? formatAge(iso) : formatTime(iso)}
    </time>
  );
}

export function CopyCommand({ command, label }: { command: string; label: string }) {
  const [copied, setCopied] = useState('');
  const copy = (): void => {
    navigator.clipboard.writeText(command).then(
      () => setCopied('Copied to the clipboard.'),
      () => setCopied('Copying is not allowed here: select the command and copy it.'),
    );
  };
  return (
    <div class="copy">
      <code aria-label={label}>{command}</code>
      <button type="button" class="button" onClick={copy}>
        Copy
      </button>
      <span role="status" class="muted">
        {copied}
      </span>
    </div>
  );
}
