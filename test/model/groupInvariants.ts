/**
 * The invariants of release groups and deploy windows, as pure functions over what the checker
 * observed (modelObserver.ts):
 *
 * - `group-release-consistent`: no member of a group serves a release that another member's
 *   ledger shows rolled back (or failed) by the same group deployment; what a member serves is
 *   read from ARM, also for a member without ingress (its one active revision);
 * - `group-serving-agrees`: for a member without ingress, the ledger's serving revision is the
 *   one ARM has active (members with ingress are compared by `checkAgreement`);
 * - `deploy-inside-window`: a deployment of a windowed app or group goes past its window step
 *   (starts verifying) only inside the window, unless a person overrode it.
 */
import { TERMINAL, servingRevision, type AppObservation, type ArmAppView, type DeploymentView, type ReleaseView, type Violation } from './invariants';

const BAD = new Set(['failed', 'rolled-back']);

/**
 * What ARM serves: the revision with the most traffic; for an app without ingress in
 * single-revision mode (no traffic to read), its one active revision. Undefined when ARM does
 * not say (several active revisions in single-revision mode, no traffic).
 */
export function armServedRevision(arm: ArmAppView, hasIngress: boolean): string | undefined {
  const active = arm.revisions.filter((r) => r.active);
  if (!hasIngress && arm.mode === 'Single') return active.length === 1 ? active[0].name : undefined;
  return servingRevision(arm)?.name;
}

/**
 * Judged when the whole group is quiet (nothing running or queued for any member, before and after
 * the ARM read): while a group rolls back, members go back one after another, in reverse order.
 */
export function checkGroupConsistency(group: string, members: readonly AppObservation[]): Violation[] {
  const quiet = (m: AppObservation): boolean =>
    [[m.status, m.deployments], [m.statusAfter, m.deploymentsAfter]].every(
      ([status, deployments]) => !!status && !!deployments && (status as AppObservation['status'])!.running === undefined && (status as AppObservation['status'])!.queued.length === 0 && (deployments as DeploymentView[]).every((d) => TERMINAL.has(d.phase)),
    );
  if (!members.every(quiet)) return [];
  const violations: Violation[] = [];
  const ledgers = members.map((m) => (m.ledger && m.ledger !== 'absent' ? m.ledger.releases : undefined));
  members.forEach((member, i) => {
    const releases = ledgers[i];
    if (!member.arm || !releases) return;
    // What serves, from ARM: the revision with traffic, or in single-revision mode without ingress the active one.
    const served = armServedRevision(member.arm, member.hasIngress);
    const ledgerSays = member.ledger !== 'absent' ? member.ledger?.serving?.revisionName : undefined;
    if (!member.hasIngress && served !== ledgerSays) {
      violations.push({
        invariant: 'group-serving-agrees',
        app: member.app,
        detail: `ARM has ${served ?? '(no single active revision)'} active for ${member.app}; its ledger says ${ledgerSays ?? '(nothing)'} serves`,
      });
    }
    const release = releases.find((r) => r.revisionName === served);
    const from = release?.group?.deploymentId;
    if (!release || !from || release.forced) return;
    members.forEach((other, j) => {
      if (j === i) return;
      const undone = (ledgers[j] ?? []).find((r: ReleaseView) => r.group?.deploymentId === from && BAD.has(r.verdict));
      if (undone) {
        violations.push({
          invariant: 'group-release-consistent',
          app: member.app,
          detail: `${member.app} serves ${release.revisionName} of group ${group}'s deployment ${from}, which ${other.app} has ${undone.verdict} (${undone.revisionName})`,
        });
      }
    });
  });
  return violations;
}

/** A step of a deployment record as the API answers it. */
interface StepView {
  step: string;
  outcome: string;
  startedAt: string;
  endedAt?: string;
  detail?: string;
  member?: string;
}

/**
 * Every deployment that went past its window step did so inside the window (judged by `isOpen`,
 * the checker's own reading of the configured window), or was overridden by a person.
 */
export function checkDeployWindows(observation: AppObservation, isOpen: (atMs: number) => boolean): Violation[] {
  const violations: Violation[] = [];
  for (const deployment of (observation.deployments ?? []) as Array<DeploymentView & { steps?: StepView[] }>) {
    if (deployment.kind === 'rollback') continue;
    const steps = deployment.steps ?? [];
    const windows = steps.filter((s) => s.step === 'window');
    if (windows.some((s) => s.detail?.startsWith('overridden'))) continue;
    const verify = steps.find((s) => s.step === 'verify');
    if (!verify) continue;
    // When it waited, the (last) window step closed when the window was judged open; otherwise
    // verify opened in the same moment the window was judged. A deployment that waited for an
    // environment slot judges the window again when the slot is granted, as verify opens.
    const window = windows[windows.length - 1];
    const slotted = steps.some((s) => s.step === 'slot');
    const judgedAt = !slotted && window?.outcome === 'succeeded' ? (window.endedAt ?? window.startedAt) : verify.startedAt;
    if (!isOpen(Date.parse(judgedAt))) {
      violations.push({ invariant: 'deploy-inside-window', app: observation.app, detail: `${deployment.id} went past its window at ${judgedAt}, outside the window, without an override` });
    }
  }
  return violations;
}
