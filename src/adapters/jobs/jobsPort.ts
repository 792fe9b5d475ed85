/** What Harbormaster needs from Container Apps Jobs: run a one-off execution and watch it. */
export interface JobRef {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

export interface JobExecutionView {
  name: string;
  /** Azure's JobExecutionRunningState: Running, Processing, Succeeded, Failed, Stopped, Degraded, Unknown. */
  status: string;
  startTime?: string;
  endTime?: string;
  /** Why it ended as it did, when Azure says. */
  reason?: string;
}

export interface StartExecutionInput {
  /** The image the execution runs (pinned by digest). */
  image: string;
  /** Replaces the container's command; undefined keeps the job's. */
  command?: string[];
  args?: string[];
  /** Added to the job container's environment for this execution. */
  env?: Record<string, string>;
  /**
   * Identifies this logical run. If an execution carrying it already exists (the activity
   * was retried after a crash), that execution is returned instead of starting another.
   */
  runId: string;
}

export interface JobsPort {
  startExecution(job: JobRef, input: StartExecutionInput, options?: { abortSignal?: AbortSignal }): Promise<JobExecutionView>;
  getExecution(job: JobRef, executionName: string, options?: { abortSignal?: AbortSignal }): Promise<JobExecutionView | undefined>;
  /** Asks Azure to stop a running execution (a migration past its deadline); returns once accepted. */
  stopExecution(job: JobRef, executionName: string, options?: { abortSignal?: AbortSignal }): Promise<void>;
}

/** The env var carrying StartExecutionInput.runId into the execution. */
export const RUN_ID_ENV = 'HARBORMASTER_RUN_ID';
