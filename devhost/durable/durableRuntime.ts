/**
 * The engine assembled: the task hub store, the two queue pumps, the orchestration engine and
 * the activity runner, with the operations the Durable client API offers (start, status,
 * query, raise event, terminate, suspend, resume, purge) and `waitForInstance` for tests.
 */
import type { HostContext } from '../extension';
import { EventType, newEvent, parseJsonText, TERMINAL_STATUSES, toJsonText, type HistoryEvent, type RuntimeStatus } from './history';
import { KeyedBatcher, Semaphore } from './concurrency';
import { QueuePump } from './queuePump';
import { OrchestrationEngine } from './orchestrationEngine';
import { ActivityRunner, WORK_ITEM_VISIBILITY_SECONDS } from './activityRunner';
import { controlMessage, isTerminal, newExecutionId } from './instanceState';
import { TaskHubStore, type ControlMessage, type InstanceQuery, type InstanceRecord, type ReceivedMessage } from './taskHubStore';

/** Redelivery delay of a control message taken by a process that died. */
const CONTROL_VISIBILITY_SECONDS = 10;
const MAX_HELD_CONTROL_MESSAGES = 256;

export interface DurableRuntimeOptions {
  hubName: string;
  maxConcurrentActivityFunctions: number;
  maxConcurrentOrchestratorFunctions: number;
  log(message: string): void;
}

export interface StatusOptions {
  showHistory?: boolean;
  showHistoryOutput?: boolean;
  showInput?: boolean;
}

/** The status object the Durable HTTP API returns (what `DurableOrchestrationStatus` is built from). */
export interface InstanceStatus {
  name: string;
  instanceId: string;
  runtimeStatus: RuntimeStatus;
  input: unknown;
  customStatus: unknown;
  output: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  history?: unknown[];
}

export class StartConflictError extends Error {}
export class UnknownOrchestratorError extends Error {}

export class DurableRuntime {
  readonly store: TaskHubStore;
  readonly engine: OrchestrationEngine;
  private readonly activities: ActivityRunner;
  private readonly orchestratorSlots: Semaphore;
  private readonly activitySlots: Semaphore;
  private readonly batcher: KeyedBatcher<ReceivedMessage<ControlMessage>>;
  private readonly controlPump: QueuePump<ReceivedMessage<ControlMessage>>;
  private readonly workPump: QueuePump<ReceivedMessage<unknown>>;
  private heldControl = 0;
  private runningActivities = new Set<Promise<void>>();
  private readonly waiters = new Set<(record: InstanceRecord) => void>();

  constructor(private readonly host: HostContext, private readonly options: DurableRuntimeOptions) {
    this.store = new TaskHubStore(host.storageConnectionString, options.hubName);
    this.engine = new OrchestrationEngine(host, this.store, {
      controlSent: () => this.controlPump.nudge(),
      workItemSent: () => this.workPump.nudge(),
      instanceChanged: (record) => this.waiters.forEach((w) => w(record)),
      log: options.log,
    });
    this.activities = new ActivityRunner(host, this.store, this.engine, () => this.controlPump.nudge());
    this.orchestratorSlots = new Semaphore(options.maxConcurrentOrchestratorFunctions);
    this.activitySlots = new Semaphore(options.maxConcurrentActivityFunctions);
    this.batcher = new KeyedBatcher(
      (instanceId, messages) =>
        this.orchestratorSlots
          .run(() => this.engine.processBatch(instanceId, messages))
          .finally(() => {
            this.heldControl -= messages.length;
            this.controlPump.capacityFreed();
          }),
      (instanceId, err) => options.log(`instance ${instanceId}: episode failed, its messages will be redelivered: ${err instanceof Error ? err.stack ?? err.message : String(err)}`),
    );
    this.controlPump = new QueuePump({
      name: 'control',
      receive: (max) => this.store.receiveControl(max, CONTROL_VISIBILITY_SECONDS),
      capacity: () => Math.min(32, MAX_HELD_CONTROL_MESSAGES - this.heldControl),
      handle: (message) => {
        this.heldControl += 1;
        this.batcher.add(message.body.instanceId, message);
      },
      onError: (err) => options.log(`control queue: ${String(err)}`),
    });
    this.workPump = new QueuePump({
      name: 'workitems',
      receive: (max) => this.store.receiveWorkItems(max, WORK_ITEM_VISIBILITY_SECONDS),
      capacity: () => this.activitySlots.available - this.pendingActivityStarts,
      handle: (message) => this.startActivity(message as Parameters<ActivityRunner['run']>[0]),
      onError: (err) => options.log(`work-item queue: ${String(err)}`),
    });
  }

