/**
 * What the `durable-functions` library hands back from an orchestrator episode: the action
 * objects (its `ActionType` numbers) and, read from its executor after the call, the tasks
 * it is still waiting on with the sequence numbers it gave them. The sequence numbers are
 * the EventIds the history must use; reading them from the library (rather than predicting
 * them) keeps retries and long timers, which allocate ids as events arrive, exact.
 */
export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
  WhenAny: 11,
  WhenAll: 12,
  LockEntities: 13,
  ReleaseEntities: 14,
} as const;

export const actionTypeName = (type: number): string =>
  Object.entries(ActionType).find(([, n]) => n === type)?.[0] ?? `ActionType(${type})`;

export interface LibraryAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  fireAt?: Date;
  isCanceled?: boolean;
  externalEventName?: string;
  retryOptions?: {
    firstRetryIntervalInMilliseconds: number;
    maxNumberOfAttempts: number;
    backoffCoefficient?: number;
    maxRetryIntervalInMilliseconds?: number;
    retryTimeoutInMilliseconds?: number;
  };
  compoundActions?: LibraryAction[];
}

/** The library's task objects, as far as devhost reads them. */
export interface LibraryTask {
  id: number | string | false;
  actionObj: LibraryAction | string;
  parent?: LibraryTask & {
    children?: LibraryTask[];
    isWaitingOnTimer?: boolean;
    attemptNumber?: number;
    retryOptions?: LibraryAction['retryOptions'];
    innerTask?: LibraryTask;
  };
}

export interface LibraryExecutor {
  openTasks: Record<string, LibraryTask>;
}

/** Actions in the order the orchestrator created them, compound actions opened, each action once. */
export function flattenActions(actions: unknown): LibraryAction[] {
  const seen = new Set<LibraryAction>();
  const out: LibraryAction[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const action = value as LibraryAction;
    if (action.actionType === ActionType.WhenAll || action.actionType === ActionType.WhenAny) {
      visit(action.compoundActions ?? []);
      return;
    }
    if (seen.has(action)) return;
    seen.add(action);
    out.push(action);
  };
  visit(actions);
  return out;
}

/**
 * Input of a scheduling action as JSON text. The library already JSON-encodes string inputs
 * of activities and continue-as-new (`Utils.processInput`) and leaves other values as they are;
 * sub-orchestration inputs are never pre-encoded.
 */
export function actionInputJson(action: LibraryAction): string | undefined {
  const input = action.input;
  if (input === undefined) return undefined;
  const preEncoded =
    action.actionType === ActionType.CallActivity ||
    action.actionType === ActionType.CallActivityWithRetry ||
    action.actionType === ActionType.ContinueAsNew;
  if (preEncoded && typeof input === 'string') return input;
  return JSON.stringify(input);
}

export function describeAction(action: LibraryAction): string {
  const name = action.functionName ?? action.externalEventName;
  return name ? `${actionTypeName(action.actionType)} "${name}"` : actionTypeName(action.actionType);
}
