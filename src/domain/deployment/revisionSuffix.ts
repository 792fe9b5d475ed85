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