  private pendingActivityStarts = 0;

  get episodes(): number {
    return this.engine.episodes;
  }

  get activityExecutions(): number {
    return this.activities.executions;
  }

  async start(): Promise<void> {
    await this.store.createIfNotExists();
    // Resume every instance that was not finished when the last process stopped.
    const unfinished = await this.store.listInstances({ runtimeStatus: ['Pending', 'Running', 'Suspended'] });
    for (const record of unfinished) {
      const state = await this.engine.load(record.instanceId);
      if (state) await this.engine.recover(state);
    }
    this.controlPump.start();
    this.workPump.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.controlPump.stop(), this.workPump.stop()]);
    this.engine.cancelAllTimers();
    await this.batcher.whenIdle();
    await Promise.all([...this.runningActivities]);
  }

  private startActivity(message: Parameters<ActivityRunner['run']>[0]): void {
    this.pendingActivityStarts += 1;
    const run = this.activitySlots
      .run(() => {
        this.pendingActivityStarts -= 1;
        return this.activities.run(message);
      })
      .catch((err: unknown) => this.options.log(`activity ${message.body.name} (${message.body.instanceId}): ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        this.runningActivities.delete(run);
        this.workPump.capacityFreed();
      });
    this.runningActivities.add(run);
  }

  // ---- Client operations ----

  async startNew(name: string, instanceId: string, inputJson: string | undefined): Promise<void> {
    if (!this.engine.findFunction(name, 'orchestrationTrigger')) throw new UnknownOrchestratorError(`No orchestrator function named "${name}" is registered`);
    const existing = await this.store.getInstance(instanceId);
    if (existing && !isTerminal(existing)) throw new StartConflictError(`An instance with ID "${instanceId}" already exists and is ${existing.runtimeStatus}`);
    const now = this.host.clock.now();
    const executionId = newExecutionId();
    this.engine.forget(instanceId);
    await this.store.putInstance({ instanceId, name, executionId, runtimeStatus: 'Pending', input: inputJson, createdTime: now, lastUpdatedTime: now });
    const start = newEvent(EventType.ExecutionStarted, now, { Name: name, Input: inputJson });
    await this.store.sendControl(controlMessage(instanceId, start, executionId));
    this.controlPump.nudge();
  }

  /** Sends an event of the given type; false if there is no such instance, 'gone' if it finished. */
  async send(instanceId: string, event: HistoryEvent): Promise<boolean | 'gone'> {
    const record = await this.store.getInstance(instanceId);
    if (!record) return false;
    if (isTerminal(record)) return 'gone';
    await this.store.sendControl(controlMessage(instanceId, event));
    this.controlPump.nudge();
    return true;
  }

  raiseEvent(instanceId: string, eventName: string, inputJson: string | undefined): Promise<boolean | 'gone'> {
    return this.send(instanceId, newEvent(EventType.EventRaised, this.host.clock.now(), { Name: eventName, Input: inputJson }));
  }

  terminate(instanceId: string, reason: string): Promise<boolean | 'gone'> {
    return this.send(instanceId, newEvent(EventType.ExecutionTerminated, this.host.clock.now(), { Input: toJsonText(reason) }));
  }

  suspend(instanceId: string, reason: string): Promise<boolean | 'gone'> {
    return this.send(instanceId, newEvent(EventType.ExecutionSuspended, this.host.clock.now(), { Reason: reason }));
  }

  resume(instanceId: string, reason: string): Promise<boolean | 'gone'> {
    return this.send(instanceId, newEvent(EventType.ExecutionResumed, this.host.clock.now(), { Reason: reason }));
  }

  async getStatus(instanceId: string, options: StatusOptions = {}): Promise<InstanceStatus | undefined> {
    const record = await this.store.getInstance(instanceId);
    if (!record) return undefined;
    const status = this.toStatus(record, options.showInput ?? true);
    if (options.showHistory) {
      const history = await this.store.readHistory(instanceId, record.executionId);
      status.history = history.map((e) => presentHistoryEvent(e, options.showHistoryOutput ?? false));
    }
    return status;
  }

  async listStatuses(query: InstanceQuery, showInput: boolean): Promise<InstanceStatus[]> {
    return (await this.store.listInstances(query)).map((r) => this.toStatus(r, showInput));
  }

  async purge(instanceId: string): Promise<boolean> {
    const record = await this.store.getInstance(instanceId);
    if (!record || !isTerminal(record)) return false;
    this.engine.forget(instanceId);
    return this.store.purgeInstance(instanceId);
  }

  async purgeBy(query: InstanceQuery): Promise<number> {
    const statuses = query.runtimeStatus?.length ? query.runtimeStatus : TERMINAL_STATUSES;
    const records = (await this.store.listInstances({ ...query, runtimeStatus: [...statuses] })).filter(isTerminal);
    let deleted = 0;
    for (const r of records) if (await this.purge(r.instanceId)) deleted += 1;
    return deleted;
  }

  /** Resolves with the instance once it is Completed, Failed or Terminated. */
  async waitForInstance(instanceId: string, options: { timeoutMs?: number } = {}): Promise<InstanceRecord> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const current = await this.store.getInstance(instanceId);
    if (current && isTerminal(current)) return current;
    return new Promise((resolve, reject) => {
      const stopPolling = (): void => clearInterval(poll);
      const finish = (record: InstanceRecord): void => {
        clearTimeout(timer);
        stopPolling();
        this.waiters.delete(waiter);
        resolve(record);
      };
      const waiter = (record: InstanceRecord): void => {
        if (record.instanceId === instanceId && isTerminal(record)) finish(record);
      };
      const timer = setTimeout(() => {
        stopPolling();
        this.waiters.delete(waiter);
        reject(new Error(`Instance "${instanceId}" did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
      // Storage is the truth (another process may run the instance): poll it too, slowly, since
      // this process announces its own changes at once and many waiters would load Azurite.
      const poll = setInterval(() => {
        this.store.getInstance(instanceId).then((r) => r && waiter(r), () => undefined);
      }, 2000);
      this.waiters.add(waiter);
    });
  }

  private toStatus(record: InstanceRecord, showInput: boolean): InstanceStatus {
    return {
      name: record.name,
      instanceId: record.instanceId,
      runtimeStatus: record.runtimeStatus,
      input: showInput ? (parseJsonText(record.input) ?? null) : null,
      customStatus: parseJsonText(record.customStatus) ?? null,
      output: parseJsonText(record.output) ?? null,
      createdTime: record.createdTime.toISOString(),
      lastUpdatedTime: record.lastUpdatedTime.toISOString(),
    };
  }
}

