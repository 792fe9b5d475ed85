// host.json is read by two hosts: Azure Functions (extension bundle, Durable Task Scheduler) and
// devhost (route prefix, concurrency). Both readings must work from the same file.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadBicepSources } from '../../scripts/lint-bicep';
import { extractAppSettingNames, INFRA_DIR, REPO_ROOT } from './bicepModel';

interface HostJson {
  version?: string;
  extensionBundle?: { id?: string; version?: string };
  functionTimeout?: string;
  extensions?: {
    http?: { routePrefix?: unknown };
    durableTask?: {
      hubName?: string;
      maxConcurrentActivityFunctions?: unknown;
      maxConcurrentOrchestratorFunctions?: unknown;
      storageProvider?: { type?: string; connectionStringName?: string };
    };
  };
}

const hostJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'host.json'), 'utf8')) as HostJson;
const appSettings = extractAppSettingNames(loadBicepSources(INFRA_DIR).get('modules/functionApp.bicep') ?? '');

/** Parses a NuGet version range like "[4.*, 5.0.0)" into its inclusive lower and exclusive upper major. */
function bundleRange(range: string): { lowerMajor: number; upperMajor: number; upperExclusive: boolean } | undefined {
  const match = /^\[\s*(\d+)(?:\.[\d*]+)*\s*,\s*(\d+)(?:\.\d+)*\s*([)\]])$/.exec(range);
  return match ? { lowerMajor: Number(match[1]), upperMajor: Number(match[2]), upperExclusive: match[3] === ')' } : undefined;
}

describe('host.json', () => {
  it('is valid for Azure Functions: version 2.0 and extension bundle v4 (which carries the Durable Task Scheduler provider)', () => {
    expect(hostJson.version).toBe('2.0');
    expect(hostJson.extensionBundle?.id).toBe('Microsoft.Azure.Functions.ExtensionBundle');
    expect(bundleRange(hostJson.extensionBundle?.version ?? '')).toEqual({ lowerMajor: 4, upperMajor: 5, upperExclusive: true });
  });

  it('uses the Durable Task Scheduler with the hub and connection the Bicep sets', () => {
    const durable = hostJson.extensions?.durableTask;
    expect(durable?.storageProvider?.type).toBe('azureManaged');
    const connection = durable?.storageProvider?.connectionStringName ?? '';
    expect(appSettings).toContain(connection);
    const hub = /^%([A-Za-z_][A-Za-z0-9_]*)%$/.exec(durable?.hubName ?? '');
    expect(hub).not.toBeNull();
    expect(appSettings).toContain(hub![1]);
  });

  it('has a function timeout Flex Consumption accepts', () => {
    expect(hostJson.functionTimeout).toMatch(/^\d{2}:\d{2}:\d{2}$/);
  });

  it('has the keys devhost reads, with usable values', () => {
    expect(typeof hostJson.extensions?.http?.routePrefix).toBe('string');
    for (const key of ['maxConcurrentActivityFunctions', 'maxConcurrentOrchestratorFunctions'] as const) {
      const value = hostJson.extensions?.durableTask?.[key];
      expect(Number.isInteger(value)).toBe(true);
      expect(value as number).toBeGreaterThan(0);
    }
  });

  it('negative proof: the range parser rejects bundle v3 and open-ended ranges', () => {
    expect(bundleRange('[3.*, 4.0.0)')).toEqual({ lowerMajor: 3, upperMajor: 4, upperExclusive: true });
    expect(bundleRange('[4.*, 5.0.0)')).not.toEqual(bundleRange('[3.*, 4.0.0)'));
    expect(bundleRange('4.*')).toBeUndefined();
  });
});

describe('host.json keeps secrets in URLs out of telemetry', () => {
  // The Functions host strips query strings (?code=, ?secret=) from request telemetry unless told
  // otherwise; every option that would log them must stay off.
  it('no logging option turns query-string or full-URL logging on', () => {
    const logging = JSON.stringify((JSON.parse(readFileSync(path.join(REPO_ROOT, 'host.json'), 'utf8')) as { logging?: unknown }).logging ?? {});
    const enabling = [...logging.matchAll(/"([^"]*(?:query|url)[^"]*)"\s*:\s*(true|false)/gi)].filter(([, name, value]) => {
      const logsIt = /enable|log|trac|include/i.test(name) && value === 'true';
      const stopsStripping = /sanitiz|strip|redact/i.test(name) && value === 'false';
      return logsIt || stopsStripping;
    });
    expect(enabling.map(([, name]) => name)).toEqual([]);
  });
});
