// The webhook secrets: generated once (never per deployment), delivered by Event Grid in a header
// the handler reads, and never accompanied by a function key in any URL the docs tell you to set.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadBicepSources, objectProperties, parseBicep } from '../../scripts/lint-bicep';
import { getPresentedSecret } from '../../src/domain/push/presentedSecret';
import { INFRA_DIR, REPO_ROOT } from './bicepModel';

const sources = loadBicepSources(INFRA_DIR);
const main = sources.get('main.bicep') ?? '';
const parametersFile = JSON.parse(sources.get('main.parameters.json') ?? '{}') as { parameters: Record<string, unknown> };
const subscriptionModule = sources.get('modules/registryEventsSubscription.bicep') ?? '';

/** @secure() params of main.bicep that would get a new value on some provision, or a prompt. */
function unstableSecrets(mainText: string, parameterNames: readonly string[]): string[] {
  const problems: string[] = [];
  const parsed = parseBicep(mainText);
  for (const param of parsed.params.filter((p) => p.decorators.includes('secure'))) {
    const block = mainText.slice(0, mainText.indexOf(`param ${param.name} `)).split(/\n\s*\n/).pop() ?? '';
    const generated = /@metadata\(\{\s*azd:\s*\{\s*type:\s*'generate'/.test(block);
    if (/newGuid|utcNow/.test(param.defaultText)) {
      problems.push(`${param.name}: default ${param.defaultText} changes on every deployment`);
      continue;
    }
    if (!param.hasDefault && !generated && !parameterNames.includes(param.name)) problems.push(`${param.name}: neither generated once by azd nor mapped in the parameters file`);
    if (generated && (param.hasDefault || parameterNames.includes(param.name))) problems.push(`${param.name}: azd generates only params with no default and no parameters-file entry`);
  }
  return problems;
}

interface DeliveryHeader {
  name: string;
  valueTemplate: string;
  isSecret: boolean;
}

function deliveryHeaders(moduleText: string): DeliveryHeader[] {
  const headers: DeliveryHeader[] = [];
  for (const match of moduleText.matchAll(/\{\s*name:\s*'([^']+)'\s*type:\s*'Static'\s*properties:\s*(\{[\s\S]*?isSecret:\s*\w+\s*\})\s*\}/g)) {
    const props = objectProperties(match[2]);
    headers.push({ name: match[1], valueTemplate: props.get('value') ?? '', isSecret: props.get('isSecret') === 'true' });
  }
  return headers;
}

/** What the Event Grid handler reads from a delivery carrying these headers, the secret being `secret`. */
function secretTheHandlerSees(headers: readonly DeliveryHeader[], secret: string): string | undefined {
  const wire: Record<string, string> = {};
  for (const header of headers) wire[header.name] = header.valueTemplate.replace(/^'/, '').replace(/'$/, '').replace(/\$\{webhookSecret\}/, secret).replace(/^webhookSecret$/, secret);
  return getPresentedSecret('eventgrid', { headers: wire });
}

function headerProblems(headers: readonly DeliveryHeader[]): string[] {
  const problems: string[] = [];
  if (headers.length === 0) problems.push('no static delivery header carries the secret');
  for (const header of headers) {
    if (/^aeg-/i.test(header.name)) problems.push(`${header.name}: the aeg- prefix is Event Grid's own`);
    if (!header.isSecret) problems.push(`${header.name}: not marked secret, readable by whoever reads the subscription`);
  }
  if (secretTheHandlerSees(headers, 'S3cret-value') !== 'S3cret-value') problems.push('the handler does not read the delivered secret');
  return problems;
}

/** Lines of the docs that put a key on a webhook URL, or claim one is read and hidden. */
function docKeyProblems(file: string, text: string): string[] {
  return text
    .split('\n')
    .map((line, i) => ({ line, at: `${file}:${i + 1}` }))
    .filter(({ line }) => (/WEBHOOK_URL|\/webhooks\/|--uri|endpointUrl/.test(line) && /[?&]code=/.test(line)) || /listKeys\(|function key in each subscription/i.test(line))
    .map(({ at, line }) => `${at}: ${line.trim()}`);
}

describe('webhook secrets', () => {
  it('are generated once by azd and passed unchanged afterwards (no newGuid(), no prompt)', () => {
    expect(unstableSecrets(main, Object.keys(parametersFile.parameters))).toEqual([]);
    for (const name of ['eventGridWebhookSecret', 'acrWebhookSecret']) expect(parseBicep(main).params.find((p) => p.name === name)?.decorators).toContain('metadata');
  });

  it('reach the Event Grid handler as Authorization: Bearer, marked secret', () => {
    const headers = deliveryHeaders(subscriptionModule);
    expect(headers.map((h) => h.name)).toEqual(['Authorization']);
    expect(headerProblems(headers)).toEqual([]);
  });

  it('are never joined by a function key in the docs\' webhook URLs', () => {
    const problems = ['README.md', 'infra/README.md'].flatMap((file) => docKeyProblems(file, readFileSync(path.join(REPO_ROOT, file), 'utf8')));
    expect(problems).toEqual([]);
  });

  describe('negative proofs', () => {
    it('a newGuid() default, and a generated secret that is also in the parameters file', () => {
      const guid = main.replace('param eventGridWebhookSecret string\n', 'param eventGridWebhookSecret string = newGuid()\n');
      expect(unstableSecrets(guid, [])).toEqual(["eventGridWebhookSecret: default newGuid ( ) changes on every deployment"]);
      expect(unstableSecrets(main, ['acrWebhookSecret'])).toEqual(['acrWebhookSecret: azd generates only params with no default and no parameters-file entry']);
    });

    it('the aeg-sas-key header the subscription used to send', () => {
      const old = deliveryHeaders("{\n  name: 'aeg-sas-key'\n  type: 'Static'\n  properties: {\n    value: webhookSecret\n    isSecret: true\n  }\n}");
      expect(headerProblems(old)).toEqual(["aeg-sas-key: the aeg- prefix is Event Grid's own"]);
      const unmarked = deliveryHeaders("{\n  name: 'Authorization'\n  type: 'Static'\n  properties: {\n    value: 'Token ${webhookSecret}'\n    isSecret: false\n  }\n}");
      expect(headerProblems(unmarked)).toEqual(['Authorization: not marked secret, readable by whoever reads the subscription', 'the handler does not read the delivered secret']);
    });

    it('the ACR webhook command and the claim the docs used to make', () => {
      const old = [
        'The function key in each subscription\'s URL is read during that second provision (`listKeys(.../host/default)`)',
        '  --uri "$(azd env get-value WEBHOOK_URL_ACR)?code=<function key>" --headers "Authorization=Bearer $SECRET"',
      ].join('\n');
      expect(docKeyProblems('infra/README.md', old).length).toBe(2);
    });
  });
});
