/**
 * Durable wraps an activity's failure as "Activity function 'x' failed: <message>\n<stack>".
 * Records, alerts and status show the innermost message only: never a stack (file paths and
 * library internals are noise to an operator and may carry more than they should).
 */
export function activityFailureMessage(error: unknown): string {
  if (error instanceof Error) {
    const match = /Activity function '.*' failed: (.*)/s.exec(error.message);
    return (match ? match[1] : error.message).split('\n')[0].trim().slice(0, 500);
  }
  return String(error).slice(0, 500);
}
