/**
 * Runs one orchestrator episode: calls the registered orchestration handler (the real
 * `durable-functions` Orchestrator) with the instance's history, the way the Durable
 * extension's out-of-process protocol does, and reads back what it decided.
 */
import type { HostContext } from '../extension';
import type { RegisteredFunction } from '../functionsCore';
import type { HistoryEvent } from './history';
import { ActionType, flattenActions, type LibraryAction, type LibraryExecutor, type LibraryTask } from './libraryActions';

/** Replay schema V3: nested actions, long timers split as the extension's defaults say. */
const UPPER_SCHEMA_VERSION = 2;
/** The Azure Storage provider's defaults (6 days; 3-day segments) in .NET TimeSpan text. */
const MAXIMUM_SHORT_TIMER_DURATION = '6.00:00:00';
const LONG_RUNNING_TIMER_INTERVAL = '3.00:00:00';
const OUT_OF_PROC_DATA_LABEL = '\n\n$OutOfProcData$:';

export interface EpisodeRequest {
  fn: RegisteredFunction;
  instanceId: string;
  parentInstanceId?: string;
  input: unknown;
  history: HistoryEvent[];
}

export interface EpisodeResult {
  status: 'running' | 'completed' | 'failed' | 'continuedAsNew';
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  /** Every action the orchestrator has created in this execution, in creation order. */
  actions: LibraryAction[];
  /** Tasks the library waits on, by the sequence number (EventId) it gave them. */
  openTasks: Map<number, LibraryTask>;
}

interface OrchestratorStateLike {
  isDone?: boolean;
  actions?: unknown;
  output?: unknown;
  error?: string;
  customStatus?: unknown;
}

/** `host`: only its invocation contexts are used (the replay tests call episodes without a running host). */
export async function runEpisode(host: Pick<HostContext, 'createInvocationContext'>, request: EpisodeRequest): Promise<EpisodeResult> {
  const context = host.createInvocationContext(request.fn, { triggerMetadata: { instanceId: request.instanceId } });
  const trigger = {
    history: request.history,
    input: request.input,
    instanceId: request.instanceId,
    isReplaying: false,
    parentInstanceId: request.parentInstanceId ?? '',
    upperSchemaVersion: UPPER_SCHEMA_VERSION,
    maximumShortTimerDuration: MAXIMUM_SHORT_TIMER_DURATION,
    longRunningTimerIntervalDuration: LONG_RUNNING_TIMER_INTERVAL,
    defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
  };
  let state: OrchestratorStateLike;
  let failure: string | undefined;
  try {
    state = (await request.fn.callback(trigger, context)) as OrchestratorStateLike;
  } catch (err) {
    // The library reports an orchestrator exception as an error whose message carries the
    // state after a label (OrchestrationFailureError); anything else is a failure of the call.
    const message = err instanceof Error ? err.message : String(err);
    const at = message.indexOf(OUT_OF_PROC_DATA_LABEL);
    if (at >= 0) {
      // The text before the label is not the error (the library passes a flag there); the state's `error` is.
      state = JSON.parse(message.slice(at + OUT_OF_PROC_DATA_LABEL.length)) as OrchestratorStateLike;
      failure = state.error ?? message.slice(0, at);
    } else {
      failure = message;
      state = {};
    }
  }
  const executor = (context as unknown as { df?: { taskOrchestratorExecutor?: LibraryExecutor } }).df?.taskOrchestratorExecutor;
  const openTasks = new Map<number, LibraryTask>();
  for (const [key, task] of Object.entries(executor?.openTasks ?? {})) {
    const id = Number(key);
    if (Number.isInteger(id)) openTasks.set(id, task);
  }
  // Actions from the thrown state are plain JSON; from a returned state they are the library's
  // own objects (identity matters for de-duplication), so prefer the returned ones.
  const actions = flattenActions(state.actions);
  const base = { actions, openTasks, customStatus: state.customStatus };
  if (failure !== undefined) return { ...base, status: 'failed', error: failure };
  if (state.isDone) {
    const continueAsNew = actions.some((a) => a.actionType === ActionType.ContinueAsNew);
    return { ...base, status: continueAsNew ? 'continuedAsNew' : 'completed', output: state.output };
  }
  return { ...base, status: 'running' };
}
