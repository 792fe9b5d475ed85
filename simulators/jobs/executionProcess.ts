/**
 * One job execution's replica as a local child process: runs a command with a given environment,
 * keeps the last lines it printed, kills it at the replica timeout, and reports how it ended.
 *
 * The child runs in its own process group so a timeout or stop also ends whatever it spawned
 * (a `/bin/sh -c` wrapper, a `psql`...).
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface LogLine {
  readonly time: string;
  readonly stream: 'stdout' | 'stderr';
  readonly line: string;
}

export type ProcessEnd =
  | { readonly kind: 'exited'; readonly exitCode: number }
  | { readonly kind: 'timedOut' }
  | { readonly kind: 'stopped' }
  | { readonly kind: 'killedBySignal'; readonly signal: string }
  | { readonly kind: 'spawnFailed'; readonly message: string };

export interface ProcessSpec {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Killed (and reported `timedOut`) after this long. */
  readonly timeoutMs: number;
  /** How many of the last output lines to keep (default 200). */
  readonly maxLogLines?: number;
}

/** After SIGTERM, how long a process gets before SIGKILL (Kubernetes' grace period, shortened). */
const KILL_GRACE_MS = 2_000;

export class ExecutionProcess {
  private readonly lines: LogLine[] = [];
  private readonly maxLines: number;
  private readonly child: ChildProcess | undefined;
  private endReason: 'timedOut' | 'stopped' | undefined;
  private timeout: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private finished = false;
  /** Resolves once the process has ended (never rejects). */
  readonly ended: Promise<ProcessEnd>;

  constructor(spec: ProcessSpec) {
    this.maxLines = spec.maxLogLines ?? 200;
    let resolveEnd!: (end: ProcessEnd) => void;
    this.ended = new Promise((resolve) => (resolveEnd = resolve));
    const finish = (end: ProcessEnd): void => {
      if (this.finished) return;
      this.finished = true;
      clearTimeout(this.timeout);
      clearTimeout(this.killTimer);
      resolveEnd(end);
    };
    let child: ChildProcess;
    try {
      child = spawn(spec.file, [...spec.args], {
        cwd: spec.cwd,
        env: { ...spec.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
    } catch (error) {
      finish({ kind: 'spawnFailed', message: (error as Error).message });
      return;
    }
    this.child = child;
    this.collect(child.stdout, 'stdout');
    this.collect(child.stderr, 'stderr');
    child.once('error', (error) => finish({ kind: 'spawnFailed', message: error.message }));
    child.once('close', (code, signal) => {
      if (this.endReason) finish({ kind: this.endReason });
      else if (code !== null) finish({ kind: 'exited', exitCode: code });
      else finish({ kind: 'killedBySignal', signal: signal ?? 'unknown' });
    });
    this.timeout = setTimeout(() => this.terminate('timedOut'), Math.max(1, spec.timeoutMs));
  }

  /** The last output lines, oldest first. */
  get logs(): readonly LogLine[] {
    return this.lines;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Ends the process (SIGTERM to its group, SIGKILL after a grace period); it will report `stopped`. */
  stop(): void {
    this.terminate('stopped');
  }

  private terminate(reason: 'timedOut' | 'stopped'): void {
    if (this.finished || this.endReason || !this.child?.pid) return;
    this.endReason = reason;
    this.signalGroup('SIGTERM');
    this.killTimer = setTimeout(() => this.signalGroup('SIGKILL'), KILL_GRACE_MS);
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (!pid) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone.
    }
  }

  private collect(stream: NodeJS.ReadableStream | null, name: 'stdout' | 'stderr'): void {
    if (!stream) return;
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split(/\r?\n/);
      partial = parts.pop() ?? '';
      for (const line of parts) this.push(name, line);
    });
    stream.on('end', () => {
      if (partial) this.push(name, partial);
      partial = '';
    });
  }

  private push(stream: 'stdout' | 'stderr', line: string): void {
    this.lines.push({ time: new Date().toISOString(), stream, line });
    if (this.lines.length > this.maxLines) this.lines.splice(0, this.lines.length - this.maxLines);
  }
}
