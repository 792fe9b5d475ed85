/**
 * Reads something from the API now and again: at once, then every `intervalMs` while the tab
 * is visible (a hidden tab asks nothing; it reads again when shown). `intervalMs` may depend on
 * what was read, so a deployment page polls while the deployment runs and stops when it ends.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Polled<T> {
  data?: T;
  error?: unknown;
  /** When the data was last read (ms since the epoch). */
  updatedAt?: number;
  refresh: () => void;
}

export function usePoll<T>(key: string, load: (signal: AbortSignal) => Promise<T>, intervalMs: number | ((data: T) => number | undefined)): Polled<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: unknown; updatedAt?: number }>({ key });
  const loadRef = useRef(load);
  loadRef.current = load;
  const intervalRef = useRef(intervalMs);
  intervalRef.current = intervalMs;
  const [generation, setGeneration] = useState(0);
  const refresh = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let inFlight = false;
    const schedule = (data: T | undefined): void => {
      const interval = intervalRef.current;
      const next = typeof interval === 'function' ? (data === undefined ? 5000 : interval(data)) : interval;
      if (next !== undefined && !stopped) timer = setTimeout(tick, next);
    };
    const tick = (): void => {
      timer = undefined;
      if (document.hidden || inFlight) return;
      inFlight = true;
      loadRef.current(controller.signal).then(
        (data) => {
          inFlight = false;
          if (stopped) return;
          setState({ key, data, updatedAt: Date.now() });
          schedule(data);
        },
        (error: unknown) => {
          inFlight = false;
          if (stopped) return;
          setState((previous) => ({ key, data: previous.key === key ? previous.data : undefined, error, updatedAt: previous.updatedAt }));
          schedule(undefined);
        },
      );
    };
    const onVisibility = (): void => {
      if (!document.hidden && timer === undefined) tick();
      if (document.hidden && timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
    };
    tick();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stopped = true;
      controller.abort();
      if (timer !== undefined) clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [key, generation]);

  return state.key === key ? { data: state.data, error: state.error, updatedAt: state.updatedAt, refresh } : { refresh };
}
