/**
 * The one place that turns storage settings into the credential and the targets the Table and Blob
 * clients take: the Function app (src/composition), its backup services, the backup runner and the
 * restore CLI all build them here. A connection string (Azurite, or a key) needs no credential;
 * identity-based endpoints use the managed identity (its client id when one is named).
 */
import type { TokenCredential } from '@azure/core-auth';
import type { BlobTarget } from '../backupStore/backupBlobStore';
import type { StorageTarget } from '../storage/tables';
import { createCredential } from './credential';

export type StorageAccess =
  | { readonly kind: 'connectionString'; readonly connectionString: string }
  | { readonly kind: 'identity'; readonly blobServiceUri: string; readonly tableServiceUri: string; readonly clientId?: string };

export interface StorageTargets {
  readonly table: StorageTarget;
  readonly blob: BlobTarget;
}

export interface AzureAccess {
  /** The credential of every Azure client (ARM, Key Vault, Monitor). */
  readonly credential: TokenCredential;
  readonly storage: StorageTargets;
}

/**
 * `credentialKind` and `clientId` are the app's (HARBORMASTER_CREDENTIAL, AZURE_CLIENT_ID); storage
 * reached by identity may name its own client id (AzureWebJobsStorage__clientId), which then wins
 * for storage only.
 */
export function createAzureAccess(credentialKind: 'managed-identity' | 'local-dev', clientId: string | undefined, storage: StorageAccess): AzureAccess {
  const credential = createCredential(credentialKind, clientId);
  if (storage.kind === 'connectionString') {
    const target = { connectionString: storage.connectionString };
    return { credential, storage: { table: target, blob: target } };
  }
  const storageCredential = storage.clientId && storage.clientId !== clientId ? createCredential(credentialKind, storage.clientId) : credential;
  return {
    credential,
    storage: {
      table: { tableServiceUri: storage.tableServiceUri, credential: storageCredential },
      blob: { blobServiceUri: storage.blobServiceUri, credential: storageCredential },
    },
  };
}