/** History in the status API's shape (what the extension returns for showHistory). */
function presentHistoryEvent(e: HistoryEvent, showOutput: boolean): Record<string, unknown> {
  const names: Record<number, string> = {};
  for (const [k, v] of Object.entries(EventType)) names[v] = k;
  const out: Record<string, unknown> = { EventType: names[e.EventType], Timestamp: e.Timestamp.toISOString() };
  if (e.EventId >= 0) out.EventId = e.EventId;
  if (e.Name !== undefined) out.Name = e.Name;
  if (e.TaskScheduledId !== undefined) out.TaskScheduledId = e.TaskScheduledId;
  if (e.TimerId !== undefined) out.TimerId = e.TimerId;
  if (e.FireAt !== undefined) out.FireAt = e.FireAt.toISOString();
  if (e.InstanceId !== undefined) out.InstanceId = e.InstanceId;
  if (e.OrchestrationStatus !== undefined) out.OrchestrationStatus = e.OrchestrationStatus;
  if (e.Reason !== undefined) out.Reason = e.Reason;
  if (showOutput && e.Result !== undefined) out.Result = parseJsonText(e.Result);
  if (e.Input !== undefined && (e.EventType === EventType.ExecutionStarted || showOutput)) out.Input = parseJsonText(e.Input);
  return out;
}
