/**
 * The activity boundary of a replay: a test says what each activity answers, as a function of
 * its input. Returning a value completes the activity (TaskCompleted); throwing fails it
 * (TaskFailed), worded as devhost words an activity's failure (devhost/durable/completionEvents.ts), so the
 * orchestrator's retries and its `activityFailureMessage` see what they see in Azure.
 */
import { activityCompleted, activityFailed } from '../../../devhost/durable/completionEvents';
import type { HistoryEvent } from '../../../devhost/durable/history';

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
    const event = activityCompleted(scheduledId, call.at, answer(call.input, call));
    return { event, result: JSON.parse(event.Result ?? 'null') as unknown };
  } catch (err) {
    return { event: activityFailed(scheduledId, call.at, call.name, err), failure: err instanceof Error ? err.message : String(err) };
  }
}
