// Where a Bicep CLI is on the PATH (`bicep`, or the Azure CLI's `az bicep`), main.bicep must
// compile with it: the structural lint (scripts/lint-bicep.ts) is not a type checker. No Bicep CLI
// is published for linux-x64 in the npm registry (the NuGet package and the GitHub releases are
// out of reach of the machines this project is built on), so on those machines this is skipped,
// and says so.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { INFRA_DIR } from './bicepModel';

function findBicep(): string[] | undefined {
  const candidates: string[][] = [['bicep'], ['az', 'bicep']];
  for (const command of candidates) {
    const probe = spawnSync(command[0], [...command.slice(1), '--version'], { encoding: 'utf8', timeout: 60_000 });
    if (probe.status === 0) return command;
  }
  return undefined;
}

const bicep = findBicep();

describe('bicep build', () => {
  if (!bicep) {
    it.skip('no Bicep CLI on the PATH (bicep or az bicep): main.bicep was not compiled', () => undefined);
    return;
  }

  it(`compiles infra/main.bicep with ${bicep.join(' ')}, without errors`, () => {
    const file = path.join(INFRA_DIR, 'main.bicep');
    // `bicep build <file>`; `az bicep build --file <file>`.
    const args = bicep[0] === 'az' ? ['bicep', 'build', '--file', file, '--stdout'] : ['build', file, '--stdout'];
    const result = spawnSync(bicep[0], args, { encoding: 'utf8', timeout: 300_000 });
    expect(result.stderr.split('\n').filter((line) => / Error /.test(line))).toEqual([]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toHaveProperty('resources');
  }, 300_000);
});
