/**
 * Polls one storage queue and hands each message to a handler. Polls again at once while a poll
 * comes back full (more may be waiting) or when nudged (a message was just sent from this
 * process), and backs off once the queue is drained, so local latency stays low without hammering
 * Azurite. Every message this process sends (timers included) nudges the pump, so the back-off
 * only delays what another process sent or what comes back after a visibility timeout: from 200 ms
 * up to a second, where each idle poll costs a storage request on both sides (a back-off that
 * started at 5 ms made nearly half of a deployment's storage requests empty polls, and one that
 * started at 50 ms still a third).
 *
 * A poll that brought fewer messages than it asked for drained the queue, so the next one waits
 * too rather than going at once: polling again straight after every message made an empty poll
 * for nearly every message a deployment sent.
 */
export interface QueuePumpOptions<M> {
  name: string;
  receive(max: number): Promise<M[]>;
  /** Called for each message; must not throw (handlers log their own failures). */
  handle(message: M): void;
  /** How many messages the pump may take now (concurrency headroom); 0 pauses receiving. */
  capacity(): number;
  onError(err: unknown): void;
  minDelayMs?: number;
  maxDelayMs?: number;
  /** The most one poll can bring (Azure Queue storage: 32), whatever the capacity. */
  maxPerPoll?: number;
}

export class QueuePump<M> {
  private stopped = false;
  private wake: (() => void) | undefined;
  private nudged = false;
  private loop: Promise<void> | undefined;
  private heldBack = false;

  constructor(private readonly options: QueuePumpOptions<M>) {}

  start(): void {
    this.loop = this.run();
  }

  /** Polls now instead of waiting out the back-off. */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  /**
   * The handler finished a message, so there may be room again: polls now only if the last poll
   * was held back for want of capacity (otherwise nothing waits on that room).
   */
  capacityFreed(): void {
    if (this.heldBack) this.nudge();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const minDelay = this.options.minDelayMs ?? 200;
    const maxDelay = this.options.maxDelayMs ?? 1000;
    const maxPerPoll = this.options.maxPerPoll ?? 32;
    let delay = minDelay;
    while (!this.stopped) {
      this.nudged = false;
      const capacity = this.options.capacity();
      this.heldBack = capacity <= 0;
      let received = 0;
      let full = false;
      if (capacity > 0) {
        try {
          const messages = await this.options.receive(capacity);
          received = messages.length;
          full = received >= Math.min(capacity, maxPerPoll);
          for (const message of messages) this.options.handle(message);
        } catch (err) {
          if (!this.stopped) this.options.onError(err);
        }
      }
      if (received > 0) delay = minDelay;
      if (full || this.nudged) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
      delay = Math.min(maxDelay, delay * 2);
    }
  }
}
