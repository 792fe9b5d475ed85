/**
 * Runs activity work items: invokes the registered activity with its input, then sends the
 * TaskCompleted / TaskFailed to the instance's control queue, and only then deletes the work
 * item. A work item whose completion is already recorded (or whose scheduling never committed,
 * or that this process already ran) is dropped without running.
 */
import type { HostContext } from '../extension';
import { activityCompleted, activityFailed } from './completionEvents';
import { EventType, completedScheduleIds, newEvent, parseJsonText } from './history';
import { controlMessage, isTerminal } from './instanceState';
import type { OrchestrationEngine } from './orchestrationEngine';
import type { ReceivedMessage, TaskHubStore, WorkItemMessage } from './taskHubStore';

export const WORK_ITEM_VISIBILITY_SECONDS = 10;
const RENEW_EVERY_MS = 4_000;

export class ActivityRunner {
  private readonly inFlight = new Set<string>();
  /** Work this process finished; guards against a redelivered copy whose completion is still queued. */
  private readonly finished = new Set<string>();
  executions = 0;

  constructor(
    private readonly host: HostContext,
    private readonly store: TaskHubStore,
    private readonly engine: OrchestrationEngine,
    private readonly onCompletionSent: () => void,
  ) {}

  async run(message: ReceivedMessage<WorkItemMessage>): Promise<void> {
    const item = message.body;
    const key = `${item.instanceId}|${item.executionId}|${item.eventId}`;
    if (this.inFlight.has(key) || this.finished.has(key) || !(await this.isStillWanted(item))) {
      if (!this.inFlight.has(key)) await this.store.deleteWorkItem(message);
      return;
    }
    this.inFlight.add(key);
    const renew = setInterval(() => {
      this.store.extendWorkItem(message, WORK_ITEM_VISIBILITY_SECONDS).catch(() => undefined);
    }, RENEW_EVERY_MS);
    try {
      const now = (): Date => this.host.clock.now();
      const fn = this.engine.findFunction(item.name, 'activityTrigger');
      let completion;
      if (!fn) {
        completion = newEvent(EventType.TaskFailed, now(), {
          TaskScheduledId: item.eventId,
          Reason: `The function '${item.name}' doesn't exist, is disabled, or is not an activity function.`,
          Details: '',
        });
      } else {
        this.executions += 1;
        try {
          const result = await this.host.invoke(fn, parseJsonText(item.input), { triggerMetadata: { instanceId: item.instanceId } });
          completion = activityCompleted(item.eventId, now(), result);
        } catch (err) {
          completion = activityFailed(item.eventId, now(), item.name, err);
        }
      }
      await this.store.sendControl(controlMessage(item.instanceId, completion, item.executionId));
      this.finished.add(key);
      this.onCompletionSent();
      await this.store.deleteWorkItem(message);
    } finally {
      clearInterval(renew);
      this.inFlight.delete(key);
    }
  }

  private async isStillWanted(item: WorkItemMessage): Promise<boolean> {
    const state = await this.engine.load(item.instanceId);
    if (!state || isTerminal(state.record) || state.record.executionId !== item.executionId) return false;
    const scheduled = state.history.some((e) => e.EventType === EventType.TaskScheduled && e.EventId === item.eventId);
    return scheduled && !completedScheduleIds(state.history).has(item.eventId);
  }
}
