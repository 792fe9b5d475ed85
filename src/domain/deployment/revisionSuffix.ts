/**
 * The revision suffix a deployment uses. It is derived from the deployment (not random), so
 * a replayed or restarted step addresses the same revision instead of creating another.
 * Container Apps: lowercase letters, digits and '-', starting with a letter; the revision
 * name `<app>--<suffix>` must stay within 64 characters.
 */
export function revisionSuffixFor(deploymentId: string, digest: string): string {
  const digestPart = digest.replace(/^sha256:/, '').slice(0, 8).toLowerCase();
  const idPart = deploymentId.toLowerCase().replace(/[^a-z0-9]/g, '').slice(-6);
  return `hm-${digestPart}-${idPart}`;
}

/**
 * The suffix of the revision a rollback creates in single-revision mode, re-applying an
 * earlier release's image: derived from the rollback (or failed deployment) and the digest it
 * restores, so a retried step finds the revision it already created.
 */
export function restoreSuffixFor(deploymentId: string, digest: string): string {
  return revisionSuffixFor(deploymentId, digest).replace(/^hm-/, 'rb-');
}
