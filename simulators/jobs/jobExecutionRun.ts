/**
 * One Container Apps job execution, really run: its replica's init containers one after another,
 * then its containers side by side, each a local process (see commandResolution.ts). Like the
 * Kubernetes Job behind a Container Apps job:
 * - `replicaTimeout` (seconds) bounds the whole execution; when it passes, the execution is Failed
 *   with reason DeadlineExceeded;
 * - a failed replica is retried up to `replicaRetryLimit` times, then the execution is Failed with
 *   reason BackoffLimitExceeded;
 * - stopping kills the processes and leaves the execution Stopped.
 */
import { ExecutionProcess, type LogLine, type ProcessEnd } from './executionProcess';
import { resolveJobCommand } from './commandResolution';

/** JobExecution `status` values in the 2026-07-01 spec. */
export type JobExecutionStatus = 'Running' | 'Processing' | 'Stopped' | 'Degraded' | 'Failed' | 'Unknown' | 'Succeeded';

export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly secretRef?: string;
}

export interface ExecutionContainer {
  readonly name: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: readonly EnvVar[];
  /** As sent (`cpu`, `memory`...); reported back, not enforced. */
  readonly resources?: Readonly<Record<string, unknown>>;
}

export interface ExecutionSpec {
  readonly jobName: string;
  readonly executionName: string;
  readonly initContainers: readonly ExecutionContainer[];
  readonly containers: readonly ExecutionContainer[];
  /** Secret name → value, from the job's configuration. */
  readonly secrets: ReadonlyMap<string, string>;
  readonly replicaTimeoutSeconds: number;
  readonly replicaRetryLimit: number;
  /** The job behaviour recorded for an image (e.g. `migrate-ok`), if any. */
  readonly jobBehaviourOf: (image: string) => string | undefined;
  /** Variables every process gets besides the container's own (PATH, the simulator's CA...). */
  readonly baseEnv: Readonly<Record<string, string>>;
}

export interface ContainerState {
  name: string;
  code?: number;
  status: 'Running' | 'Succeeded' | 'Failed' | 'Stopped' | 'Waiting';
  additionalInformation?: string;
}

export interface ReplicaState {
  readonly name: string;
  readonly containers: ContainerState[];
}

export interface ExecutionLogLine extends LogLine {
  readonly replica: string;
  readonly container: string;
}

type ReplicaOutcome = 'succeeded' | 'failed' | 'timedOut' | 'stopped';

const MAX_LOG_LINES = 500;

export class JobExecutionRun {
  status: JobExecutionStatus = 'Processing';
  readonly startTime = new Date().toISOString();
  endTime: string | undefined;
  reason: string | undefined;
  message: string | undefined;
  /** Exit code of the last container that ended (the one that decided the outcome). */
  exitCode: number | undefined;
  readonly replicas: ReplicaState[] = [];
  readonly logs: ExecutionLogLine[] = [];
  /** Resolves when the execution reached a terminal status. */
  readonly done: Promise<void>;
  private readonly running = new Set<ExecutionProcess>();
  private stopRequested = false;
  private readonly deadline: number;

  constructor(private readonly spec: ExecutionSpec) {
    this.deadline = Date.now() + spec.replicaTimeoutSeconds * 1000;
    this.done = this.run();
  }

