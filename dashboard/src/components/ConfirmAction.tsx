/**
 * An action behind a confirmation that says what will happen. The button opens a modal
 * dialog (the browser's own <dialog>: focus moves into it, Escape closes it); the dialog shows
 * its body (often a preview the API computed), and the action runs only on "confirm".
 */
import type { ComponentChildren } from 'preact';
import { useId, useRef, useState } from 'preact/hooks';
import { describeError } from '../api';

export interface ConfirmActionProps {
  /** The button that opens the dialog. */
  label: string;
  title: string;
  confirmLabel: string;
  tone?: 'danger' | 'primary';
  /** Called each time the dialog opens (e.g. to load a preview). */
  onOpen?: () => void;
  /** False while the dialog cannot be confirmed yet (preview loading, refused, a field missing). */
  ready?: boolean;
  /** Runs the action; its answer (a sentence) is shown after the dialog closes. */
  onConfirm: () => Promise<string>;
  onDone?: (message: string) => void;
  children: ComponentChildren;
}

export function ConfirmAction({ label, title, confirmLabel, tone = 'primary', onOpen, ready = true, onConfirm, onDone, children }: ConfirmActionProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const show = (): void => {
    setError(undefined);
    setOpen(true);
    onOpen?.();
    dialog.current?.showModal();
  };
  const close = (): void => {
    dialog.current?.close();
  };
  const confirm = (event: Event): void => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    onConfirm().then(
      (message) => {
        setBusy(false);
        close();
        onDone?.(message);
      },
      (failure: unknown) => {
        setBusy(false);
        setError(describeError(failure));
      },
    );
  };

  return (
    <>
      <button type="button" class={`button button-${tone}`} onClick={show}>
        {label}
      </button>
      <dialog ref={dialog} class="dialog" aria-labelledby={titleId} onClose={() => setOpen(false)}>
        <form method="dialog" onSubmit={confirm}>
          <h2 id={titleId}>{title}</h2>
          <div class="dialog-body">{open ? children : null}</div>
          {error ? (
            <p class="problem" role="alert">
              {error}
            </p>
          ) : null}
          <div class="dialog-buttons">
            <button type="button" class="button" onClick={close}>
              Cancel
            </button>
            <button type="submit" class={`button button-${tone}`} disabled={!ready || busy}>
              {busy ? 'Working…' : confirmLabel}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
