/**
 * The Azure SDK calls Harbormaster's code makes, read out of its sources: in every file under
 * src/ that imports an Azure SDK client package, each call of one of that package's client methods.
 * The method names come from the SDK itself (its client classes, and for ARM the operation groups
 * of a client instance), so a call is recognised whatever variable holds the client.
 *
 * Call ids: `arm-appcontainers:<operation group>.<method>` (e.g. `containerApps.get`), and
 * `<package>:<method>` for data-plane clients (e.g. `data-tables:upsertEntity`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ContainerAppsAPIClient } from '@azure/arm-appcontainers';
import { TableClient, TableServiceClient } from '@azure/data-tables';
import { SecretClient } from '@azure/keyvault-secrets';
import { LogsQueryClient } from '@azure/monitor-query-logs';
import { MetricsClient } from '@azure/monitor-query-metrics';
import { BlobClient, BlobServiceClient, BlockBlobClient, ContainerClient } from '@azure/storage-blob';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Methods that make no request: they build another client or a URL. A call may name type arguments (`getEntity<T>(`). */
const LOCAL_METHOD = /^(get\w*Client|generate\w*|with\w*|constructor)$/;

function methodsOf(...classes: Array<{ prototype: object }>): Set<string> {
  const names = new Set<string>();
  for (const type of classes) {
    for (let proto: object | null = type.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
      for (const name of Object.getOwnPropertyNames(proto)) {
        const descriptor = Object.getOwnPropertyDescriptor(proto, name);
        if (typeof descriptor?.value === 'function' && !name.startsWith('_') && !LOCAL_METHOD.test(name)) names.add(name);
      }
    }
  }
  return names;
}

/** ARM operation groups of the Container Apps client, each with its methods. */
function armOperationGroups(): Map<string, Set<string>> {
  const client = new ContainerAppsAPIClient({ getToken: () => Promise.resolve(null) }, '00000000-0000-0000-0000-000000000000');
  const groups = new Map<string, Set<string>>();
  for (const [name, value] of Object.entries(client)) {
    if (typeof value !== 'object' || value === null || name.startsWith('_') || name === 'pipeline') continue;
    // An operation group is a plain object of functions (older clients: a class instance).
    const own = Object.entries(value as Record<string, unknown>).filter(([, v]) => typeof v === 'function').map(([k]) => k);
    const methods = new Set([...own, ...methodsOf(value.constructor as { prototype: object })]);
    if (methods.size > 0) groups.set(name, methods);
  }
  return groups;
}

const DATA_PLANE: ReadonlyArray<[string, Set<string>]> = [
  ['data-tables', methodsOf(TableClient, TableServiceClient)],
  ['storage-blob', methodsOf(BlobServiceClient, ContainerClient, BlobClient, BlockBlobClient)],
  ['keyvault-secrets', methodsOf(SecretClient)],
  ['monitor-query-metrics', methodsOf(MetricsClient)],
  ['monitor-query-logs', methodsOf(LogsQueryClient)],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

function imports(source: string, pkg: string): boolean {
  return new RegExp(`from '@azure/${pkg}'`).test(source);
}

/** Every SDK call id found, with the files (relative to the repository) that make it. */
export function scanSdkCalls(sources: ReadonlyMap<string, string> = readSources()): Map<string, string[]> {
  const arm = armOperationGroups();
  const found = new Map<string, string[]>();
  const add = (call: string, file: string): void => {
    const files = found.get(call) ?? [];
    if (!files.includes(file)) files.push(file);
    found.set(call, files);
  };
  for (const [file, source] of sources) {
    if (imports(source, 'arm-appcontainers')) {
      for (const match of source.matchAll(/\.(\w+)\.(\w+)\s*(?:<[^<>()]*>)?\(/g)) {
        if (arm.get(match[1])?.has(match[2])) add(`arm-appcontainers:${match[1]}.${match[2]}`, file);
      }
    }
    for (const [pkg, methods] of DATA_PLANE) {
      if (!imports(source, pkg)) continue;
      for (const match of source.matchAll(/\.(\w+)\s*(?:<[^<>()]*>)?\(/g)) if (methods.has(match[1])) add(`${pkg}:${match[1]}`, file);
    }
  }
  return found;
}

/** src/**.ts by path relative to the repository, the catalog itself left out (it names calls, it makes none). */
export function readSources(): Map<string, string> {
  const files = sourceFiles(path.join(REPO_ROOT, 'src')).filter((f) => !f.endsWith(path.join('adapters', 'azureOperations.ts')));
  return new Map(files.map((f) => [path.relative(REPO_ROOT, f), readFileSync(f, 'utf8')]));
}
