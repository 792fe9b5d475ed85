/**
 * The job behaviour of an image (what its entrypoint does when a job runs it). Looked up like revision
 * behaviours: the image catalog first (the registry records `metadata.jobBehaviour` when an image is
 * pushed with `--behaviour migrate-*`), then a behaviour named in the tag (`migrator:v3-migrate-fail`).
 */
import type { ImageCatalog } from '../imageCatalog';
import { MIGRATION_BEHAVIOURS } from './migrationRunner';

/** The image catalog metadata key the registry and the jobs module share. */
export const JOB_BEHAVIOUR_METADATA_KEY = 'jobBehaviour';

export function jobBehaviourOf(catalog: ImageCatalog | undefined, image: string): string | undefined {
  const recorded = catalog?.metadataOf(image)?.[JOB_BEHAVIOUR_METADATA_KEY];
  if (typeof recorded === 'string') return recorded;
  const ref = image.split('@')[0];
  const lastSegment = ref.slice(ref.lastIndexOf('/') + 1);
  const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1).toLowerCase() : '';
  return MIGRATION_BEHAVIOURS.find((behaviour) => new RegExp(`(^|[-_.])${behaviour}($|[-_.])`).test(tag));
}