  /** Kills the running processes; the execution ends Stopped. Resolves when it has. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    for (const process of this.running) process.stop();
    await this.done;
  }

  get terminal(): boolean {
    return this.endTime !== undefined;
  }

  private async run(): Promise<void> {
    this.status = 'Running';
    let outcome: ReplicaOutcome = 'failed';
    for (let attempt = 0; attempt <= this.spec.replicaRetryLimit; attempt++) {
      outcome = await this.runReplica(attempt);
      if (outcome !== 'failed') break;
    }
    this.endTime = new Date().toISOString();
    if (outcome === 'succeeded') {
      this.status = 'Succeeded';
      this.reason = 'Completed';
      this.message = 'Job execution completed successfully';
    } else if (outcome === 'stopped') {
      this.status = 'Stopped';
      this.reason = 'Stopped';
      this.message = 'Job execution was stopped';
    } else if (outcome === 'timedOut') {
      this.status = 'Failed';
      this.reason = 'DeadlineExceeded';
      this.message = `Job was active longer than specified deadline (replicaTimeout ${this.spec.replicaTimeoutSeconds} s)`;
    } else {
      this.status = 'Failed';
      this.reason = 'BackoffLimitExceeded';
      this.message = 'Job has reached the specified backoff limit';
    }
  }

  private async runReplica(attempt: number): Promise<ReplicaOutcome> {
    const replica: ReplicaState = {
      name: `${this.spec.executionName}-${attempt}`.toLowerCase(),
      containers: [...this.spec.initContainers, ...this.spec.containers].map((c) => ({ name: c.name, status: 'Waiting' as const })),
    };
    this.replicas.push(replica);
    const states = replica.containers;
    const inits = this.spec.initContainers.length;
    for (let i = 0; i < inits; i++) {
      const outcome = await this.runContainer(replica.name, this.spec.initContainers[i], states[i]);
      if (outcome !== 'succeeded') return outcome;
    }
    const outcomes = await Promise.all(this.spec.containers.map((c, i) => this.runContainer(replica.name, c, states[inits + i])));
    for (const worst of ['stopped', 'timedOut', 'failed'] as const) if (outcomes.includes(worst)) return worst;
    return 'succeeded';
  }

  private async runContainer(replica: string, container: ExecutionContainer, state: ContainerState): Promise<ReplicaOutcome> {
    if (this.stopRequested) {
      state.status = 'Stopped';
      return 'stopped';
    }
    const remainingMs = this.deadline - Date.now();
    if (remainingMs <= 0) {
      state.status = 'Failed';
      state.additionalInformation = 'DeadlineExceeded';
      return 'timedOut';
    }
    const env = this.environmentFor(container);
    const resolved = resolveJobCommand(container, this.spec.jobBehaviourOf(container.image), env.PATH);
    if (resolved.kind === 'notRunnable') {
      this.addLog(replica, container.name, { time: new Date().toISOString(), stream: 'stderr', line: resolved.message });
      Object.assign(state, { status: 'Failed', code: resolved.exitCode, additionalInformation: resolved.message });
      this.exitCode = resolved.exitCode;
      return 'failed';
    }
    state.status = 'Running';
    const process = new ExecutionProcess({ file: resolved.file, args: resolved.args, cwd: resolved.cwd, env, timeoutMs: remainingMs, maxLogLines: MAX_LOG_LINES });
    this.running.add(process);
    const end: ProcessEnd = await process.ended;
    this.running.delete(process);
    for (const line of process.logs) this.addLog(replica, container.name, line);
    return this.settleContainer(state, end);
  }

  private settleContainer(state: ContainerState, end: ProcessEnd): ReplicaOutcome {
    switch (end.kind) {
      case 'exited':
        this.exitCode = end.exitCode;
        Object.assign(state, {
          code: end.exitCode,
          status: end.exitCode === 0 ? 'Succeeded' : 'Failed',
          additionalInformation: end.exitCode === 0 ? 'Completed' : 'Error',
        });
        return end.exitCode === 0 ? 'succeeded' : 'failed';
      case 'timedOut':
        this.exitCode = 137;
        Object.assign(state, { code: 137, status: 'Failed', additionalInformation: 'DeadlineExceeded' });
        return 'timedOut';
      case 'stopped':
        this.exitCode = 143;
        Object.assign(state, { code: 143, status: 'Stopped', additionalInformation: 'Stopped' });
        return 'stopped';
      case 'killedBySignal':
        this.exitCode = 137;
        Object.assign(state, { code: 137, status: 'Failed', additionalInformation: `Killed by ${end.signal}` });
        return 'failed';
      case 'spawnFailed':
        this.exitCode = 127;
        Object.assign(state, { code: 127, status: 'Failed', additionalInformation: end.message });
        return 'failed';
    }
  }

  /** The process environment: base variables, the ones Container Apps sets, then the container's own. */
  private environmentFor(container: ExecutionContainer): Record<string, string> & { PATH: string } {
    const env: Record<string, string> = {
      ...this.spec.baseEnv,
      CONTAINER_APP_JOB_NAME: this.spec.jobName,
      CONTAINER_APP_JOB_EXECUTION_NAME: this.spec.executionName,
      HARBORMASTER_SIM_IMAGE: container.image,
    };
    for (const variable of container.env ?? []) {
      if (variable.secretRef !== undefined) {
        const secret = this.spec.secrets.get(variable.secretRef);
        // The ARM layer rejects unknown secretRefs before an execution starts; this is a second guard.
        if (secret !== undefined) env[variable.name] = secret;
      } else {
        env[variable.name] = variable.value ?? '';
      }
    }
    return { ...env, PATH: env.PATH ?? '/usr/local/bin:/usr/bin:/bin' };
  }

  private addLog(replica: string, container: string, line: LogLine): void {
    this.logs.push({ ...line, replica, container });
    if (this.logs.length > MAX_LOG_LINES) this.logs.splice(0, this.logs.length - MAX_LOG_LINES);
  }
}
