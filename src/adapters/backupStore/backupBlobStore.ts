/**
 * Backup archives in a private blob container with the real `@azure/storage-blob` client.
 *
 * An archive is uploaded with `uploadStream`: fixed-size buffers staged as blocks, committed by one
 * Put Block List at the end. If the source stream errors, the list is never committed, so no blob
 * appears (Azure discards uncommitted blocks); any committed blob of a failed backup is deleted.
 * Blob metadata and index tags are set once the archive is verified.
 */
import type { TokenCredential } from '@azure/core-auth';
import { BlobServiceClient, type ContainerClient, type StoragePipelineOptions } from '@azure/storage-blob';
import type { Readable } from 'node:stream';

export type BlobTarget = { connectionString: string } | { blobServiceUri: string; credential: TokenCredential };

/** Upload block size and how many blocks are in flight: memory is about size × (concurrency + 1). */
export const UPLOAD_BLOCK_BYTES = 4 * 1024 * 1024;
export const UPLOAD_CONCURRENCY = 2;
const CALL_TIMEOUT_MS = 30_000;

export class BackupBlobStore {
  private readonly container: ContainerClient;
  private ensured: Promise<void> | undefined;

  constructor(target: BlobTarget, containerName: string) {
    const options: StoragePipelineOptions = { retryOptions: { maxTries: 4, tryTimeoutInMs: 5 * 60_000 } };
    const service =
      'connectionString' in target
        ? BlobServiceClient.fromConnectionString(target.connectionString, options)
        : new BlobServiceClient(target.blobServiceUri, target.credential, options);
    this.container = service.getContainerClient(containerName);
  }

  /** Creates the container (private: no public access) once. */
  ensureContainer(): Promise<void> {
    this.ensured ??= this.container
      .createIfNotExists({ abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS) })
      .then(() => undefined)
      .catch((error: unknown) => {
        this.ensured = undefined;
        throw error;
      });
    return this.ensured;
  }

  /** Streams `source` into a block blob; rejects (and commits nothing) when `source` errors. */
  async upload(blobName: string, source: Readable, metadata: Record<string, string>, abortSignal?: AbortSignal): Promise<void> {
    await this.ensureContainer();
    await this.container.getBlockBlobClient(blobName).uploadStream(source, UPLOAD_BLOCK_BYTES, UPLOAD_CONCURRENCY, {
      metadata,
      blobHTTPHeaders: { blobContentType: 'application/vnd.postgresql.custom-archive' },
      abortSignal,
    });
  }

  /** The archive as a stream (for verification and restore). */
  async download(blobName: string, abortSignal?: AbortSignal): Promise<{ stream: NodeJS.ReadableStream; sizeBytes: number }> {
    const response = await this.container.getBlobClient(blobName).download(0, undefined, { abortSignal, maxRetryRequests: 5 });
    if (!response.readableStreamBody) throw new Error(`Downloading ${blobName} returned no body`);
    return { stream: response.readableStreamBody, sizeBytes: response.contentLength ?? 0 };
  }

  async setMetadataAndTags(blobName: string, metadata: Record<string, string>, tags: Record<string, string>): Promise<void> {
    const blob = this.container.getBlobClient(blobName);
    await blob.setMetadata(metadata, { abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
    await blob.setTags(tags, { abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
  }

  async getMetadataAndTags(blobName: string): Promise<{ metadata: Record<string, string>; tags: Record<string, string> } | undefined> {
    const blob = this.container.getBlobClient(blobName);
    if (!(await blob.exists({ abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS) }))) return undefined;
    const properties = await blob.getProperties({ abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
    const tags = await blob.getTags({ abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
    return { metadata: properties.metadata ?? {}, tags: tags.tags };
  }

  async exists(blobName: string): Promise<boolean> {
    return this.container.getBlobClient(blobName).exists({ abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
  }

  /** Deletes the blob if present (and its snapshots). True when something was deleted. */
  async delete(blobName: string): Promise<boolean> {
    try {
      const result = await this.container
        .getBlobClient(blobName)
        .deleteIfExists({ deleteSnapshots: 'include', abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
      return result.succeeded;
    } catch (error) {
      // No container yet: nothing was ever uploaded, so there is nothing to remove.
      if ((error as { statusCode?: number }).statusCode === 404) return false;
      throw error;
    }
  }

  /** Names under `prefix` (a database's folder), for tests and audits. */
  async listNames(prefix: string): Promise<string[]> {
    const names: string[] = [];
    for await (const blob of this.container.listBlobsFlat({ prefix })) names.push(blob.name);
    return names;
  }
}
