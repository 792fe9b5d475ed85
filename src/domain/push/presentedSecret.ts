/**
 * Where each shared-secret source puts its secret. None of these senders signs its
 * payload, so the secret travels with the request and is compared with
 * `verifySharedSecret`. GitHub signs instead: see `verifyGitHubSignature`.
 *
 * - `acr`: ACR adds only the custom headers configured on the webhook, so configure
 *   `Authorization: Bearer <secret>` (or `Authorization: <secret>`). A `Bearer ` prefix is removed.
 * - `eventgrid`: the event subscription delivers a static header (delivery properties, marked
 *   secret): `Authorization: Bearer <secret>` as infra/ configures it, or the older
 *   `aeg-sas-key: <secret>`; or the endpoint URL can carry `?secret=<secret>`. `?code=` is
 *   accepted last because an anonymous-level function may use it; with function-key auth the
 *   Functions host consumes `code` itself.
 * - `dockerhub`: Docker Hub has no header settings, so the secret is in the webhook URL:
 *   `?secret=<secret>` (or `?code=`).
 * The first place that holds a non-empty value wins; the others are not consulted.
 */
import { headerValue, queryValue, type HeaderSource, type QuerySource } from './headerLookup';

export type SharedSecretSource = 'acr' | 'eventgrid' | 'dockerhub';

export interface PresentedCredentials {
  readonly headers?: HeaderSource;
  readonly query?: QuerySource;
}

export function getPresentedSecret(source: SharedSecretSource, request: PresentedCredentials): string | undefined {
  switch (source) {
    case 'acr':
      return nonEmpty(stripBearer(headerValue(request.headers, 'authorization')));
    case 'eventgrid':
      return (
        nonEmpty(stripBearer(headerValue(request.headers, 'authorization'))) ??
        nonEmpty(headerValue(request.headers, 'aeg-sas-key')) ??
        nonEmpty(queryValue(request.query, 'secret')) ??
        nonEmpty(queryValue(request.query, 'code'))
      );
    case 'dockerhub':
      return nonEmpty(queryValue(request.query, 'secret')) ?? nonEmpty(queryValue(request.query, 'code'));
  }
}

function stripBearer(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const match = /^bearer\s+(.*)$/i.exec(value);
  return match ? match[1] : value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
