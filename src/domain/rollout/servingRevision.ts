/**
 * Which revision serves an app: the one function the status API, manual rollback, the
 * deployment pipeline and the health sweep all ask, so they cannot disagree.
 *
 * Multiple mode: the revision with the most traffic, when it has any (a revision at 0 % serves
 * nobody, however new). Single mode: Azure routes everything to the latest ready revision, so
 * that one serves whether or not the app has ingress (a worker has no traffic list at all).
 */
export interface ServingInput {
  activeRevisionsMode: 'Single' | 'Multiple';
  traffic: ReadonlyArray<{ revisionName: string; weight: number }>;
  latestRevisionName?: string;
  latestReadyRevisionName?: string;
}

export function servingRevision(app: ServingInput): string | undefined {
  const weighted = [...app.traffic].filter((t) => t.weight > 0).sort((a, b) => b.weight - a.weight);
  if (weighted.length > 0) return weighted[0].revisionName;
  if (app.activeRevisionsMode === 'Single') return app.latestReadyRevisionName ?? app.latestRevisionName;
  return undefined;
}

/** The digest (when pinned) and tag (when named) of an image reference `registry/repository[:tag][@digest]`. */
export function parseImageReference(image: string | undefined): { digest?: string; tag?: string } {
  if (!image) return {};
  const digest = /@(sha256:[a-f0-9]{64})$/i.exec(image)?.[1];
  const name = digest ? image.slice(0, image.length - digest.length - 1) : image;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  return { ...(digest ? { digest: digest.toLowerCase() } : {}), ...(colon > 0 ? { tag: name.slice(colon + 1) } : {}) };
}

/** The digest in a pinned image reference (`registry/repo@sha256:…`), lowercase; undefined for a tag. */
export function digestOfImage(image: string | undefined): string | undefined {
  return parseImageReference(image).digest;
}
