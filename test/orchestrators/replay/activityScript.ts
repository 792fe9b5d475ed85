/**
 * The activity boundary of a replay: a test says what each activity answers, as a function of
 * its input. Returning a value completes the activity (TaskCompleted); throwing fails it
 * (TaskFailed), worded as the Durable extension words an activity's failure, so the
 * orchestrator's retries and its `activityFailureMessage` see what they see in Azure.
 */
import { EventType, newEvent, toJsonText, type HistoryEvent } from '../../../devhost/durable/history';

/** One call of an activity, as the script sees it. */
export interface ActivityCall {
  name: string;
  /** The input after its JSON round trip, as the activity function receives it. */
  input: any;
  /** 1 for the first try; retries of `callActivityWithRetry` count up. */
  attempt: number;
  instanceId: string;
  /** The orchestration's time when the activity ran. */
  at: Date;
}

export type ActivityAnswer = (input: any, call: ActivityCall) => unknown;

/** Answers by activity name. An activity the script does not name stops the replay with an error. */
export type ActivityScript = Readonly<Record<string, ActivityAnswer>>;

/** The completion event of one activity run: its answer, or the failure it threw. */
export function answerActivity(script: ActivityScript, call: ActivityCall, scheduledId: number): { event: HistoryEvent; result?: unknown; failure?: string } {
  const answer = script[call.name];
  if (!answer) throw new Error(`the replay script has no answer for activity "${call.name}" (input ${JSON.stringify(call.input)})`);
  try {
    const result = answer(call.input, call);
    const json = toJsonText(result) ?? 'null';
    return { event: newEvent(EventType.TaskCompleted, call.at, { TaskScheduledId: scheduledId, Result: json }), result: JSON.parse(json) as unknown };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const event = newEvent(EventType.TaskFailed, call.at, {
      TaskScheduledId: scheduledId,
      Reason: `Activity function '${call.name}' failed: ${message}`,
      Details: err instanceof Error && err.stack ? err.stack : message,
    });
    return { event, failure: message };
  }
}
