/**
 * The content of one simulated registry: repositories, tags, manifests (kept as the exact bytes
 * served, so `Docker-Content-Digest` is the real sha256 of what the client receives) and blobs.
 *
 * A push builds what `docker buildx build --push` would leave behind: per platform a config blob
 * (`os`/`architecture`, plus the push number and time so every push gets a new digest) and one
 * layer, an image manifest, and for several platforms an OCI image index over them.
 */
import { createHash } from 'node:crypto';

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export interface StoredManifest {
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Buffer;
  readonly createdTime: string;
  /** Set on image manifests: the platform their config names. */
  readonly platform?: { os: string; architecture: string; variant?: string };
  /** Set on indexes: the child manifests. */
  readonly references?: ReadonlyArray<{ digest: string; os: string; architecture: string }>;
  /** Config + layers (image) or the sum over children (index). */
  readonly imageSize: number;
}

/** Blobs are either stored bytes (configs) or synthesised on demand (layers, which can be large). */
type StoredBlob = { kind: 'bytes'; bytes: Buffer } | { kind: 'synthetic'; seed: string; size: number };

export interface PushRequest {
  readonly repository: string;
  readonly tag: string;
  /** `os/architecture[/variant]`; default `['linux/amd64']`. */
  readonly platforms?: readonly string[];
  /** Layer size per platform, bytes (default 2 MiB). */
  readonly sizeBytes?: number;
  /** Force an index even for one platform (buildx does this with attestations). */
  readonly index?: boolean;
  /** Written into the config's labels, so the image "carries" its behaviour. */
  readonly behaviour?: string;
}

export interface PushResult {
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  /** Digest of each platform's image manifest (`linux/amd64` → digest). */
  readonly platformDigests: Readonly<Record<string, string>>;
}

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

const SYNTHETIC_CHUNK = 64 * 1024;

/** Deterministic layer bytes: a 64 KiB block derived from the seed, repeated to `size`. */
export function* syntheticBlobChunks(seed: string, size: number): Generator<Buffer> {
  const block = Buffer.alloc(SYNTHETIC_CHUNK);
  for (let offset = 0; offset < SYNTHETIC_CHUNK; offset += 32) {
    createHash('sha256').update(`${seed}:${offset}`).digest().copy(block, offset);
  }
  for (let sent = 0; sent < size; sent += SYNTHETIC_CHUNK) yield block.subarray(0, Math.min(SYNTHETIC_CHUNK, size - sent));
}

function syntheticDigest(seed: string, size: number): string {
  const hash = createHash('sha256');
  for (const chunk of syntheticBlobChunks(seed, size)) hash.update(chunk);
  return `sha256:${hash.digest('hex')}`;
}

export function parsePlatform(value: string): { os: string; architecture: string; variant?: string } {
  const [os, architecture, variant] = value.split('/');
  if (!os || !architecture) throw new Error(`platform '${value}' is not os/architecture[/variant]`);
  return variant ? { os, architecture, variant } : { os, architecture };
}

export class RegistryStore {
  private readonly manifests = new Map<string, Map<string, StoredManifest>>();
  private readonly tags = new Map<string, Map<string, { digest: string; createdTime: string; lastUpdateTime: string }>>();
  private readonly blobs = new Map<string, StoredBlob>();
  private pushCount = 0;

  constructor(readonly loginServer: string) {}

  repositories(): string[] {
    return [...this.tags.keys()].sort();
  }

  listTags(repository: string): string[] | undefined {
    const tags = this.tags.get(repository);
    return tags ? [...tags.keys()].sort() : undefined;
  }

  tagProperties(repository: string, tag: string) {
    return this.tags.get(repository)?.get(tag);
  }

  tagsOf(repository: string, digest: string): string[] {
    return [...(this.tags.get(repository) ?? new Map<string, { digest: string }>()).entries()]
      .filter(([, value]) => value.digest === digest)
      .map(([name]) => name);
  }

  /** A manifest by tag or digest. */
  manifest(repository: string, reference: string): StoredManifest | undefined {
    const byDigest = this.manifests.get(repository);
    if (!byDigest) return undefined;
    if (reference.startsWith('sha256:')) return byDigest.get(reference);
    const tag = this.tags.get(repository)?.get(reference);
    return tag ? byDigest.get(tag.digest) : undefined;
  }

