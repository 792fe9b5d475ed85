/**
 * Deployment ids name their app and the second they were requested: `<app>-<yyyymmddhhmmss>-<nonce>`
 * (the nonce tells apart requests of one app in one second). They are orchestration instance ids
 * and the key of the deployment's record, so a record is found from its id alone, with no scan.
 * A deployment's orchestration runs as its id; the orchestrations it starts run as `<id>:<what>`
 * (`:health`, `:health:3`, `:backup`, ...).
 */

export interface DeploymentIdParts {
  readonly app: string;
  /** `yyyymmddhhmmss`, UTC. */
  readonly second: string;
  readonly nonce: string;
}

const ID = /^([a-z0-9][a-z0-9-]*)-(\d{14})-([0-9a-z]{1,32})$/;

export function newDeploymentId(app: string, at: Date, nonce: string): string {
  return `${app}-${deploymentSecond(at)}-${nonce}`;
}

/** The second of `at` as ids carry it: `yyyymmddhhmmss`, UTC. */
export function deploymentSecond(at: Date): string {
  return at.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** The parts of an id made by `newDeploymentId`; undefined for anything else. */
export function parseDeploymentId(id: string): DeploymentIdParts | undefined {
  const match = ID.exec(id);
  return match ? { app: match[1], second: match[2], nonce: match[3] } : undefined;
}

/**
 * The deployment an orchestration instance works for: the instance is the deployment's own
 * (`<id>`) or one it started (`<id>:<what>`). Undefined for an instance of anything else.
 */
export function deploymentIdOfInstance(instanceId: string | undefined): string | undefined {
  if (!instanceId) return undefined;
  const id = instanceId.split(':', 1)[0];
  return parseDeploymentId(id) ? id : undefined;
}
