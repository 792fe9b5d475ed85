/**
 * Reads secrets (notification URLs, database connection strings) from Key Vault with the
 * real `@azure/keyvault-secrets` client, caching each for a few minutes so a sweep of
 * many apps does not read the same secret many times. Values are never logged.
 */
import type { TokenCredential } from '@azure/core-auth';
import { SecretClient } from '@azure/keyvault-secrets';
import { azureRequestTimeout } from '../azure/clientOptions';

export class SecretNotFoundError extends Error {
  constructor(name: string) {
    super(`Key Vault secret "${name}" was not found`);
    this.name = 'SecretNotFoundError';
  }
}

export interface KeyVaultReaderOptions {
  cacheTtlMs?: number;
  /** Local stack only: the vault is served from 127.0.0.1, not `*.vault.azure.net`. */
  disableChallengeResourceVerification?: boolean;
  tlsCa?: string[];
  /** Per-try timeout, ms (default: the one every Azure client has). */
  requestTimeoutMs?: number;
}

export class KeyVaultSecretReader {
  private readonly client: SecretClient;
  private readonly cache = new Map<string, { value: string; expiresAt: number }>();

  constructor(vaultUrl: string, credential: TokenCredential, private readonly options: KeyVaultReaderOptions = {}) {
    this.client = new SecretClient(vaultUrl, credential, {
      disableChallengeResourceVerification: options.disableChallengeResourceVerification,
      retryOptions: { maxRetries: 3, retryDelayInMs: 500, maxRetryDelayInMs: 10_000 },
      ...(options.tlsCa ? { tlsOptions: { ca: options.tlsCa } } : {}),
      additionalPolicies: [azureRequestTimeout(options.requestTimeoutMs)],
    });
  }

  readonly read = async (name: string): Promise<string> => {
    const cached = this.cache.get(name);
    if (cached && cached.expiresAt > Date.now()) return cached.value;
    try {
      const secret = await this.client.getSecret(name, { abortSignal: AbortSignal.timeout(10_000) });
      if (secret.value === undefined) throw new SecretNotFoundError(name);
      this.cache.set(name, { value: secret.value, expiresAt: Date.now() + (this.options.cacheTtlMs ?? 5 * 60_000) });
      return secret.value;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) throw new SecretNotFoundError(name);
      throw new Error(`Reading Key Vault secret "${name}" failed (${(error as { statusCode?: number }).statusCode ?? (error as { code?: string }).code ?? 'error'})`);
    }
  };
}
