/**
 * A TokenCredential that hands out a fixed local token, for talking to the local Azure simulators.
 * Product code selects it with HARBORMASTER_CREDENTIAL=local-dev; it has no simulator imports so it can
 * move to src/adapters unchanged. The simulators only check that a bearer token is present.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';

export const LOCAL_DEV_TOKEN = 'harbormaster-local-dev-token';

export class LocalDevCredential implements TokenCredential {
  /** Scopes requested so far, in order (lets tests see which audience an SDK asked for). */
  readonly requestedScopes: string[] = [];

  constructor(
    private readonly token: string = LOCAL_DEV_TOKEN,
    private readonly lifetimeMs: number = 60 * 60 * 1000,
  ) {}

  getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    this.requestedScopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
    const now = Date.now();
    return Promise.resolve({
      token: this.token,
      tokenType: 'Bearer',
      expiresOnTimestamp: now + this.lifetimeMs,
      refreshAfterTimestamp: now + this.lifetimeMs / 2,
    });
  }
}
