/**
 * Docker Hub repository webhooks (docs.docker.com/docker-hub/repos/manage/webhooks).
 * Docker Hub signs nothing and sends no delivery id and no digest:
 * - authentication is a secret in the webhook URL's query string (see `getPresentedSecret`);
 * - the digest must be resolved from the registry by tag before deploying, so it stays undefined;
 * - the delivery id is derived from what identifies the push (repository, tag, push time),
 *   so a repeated delivery of the same push gets the same id.
 * `callback_url` is legacy and no longer supported by Docker Hub; it is not read.
 */
import { createHash } from 'node:crypto';
import { omitUndefined } from './acrPushFields';
import type { PushParseResult } from './imagePushed';
import {
  asJsonObject,
  BODY_FIELD,
  catchInvalidField,
  InvalidFieldError,
  readRequiredObject,
  readRequiredString,
  REPOSITORY_RULE,
  TAG_RULE,
} from './untrustedFields';

export const DOCKER_HUB_REGISTRY = 'docker.io';

/** Unix seconds after year 2100 are not a push time. */
const MAX_PUSHED_AT_SECONDS = 4_102_444_800;

export function parseDockerHubWebhook(body: unknown): PushParseResult {
  return catchInvalidField((): PushParseResult => {
    const event = asJsonObject(body, BODY_FIELD);
    const pushData = readRequiredObject(event, 'push_data', '');
    const repositoryInfo = readRequiredObject(event, 'repository', '');
    const repository = readRequiredString(repositoryInfo, 'repo_name', 'repository', REPOSITORY_RULE);
    const tag = readRequiredString(pushData, 'tag', 'push_data', TAG_RULE);
    const pushedAtSeconds = pushData.pushed_at;
    if (pushedAtSeconds === undefined || pushedAtSeconds === null) throw new InvalidFieldError('push_data.pushed_at', 'is required');
    if (
      typeof pushedAtSeconds !== 'number' ||
      !Number.isSafeInteger(pushedAtSeconds) ||
      pushedAtSeconds < 0 ||
      pushedAtSeconds > MAX_PUSHED_AT_SECONDS
    ) {
      throw new InvalidFieldError('push_data.pushed_at', 'must be Unix seconds (a non-negative integer)');
    }
    const deliveryId = `dockerhub-${createHash('sha256').update(`${repository}\n${tag}\n${pushedAtSeconds}`).digest('hex').slice(0, 32)}`;
    return {
      kind: 'pushed',
      push: omitUndefined({
        source: 'dockerhub',
        deliveryId,
        registry: DOCKER_HUB_REGISTRY,
        repository,
        tag,
        pushedAt: new Date(pushedAtSeconds * 1000).toISOString(),
      }),
    };
  });
}
