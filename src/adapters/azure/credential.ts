/**
 * The credential every Azure client uses. In Azure: the function app's user-assigned
 * managed identity. On the local stack: a fixed development token that only the
 * simulators accept (they check a bearer token is present, as ARM does, not what it says).
 */
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { ManagedIdentityCredential } from '@azure/identity';

export class LocalDevCredential implements TokenCredential {
  async getToken(): Promise<AccessToken> {
    return { token: 'harbormaster-local-dev-token', expiresOnTimestamp: Date.now() + 60 * 60_000 };
  }
}

export function createCredential(kind: 'managed-identity' | 'local-dev', clientId?: string): TokenCredential {
  if (kind === 'local-dev') return new LocalDevCredential();
  return clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
}
