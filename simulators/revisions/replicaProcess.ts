/**
 * One replica of a revision: a sampleApp child process, restarted with back-off when it exits
 * (as Kubernetes does for a crashing container), with its state, port, restart count, memory and CPU use.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { ImageBehaviour } from '../imageCatalog';
import type { SampleAppMessage } from './sampleApp';

export type ReplicaState = 'starting' | 'running' | 'backoff' | 'stopped';

export interface ReplicaOptions {
  revisionName: string;
  image: string;
  behaviour: ImageBehaviour;
  /** Called on each restart (for RestartCount metrics). */
  onRestart?: () => void;
  /** First restart delay; doubles per consecutive crash up to maxBackoffMs. Defaults 500 / 8000 ms. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

export class ReplicaProcess {
  readonly name: string;
  readonly createdTime = new Date().toISOString();
  state: ReplicaState = 'stopped';
  port: number | undefined;
  restartCount = 0;
  rssBytes = 0;
  /** Cores the process used between its last two reports (CPU time / wall time). */
  cpuCores = 0;
  private lastCpu: { micros: number; at: number } | undefined;
  /** Ever listened since the last (re)start request. */
  everReady = false;
  lastExitCode: number | null = null;
  private child: ChildProcess | undefined;
  private backoffTimer: NodeJS.Timeout | undefined;
  private consecutiveCrashes = 0;
  private waiters: Array<() => void> = [];

  constructor(private readonly options: ReplicaOptions) {
    // Kubernetes-style pod name: <revision>-<replicaset hash>-<pod suffix>.
    this.name = `${options.revisionName}-${randomBytes(5).toString('hex').slice(0, 9)}-${randomBytes(3).toString('hex').slice(0, 5)}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.state !== 'stopped') return;
    this.spawn();
  }

  /** Stops the process for good (deactivation, scale to zero, shutdown). */
  async stop(): Promise<void> {
    this.state = 'stopped';
    this.port = undefined;
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    this.backoffTimer = undefined;
    await this.kill();
    this.notify();
  }

  /** Restarts the process now (the revision restart API), counting a restart. */
  async restart(): Promise<void> {
    await this.stop();
    this.restartCount += 1;
    this.options.onRestart?.();
    this.consecutiveCrashes = 0;
    this.spawn();
  }

  /** Resolves with the port once listening, or undefined when it crashed, was stopped, or did not listen within timeoutMs. */
  async waitUntilListening(timeoutMs: number): Promise<number | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (this.state !== 'running' || this.port === undefined) {
      const left = deadline - Date.now();
      if (left <= 0 || this.state === 'stopped' || this.state === 'backoff') return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.port;
  }

  private spawn(): void {
    this.state = 'starting';
    this.port = undefined;
    this.lastCpu = undefined;
    this.cpuCores = 0;
    const child = fork(path.join(__dirname, 'sampleApp.js'), [], {
      env: {
        PATH: process.env.PATH ?? '',
        SAMPLE_BEHAVIOUR: JSON.stringify(this.options.behaviour),
        SAMPLE_REVISION: this.options.revisionName,
        SAMPLE_IMAGE: this.options.image,
      },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv: [],
    });
    this.child = child;
    child.stderr?.resume();
    child.on('message', (message: SampleAppMessage) => {
      if (child !== this.child) return;
      if (message.type === 'listening') {
        this.port = message.port;
        this.state = 'running';
        this.everReady = true;
        this.consecutiveCrashes = 0;
        this.notify();
      } else if (message.type === 'memory') {
        this.rssBytes = message.rssBytes;
        const now = performance.now();
        if (this.lastCpu && now > this.lastCpu.at) this.cpuCores = Math.max(0, message.cpuMicros - this.lastCpu.micros) / 1000 / (now - this.lastCpu.at);
        this.lastCpu = { micros: message.cpuMicros, at: now };
      }
    });
    child.on('exit', (code) => {
      if (child !== this.child) return;
      this.child = undefined;
      this.lastExitCode = code;
      this.port = undefined;
      if (this.state === 'stopped') return;
      // Unexpected exit: back off, then restart (CrashLoopBackOff).
      this.state = 'backoff';
      this.notify();
      const initial = this.options.initialBackoffMs ?? 500;
      const delay = Math.min(initial * 2 ** this.consecutiveCrashes, this.options.maxBackoffMs ?? 8000);
      this.consecutiveCrashes += 1;
      this.backoffTimer = setTimeout(() => {
        this.backoffTimer = undefined;
        if (this.state !== 'backoff') return;
        this.restartCount += 1;
        this.options.onRestart?.();
        this.spawn();
      }, delay);
      this.backoffTimer.unref();
    });
  }

  private kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const force = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
