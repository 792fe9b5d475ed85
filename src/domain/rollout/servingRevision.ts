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

/** The digest in a pinned image reference (`registry/repo@sha256:…`), lowercase; undefined for a tag. */
export function digestOfImage(image: string | undefined): string | undefined {
  const match = /@(sha256:[a-f0-9]{64})$/i.exec(image ?? '');
  return match ? match[1].toLowerCase() : undefined;
}