  blob(digest: string): { size: number; chunks: () => Iterable<Buffer> } | undefined {
    const blob = this.blobs.get(digest);
    if (!blob) return undefined;
    if (blob.kind === 'bytes') return { size: blob.bytes.length, chunks: () => [blob.bytes] };
    return { size: blob.size, chunks: () => syntheticBlobChunks(blob.seed, blob.size) };
  }

  push(request: PushRequest, now: Date = new Date()): PushResult {
    const pushNumber = ++this.pushCount;
    const created = now.toISOString();
    const platforms = (request.platforms?.length ? request.platforms : ['linux/amd64']).map(parsePlatform);
    const layerSize = request.sizeBytes ?? 2 * 1024 * 1024;
    const useIndex = platforms.length > 1 || request.index === true;
    const images = platforms.map((platform) => this.storeImage(request, platform, layerSize, pushNumber, created, useIndex));
    const platformDigests: Record<string, string> = {};
    for (const image of images) platformDigests[formatPlatform(image.platform!)] = image.digest;
    let top: StoredManifest;
    if (useIndex) {
      const body = {
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociIndex,
        manifests: images.map((image) => ({
          mediaType: image.mediaType,
          digest: image.digest,
          size: image.bytes.length,
          platform: image.platform,
        })),
      };
      const bytes = Buffer.from(JSON.stringify(body));
      top = {
        digest: sha256Digest(bytes),
        mediaType: MEDIA_TYPES.ociIndex,
        bytes,
        createdTime: created,
        references: images.map((image) => ({ digest: image.digest, os: image.platform!.os, architecture: image.platform!.architecture })),
        imageSize: images.reduce((sum, image) => sum + image.imageSize, 0),
      };
      this.putManifest(request.repository, top);
    } else {
      top = images[0];
    }
    const repoTags = this.tags.get(request.repository) ?? new Map();
    const previous = repoTags.get(request.tag);
    repoTags.set(request.tag, { digest: top.digest, createdTime: previous?.createdTime ?? created, lastUpdateTime: created });
    this.tags.set(request.repository, repoTags);
    return { repository: request.repository, tag: request.tag, digest: top.digest, mediaType: top.mediaType, size: top.bytes.length, platformDigests };
  }

  private storeImage(
    request: PushRequest,
    platform: { os: string; architecture: string; variant?: string },
    layerSize: number,
    pushNumber: number,
    created: string,
    oci: boolean,
  ): StoredManifest {
    const layerSeed = `${this.loginServer}/${request.repository}:${request.tag}#${pushNumber}/${formatPlatform(platform)}`;
    const layerDigest = syntheticDigest(layerSeed, layerSize);
    this.blobs.set(layerDigest, { kind: 'synthetic', seed: layerSeed, size: layerSize });
    const config = {
      ...platform,
      created,
      config: {
        Labels: {
          'org.opencontainers.image.ref.name': request.tag,
          'io.harbormaster.sim.push': String(pushNumber),
          ...(request.behaviour ? { 'io.harbormaster.sim.behaviour': request.behaviour } : {}),
        },
      },
      rootfs: { type: 'layers', diff_ids: [layerDigest] },
      history: [{ created, created_by: `harbormaster-sim push ${request.repository}:${request.tag}` }],
    };
    const configBytes = Buffer.from(JSON.stringify(config));
    const configDigest = sha256Digest(configBytes);
    this.blobs.set(configDigest, { kind: 'bytes', bytes: configBytes });
    const mediaType = oci ? MEDIA_TYPES.ociManifest : MEDIA_TYPES.dockerManifest;
    const body = {
      schemaVersion: 2,
      mediaType,
      config: { mediaType: oci ? MEDIA_TYPES.ociConfig : MEDIA_TYPES.dockerConfig, size: configBytes.length, digest: configDigest },
      layers: [{ mediaType: oci ? MEDIA_TYPES.ociLayer : MEDIA_TYPES.dockerLayer, size: layerSize, digest: layerDigest }],
    };
    const bytes = Buffer.from(JSON.stringify(body));
    const manifest: StoredManifest = {
      digest: sha256Digest(bytes),
      mediaType,
      bytes,
      createdTime: created,
      platform,
      imageSize: configBytes.length + layerSize,
    };
    this.putManifest(request.repository, manifest);
    return manifest;
  }

  private putManifest(repository: string, manifest: StoredManifest): void {
    const byDigest = this.manifests.get(repository) ?? new Map<string, StoredManifest>();
    byDigest.set(manifest.digest, manifest);
    this.manifests.set(repository, byDigest);
  }
}

export function formatPlatform(platform: { os: string; architecture: string; variant?: string }): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}
