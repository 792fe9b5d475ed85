// Pure health rules: no I/O, no SDK, no clock reads (time is passed in). Safe to import from orchestrators.
export type { HealthOutcome, CheckResult, HealthObservation, ProbeError, HealthProbeResponse, HealthParsePolicy } from './healthObservation';
export { MAX_EXCERPT_CHARS, sanitizeExcerpt } from './sanitizeExcerpt';
export { classifyStatusWord, readHealthBody, type StatusWordClass, type HealthBody } from './healthBody';
export { parseHealthResponse } from './parseHealthResponse';
export {
  judgePlatform,
  KNOWN_PROVISIONING_STATES,
  KNOWN_RUNNING_STATES,
  KNOWN_HEALTH_STATES,
  type PlatformOutcome,
  type PlatformJudgement,
  type RevisionStateReading,
  type PlatformJudgeOptions,
  type KnownProvisioningState,
  type KnownRunningState,
  type KnownHealthState,
} from './judgePlatform';
export {
  judgeHealthWait,
  startHealthWait,
  type HealthWaitVerdict,
  type IngressKind,
  type HealthWaitState,
  type HealthWaitObservation,
  type HealthWaitPolicy,
  type HealthWaitJudgement,
} from './judgeHealthWait';
export {
  judgeApp,
  DEFAULT_ALERT_THRESHOLDS,
  type AppHealthVerdict,
  type AlertSeverity,
  type SignalStatus,
  type SignalName,
  type SignalVerdict,
  type AppVerdict,
  type SignalReadError,
  type AppMetrics,
  type AppSignals,
  type AlertThresholds,
  type AppJudgeContext,
  type AwaitingFirstBackup,
} from './judgeApp';
export { SweepActivityNames, type SweepAppInput, type SweepAppResult } from './sweepContracts';
export { decideAlert, type AlertNotification, type AlertState, type AlertPolicy, type AlertDecision } from './decideAlert';
