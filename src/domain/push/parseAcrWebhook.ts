/**
 * Azure Container Registry webhooks (container-registry-webhook-reference).
 * ACR signs nothing and adds no headers of its own: authentication is a custom header the
 * user configures (see `getPresentedSecret`), checked before this parser runs.
 */
import { readAcrPushFields } from './acrPushFields';
import type { HeaderSource } from './headerLookup';
import type { PushParseResult } from './imagePushed';
import { asJsonObject, BODY_FIELD, catchInvalidField, DELIVERY_ID_RULE, KEYWORD_RULE, readRequiredString } from './untrustedFields';

/** Actions ACR sends that never deploy, with why. */
const IGNORED_ACR_ACTIONS: Readonly<Record<string, string>> = {
  delete: 'ACR action "delete": an image was deleted, nothing to deploy',
  chart_push: 'ACR action "chart_push": a Helm chart, not a container image',
  chart_delete: 'ACR action "chart_delete": a Helm chart was deleted',
  quarantine: 'ACR action "quarantine": the image is quarantined and not yet released',
  ping: 'ACR action "ping": a test delivery',
};

/**
 * `push` → `ImagePushed`; the known non-push actions → ignored with a reason; an action
 * this code does not know → ignored too (ACR may add actions; they must not fail the hook).
 * Headers are accepted for the common parser signature: ACR's only headers carry auth.
 */
export function parseAcrWebhook(body: unknown, _headers?: HeaderSource): PushParseResult {
  return catchInvalidField((): PushParseResult => {
    const event = asJsonObject(body, BODY_FIELD);
    const action = readRequiredString(event, 'action', '', KEYWORD_RULE);
    if (action !== 'push') {
      const reason = Object.prototype.hasOwnProperty.call(IGNORED_ACR_ACTIONS, action) ? IGNORED_ACR_ACTIONS[action] : undefined;
      return { kind: 'ignored', reason: reason ?? 'ACR action is not one Harbormaster handles' };
    }
    const deliveryId = readRequiredString(event, 'id', '', DELIVERY_ID_RULE);
    return { kind: 'pushed', push: { source: 'acr', deliveryId, ...readAcrPushFields(event, '') } };
  });
}
