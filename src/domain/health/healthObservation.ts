// What one read of an app's health endpoint tells us, in words the rest of Harbormaster shares.

/**
 * The outcome of one health-endpoint read.
 * - `healthy`: the app says it is fine (or answered 2xx/3xx without saying otherwise).
 * - `degraded`: the app says part of it is down (`"status":"degraded"`, or failing checks without a status)
 *   and the policy does not accept degraded as healthy.
 * - `unhealthy`: the app says it is down (`"status":"unhealthy"`), or answered 4xx/5xx.
 * - `unreachable`: no HTTP answer at all (timeout, refused, reset, DNS, TLS).
 * - `unknown`: an answer we cannot judge (no status recorded, a status outside 100–599).
 */
export type HealthOutcome = 'healthy' | 'degraded' | 'unhealthy' | 'unreachable' | 'unknown';

/** A check result: `pass`, `fail`, `warn`, or the app's own word (sanitized) when it is none of these. */
export type CheckResult = 'pass' | 'fail' | 'warn' | string;

export interface HealthObservation {
  outcome: HealthOutcome;
  /** Why, in one line; quotes at most a short sanitized excerpt of the body. */
  reason: string;
  /** Per-check results when the body carried any (names and values sanitized). */
  checks?: Record<string, CheckResult>;
  /** The HTTP status, when there was one. */
  httpStatus?: number;
  latencyMs?: number;
}

/** Transport failures a probe reports instead of a status. Any other string is accepted and quoted. */
export type ProbeError = 'timeout' | 'connection-refused' | 'connection-reset' | 'dns' | 'tls' | 'body-too-large';

/** What a probe of the health endpoint saw: the raw material for {@link parseHealthResponse}. */
export interface HealthProbeResponse {
  status: number | undefined;
  /** The body as read (already capped by the reader); undefined when none was read. */
  body: string | undefined;
  error?: ProbeError | (string & {});
  latencyMs?: number;
}

export interface HealthParsePolicy {
  /** A web app may answer `degraded` while a dependency (an AI service) is down; some apps accept that. */
  degradedIsHealthy: boolean;
}
