/**
 * What each image does when it runs, shared by the registry (which records behaviours on push),
 * the Container Apps module (which runs revisions) and the Jobs module (which runs executions).
 *
 * Lookup order for a reference: the catalog (exact reference, then without the registry host),
 * then a behaviour named in the tag (`app:v2-unhealthy`, `app:slow-start-10`), then `healthy`.
 */

export type BehaviourKind =
  | 'healthy' // GET /health -> 200 {"status":"ok"}
  | 'healthy-checks' // 200 {"status":"healthy","checks":{"db":"pass",...}}
  | 'degraded' // 200 {"status":"degraded","checks":{...,"cache":"fail"}}
  | 'unhealthy' // 503 {"status":"unhealthy","checks":{"db":"fail"}}
  | 'slow-start' // nothing listening for `seconds`, then healthy
  | 'crash-loop' // exits shortly after start, over and over
  | 'flapping' // alternates healthy / unhealthy every `seconds` (default 2)
  | 'hanging' // accepts connections, never answers
  | 'errors-after-traffic' // healthy /health; every 5th ordinary request (20 %) answers 500
  | 'slow' // healthy; ordinary requests take three times as long as every other image's (p95 three times the stable's)
  | 'no-traffic'; // healthy; its users stay away: the ingress routes the app's users around it and their requests never come

export const BEHAVIOUR_KINDS: readonly BehaviourKind[] = [
  'healthy-checks',
  'unhealthy',
  'healthy',
  'degraded',
  'slow-start',
  // After slow-start: the tag `v2-slow-start-5` names slow-start, not slow.
  'slow',
  'no-traffic',
  'crash-loop',
  'flapping',
  'hanging',
  'errors-after-traffic',
];

export interface ImageBehaviour {
  readonly kind: BehaviourKind;
  /** slow-start: seconds before listening; flapping: half-period in seconds. */
  readonly seconds?: number;
}

export interface ImageRecord {
  /** e.g. `myregistry.azurecr.io/shop/api:2.1.0` or `shop/api@sha256:...`. */
  readonly imageRef: string;
  /** Other references to the same image (its digest form, other tags). */
  readonly aliases?: readonly string[];
  readonly behaviour?: ImageBehaviour;
  /** Free-form data other modules attach (the Jobs module: the image's migration behaviour). */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export interface ImageCatalog {
  /** The behaviour recorded for this reference, if any (no tag-name fallback; see resolveBehaviour). */
  behaviourOf(imageRef: string): ImageBehaviour | undefined;
  /** The metadata recorded for this reference, if any. */
  metadataOf(imageRef: string): Readonly<Record<string, unknown>> | undefined;
  /** Records (or replaces) an image under its reference and aliases. */
  record(entry: ImageRecord): void;
}

export class InMemoryImageCatalog implements ImageCatalog {
  private readonly entries = new Map<string, ImageRecord>();

  behaviourOf(imageRef: string): ImageBehaviour | undefined {
    return this.lookup(imageRef)?.behaviour;
  }

  metadataOf(imageRef: string): Readonly<Record<string, unknown>> | undefined {
    return this.lookup(imageRef)?.metadata;
  }

  record(entry: ImageRecord): void {
    for (const ref of [entry.imageRef, ...(entry.aliases ?? [])]) {
      this.entries.set(normaliseRef(ref), entry);
      this.entries.set(withoutRegistry(normaliseRef(ref)), entry);
    }
  }

  private lookup(imageRef: string): ImageRecord | undefined {
    const ref = normaliseRef(imageRef);
    return this.entries.get(ref) ?? this.entries.get(withoutRegistry(ref));
  }
}

/** The behaviour for an image: catalog, else named in its tag, else healthy. */
export function resolveBehaviour(catalog: ImageCatalog | undefined, imageRef: string): ImageBehaviour {
  return catalog?.behaviourOf(imageRef) ?? behaviourFromImageRef(imageRef) ?? { kind: 'healthy' };
}

/** A behaviour named in the tag (or last path segment): `api:v2-slow-start-5`, `api:crash-loop`. */
export function behaviourFromImageRef(imageRef: string): ImageBehaviour | undefined {
  const ref = imageRef.split('@')[0];
  const lastSegment = ref.slice(ref.lastIndexOf('/') + 1);
  const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : lastSegment;
  return findBehaviour(tag.toLowerCase());
}

/** Parses `healthy`, `slow-start:5`, `slow-start=5`, `slow-start-5`, `flapping:3`; throws on anything else. */
export function parseBehaviour(spec: string): ImageBehaviour {
  const text = spec.trim().toLowerCase();
  const match = /^([a-z-]+?)(?:[:=-](\d+(?:\.\d+)?))?$/.exec(text);
  const kind = match?.[1] as BehaviourKind | undefined;
  if (!match || !kind || !BEHAVIOUR_KINDS.includes(kind)) {
    throw new Error(`Unknown behaviour '${spec}'. Known: ${BEHAVIOUR_KINDS.join(', ')} (slow-start:N, flapping:N take seconds).`);
  }
  return match[2] !== undefined ? { kind, seconds: Number(match[2]) } : { kind };
}

function findBehaviour(text: string): ImageBehaviour | undefined {
  for (const kind of BEHAVIOUR_KINDS) {
    const at = findToken(text, kind);
    if (at < 0) continue;
    const rest = /^[-_.]?(\d+)/.exec(text.slice(at + kind.length));
    return rest ? { kind, seconds: Number(rest[1]) } : { kind };
  }
  return undefined;
}

/** Index of `word` in `text` bounded by start/end or separators (so `unhealthy` does not match `healthy`). */
function findToken(text: string, word: string): number {
  let from = 0;
  for (;;) {
    const at = text.indexOf(word, from);
    if (at < 0) return -1;
    const before = at === 0 ? '' : text[at - 1];
    const after = text[at + word.length] ?? '';
    if ((before === '' || /[-_.]/.test(before)) && (after === '' || /[-_.\d]/.test(after))) return at;
    from = at + 1;
  }
}

function normaliseRef(ref: string): string {
  return ref.trim().toLowerCase();
}

function withoutRegistry(ref: string): string {
  const slash = ref.indexOf('/');
  if (slash < 0) return ref;
  const first = ref.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? ref.slice(slash + 1) : ref;
}
