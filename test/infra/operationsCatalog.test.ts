// The catalog of Azure operations (src/adapters/azureOperations.ts) against the code: every Azure SDK
// call in src/ is listed by a row (so the role test checks the Bicep grants it), every call a row
// lists is still made, and every row says who performs it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { AZURE_OPERATIONS } from '../../src/adapters/azureOperations';
import { REPO_ROOT, readSources, scanSdkCalls } from './sdkCalls';

const found = scanSdkCalls();
const listed = new Set(AZURE_OPERATIONS.flatMap((op) => op.calls ?? []));

/** Calls made in src/ that no row lists, each with the files that make it. */
function unlisted(calls: ReadonlyMap<string, string[]>): string[] {
  return [...calls].filter(([call]) => !listed.has(call)).map(([call, files]) => `${call} (${files.join(', ')})`);
}

describe('src/adapters/azureOperations.ts against the SDK calls in src/', () => {
  it('reads the calls, and which files make them, out of the code', () => {
    expect(found.get('arm-appcontainers:containerApps.get')).toEqual(expect.arrayContaining([path.join('src', 'adapters', 'containerApps', 'armContainerAppsGateway.ts')]));
    expect(found.get('data-tables:upsertEntity')?.length).toBeGreaterThan(2);
    expect(found.get('keyvault-secrets:getSecret')).toEqual([path.join('src', 'adapters', 'keyvault', 'keyVaultSecretReader.ts')]);
    // Our own gateway's methods are not SDK calls, though its field is named like an operation group.
    expect(found.has('arm-appcontainers:containerApps.getApp')).toBe(false);
  });

  it('lists every SDK call the code makes in a row', () => {
    expect(unlisted(found)).toEqual([]);
  });

  it('lists no call the code no longer makes', () => {
    expect([...listed].filter((call) => !found.has(call))).toEqual([]);
  });

  it('says who performs every operation: SDK calls, our plain-HTTP module, or the platform', () => {
    const silent = AZURE_OPERATIONS.filter((op) => !(op.calls?.length || op.http || op.platform)).map((op) => op.id);
    expect(silent).toEqual([]);
    for (const op of AZURE_OPERATIONS.filter((o) => o.http)) expect(existsSync(path.join(REPO_ROOT, op.http!))).toBe(true);
  });

  it('negative proof: an adapter that adds an SDK call without a row is reported', () => {
    const sources = readSources();
    sources.set('src/adapters/storage/newStore.ts', "import type { TableClient } from '@azure/data-tables';\nexport const drop = (t: TableClient) => t.deleteTable();\n");
    expect(unlisted(scanSdkCalls(sources))).toEqual(['data-tables:deleteTable (src/adapters/storage/newStore.ts)']);
  });
});
