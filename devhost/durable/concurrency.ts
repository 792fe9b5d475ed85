/** Bounds how many pieces of work run at once (host.json maxConcurrent…Functions). */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  get available(): number {
    return Math.max(0, this.limit - this.active);
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active += 1;
    try {
      return await work();
    } finally {
      this.active -= 1;
      this.waiting.shift()?.();
    }
  }
}

/**
 * Per-key inboxes drained one batch at a time: items for a key that arrive while its batch
 * runs wait for the next batch, so one instance's episodes never overlap.
 */
export class KeyedBatcher<T> {
  private readonly inboxes = new Map<string, T[]>();
  private readonly running = new Set<string>();
  private readonly idle = new Set<() => void>();

  constructor(private readonly process: (key: string, items: T[]) => Promise<void>, private readonly onError: (key: string, err: unknown) => void) {}

  add(key: string, item: T): void {
    const inbox = this.inboxes.get(key) ?? [];
    inbox.push(item);
    this.inboxes.set(key, inbox);
    if (!this.running.has(key)) this.drain(key);
  }

  /** Keys with work queued or running. */
  get busyCount(): number {
    return new Set([...this.inboxes.keys(), ...this.running]).size;
  }

  has(key: string, predicate: (item: T) => boolean): boolean {
    return (this.inboxes.get(key) ?? []).some(predicate);
  }

  /** Resolves when nothing is queued or running. */
  whenIdle(): Promise<void> {
    if (this.busyCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  private drain(key: string): void {
    const items = this.inboxes.get(key);
    if (!items || items.length === 0) {
      this.inboxes.delete(key);
      if (this.busyCount === 0) for (const resolve of [...this.idle]) { this.idle.delete(resolve); resolve(); }
      return;
    }
    this.inboxes.delete(key);
    this.running.add(key);
    this.process(key, items)
      .catch((err: unknown) => this.onError(key, err))
      .finally(() => {
        this.running.delete(key);
        this.drain(key);
      });
  }
}
