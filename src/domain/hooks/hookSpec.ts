/**
 * Hooks: the app's own code run at fixed points of a rollout (Flagger's webhooks, with
 * Container Apps Jobs besides HTTP). A deployment carries them in its input, like the rest of
 * the app's configuration.
 *
 *   pre-traffic     after the new revision is up at 0 %, before any user is routed to it: a smoke
 *                   test against the revision's own FQDN. A failure rolls back; no user saw it.
 *   post-promotion  once the new revision serves everything (after the bake, if any). Its outcome
 *                   is recorded and notified; it does not roll back a release that passed its gates.
 *   on-rollback     after a failed deployment's traffic went back to what served before.
 */

export type HookPhase = 'pre-traffic' | 'post-promotion' | 'on-rollback';
export const HOOK_PHASES: readonly HookPhase[] = ['pre-traffic', 'post-promotion', 'on-rollback'];

/** A Container Apps Job run with the new release's image; success is exit 0. */
export interface JobHookSpec {
  kind: 'job';
  name: string;
  phase: HookPhase;
  /** A job in the app's subscription and resource group. */
  jobName: string;
  /** Replaces the job container's command (undefined keeps the job's own). */
  command?: string[];
  args?: string[];
  /** The execution is stopped and the hook fails after this long. */
  timeoutSeconds: number;
}

/** An HTTP POST of the hook's JSON body, signed with HMAC-SHA256 when a secret is named. */
export interface HttpHookSpec {
  kind: 'http';
  name: string;
  phase: HookPhase;
  /** `{{revisionFqdn}}` is replaced by the new revision's own host name. */
  url: string;
  /** Key Vault secret whose value signs the body (`X-Harbormaster-Signature-256`). */
  secretName?: string;
  /** One try's timeout. */
  timeoutSeconds: number;
  /** Extra tries after a timeout, a network error, 408, 429 or 5xx. */
  retries: number;
}

export type HookSpec = JobHookSpec | HttpHookSpec;

/** What a hook says when it has run. */
export type HookOutcome = { ok: true; detail: string; execution?: string; link?: string } | { ok: false; reason: string; execution?: string; link?: string };

/** The JSON body an HTTP hook receives, and the variables a job hook's execution gets. */
export interface HookEvent {
  app: string;
  deploymentId: string;
  phase: HookPhase;
  hook: string;
  release: { tag?: string; digest: string; image: string };
  /** The release's revision (for on-rollback: the one rolled back). */
  revision: string;
  revisionFqdn?: string;
  /** What served before the deployment (what serves again after a rollback). */
  previousRevision?: string;
  /** on-rollback: why. */
  reason?: string;
}

export function hooksOf(hooks: readonly HookSpec[] | undefined, phase: HookPhase): HookSpec[] {
  return (hooks ?? []).filter((hook) => hook.phase === phase);
}

/** The environment a job hook's execution gets: the event, one variable per field. */
export function hookEnvironment(event: HookEvent): Record<string, string> {
  const env: Record<string, string> = {
    HARBORMASTER_APP: event.app,
    HARBORMASTER_DEPLOYMENT_ID: event.deploymentId,
    HARBORMASTER_PHASE: event.phase,
    HARBORMASTER_HOOK: event.hook,
    HARBORMASTER_RELEASE: event.release.tag ?? event.release.digest,
    HARBORMASTER_RELEASE_DIGEST: event.release.digest,
    HARBORMASTER_REVISION: event.revision,
  };
  if (event.revisionFqdn) env.HARBORMASTER_REVISION_FQDN = event.revisionFqdn;
  if (event.previousRevision) env.HARBORMASTER_PREVIOUS_REVISION = event.previousRevision;
  return env;
}

/** The portal page of a job's executions (Azure keeps their console logs in Log Analytics, linked from there). */
export function jobExecutionsLink(job: { subscriptionId: string; resourceGroup: string; name: string }): string {
  return `https://portal.azure.com/#resource/subscriptions/${job.subscriptionId}/resourceGroups/${job.resourceGroup}/providers/Microsoft.App/jobs/${job.name}/executionHistory`;
}
