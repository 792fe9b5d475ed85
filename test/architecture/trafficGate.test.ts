/**
 * One gate for each dangerous effect: nothing in src/ changes which revision serves an app
 * except the traffic gate. The operations that do (setting the traffic split, creating a
 * revision, which in single-revision mode makes it live) may be called from the gate only;
 * the Container Apps port and its ARM gateway define them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../scenarios/scenarioKit';

const SRC = path.join(REPO_ROOT, 'src');
const GATE = path.join('activities', 'deployment', 'trafficGate.ts');
const DEFINITIONS = new Set([path.join('adapters', 'containerApps', 'containerAppsPort.ts'), path.join('adapters', 'containerApps', 'armContainerAppsGateway.ts')]);
const TRAFFIC_CHANGING_CALLS = /\.(setTraffic|beginCreateRevision)\s*\(/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : name.endsWith('.ts') ? [full] : [];
  });
}

describe('the traffic gate is the only way traffic changes', () => {
  it('no file in src/ but the gate calls setTraffic or beginCreateRevision', () => {
    const offenders = sourceFiles(SRC)
      .map((file) => path.relative(SRC, file))
      .filter((file) => file !== GATE && !DEFINITIONS.has(file))
      .filter((file) => TRAFFIC_CHANGING_CALLS.test(readFileSync(path.join(SRC, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')));
    expect(offenders).toEqual([]);
  });

  it('the gate does call them (the check above would be empty if it looked in the wrong place)', () => {
    const gate = readFileSync(path.join(SRC, GATE), 'utf8');
    expect(gate).toMatch(/containerApps\.setTraffic\(/);
    expect(gate).toMatch(/containerApps\.beginCreateRevision\(/);
  });
});
