/**
 * The parts of an orchestration's input that an app's deployment and a release group's share:
 * the request's identity and image with the rollout code's version, and the schedule fields.
 */
import type { ManagedApp, ReleaseGroup } from '../../config';
import { ROLLOUT_VERSION, type DeploymentInput, type DeploymentRequest } from '../../domain/deployment';
import { toDeployCalendars, toSlotNeeds, type ScheduleConfig } from './toDeployCalendars';

export function imageOf(request: DeploymentRequest): DeploymentInput['image'] {
  return { registry: request.registry, repository: request.repository, tag: request.tag, digest: request.digest };
}

export function inputBase(request: DeploymentRequest): Pick<DeploymentInput, 'deploymentId' | 'image' | 'source' | 'requestedAt' | 'rolloutVersion'> {
  return { deploymentId: request.deploymentId, image: imageOf(request), source: request.source, requestedAt: request.receivedAt, rolloutVersion: ROLLOUT_VERSION };
}

/**
 * Windows and freezes, a person's override, deployment slots: only those that apply, so the
 * inputs of deployments without them stay as they were (and replay as they always did).
 */
export function scheduleFields(schedule: ScheduleConfig | undefined, apps: ReadonlyArray<ManagedApp>, request: DeploymentRequest, group?: ReleaseGroup): Pick<DeploymentInput, 'window' | 'override' | 'slots'> {
  const calendars = schedule ? toDeployCalendars(schedule, apps, group) : [];
  const slots = schedule ? toSlotNeeds(schedule, apps) : [];
  return {
    ...(calendars.length > 0 ? { window: { calendars } } : {}),
    ...(request.override ? { override: request.override } : {}),
    ...(slots.length > 0 ? { slots } : {}),
  };
}
