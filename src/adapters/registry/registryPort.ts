/** What the verify step needs from a container registry. */
export interface ImageManifestSummary {
  /** The digest the reference resolves to (of the index when multi-platform). */
  digest: string;
  mediaType: string;
  /** `os/architecture[/variant]` of every image in it. */
  platforms: string[];
  /** Compressed size (config + layers) of the image per platform. */
  sizeBytesByPlatform: Record<string, number>;
}

export interface RegistryPort {
  /** Resolves a tag or digest; undefined when the registry does not have it. */
  /** Every tag of the repository (OCI `tags/list`, following pagination). */
  listTags(registry: string, repository: string, options?: { abortSignal?: AbortSignal }): Promise<string[]>;
  getManifestSummary(registry: string, repository: string, reference: string, options?: { abortSignal?: AbortSignal }): Promise<ImageManifestSummary | undefined>;
}
