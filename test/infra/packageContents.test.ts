// azure.yaml and .funcignore: azd runs on Windows as well as Linux and macOS (every hook has both
// variants and their scripts exist), requires an azd that knows the settings used, builds the
// Function app one declared way, and ships the sources the build needs and nothing else.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { isIgnored, parseYamlMaps, yamlAt, type YamlValue } from './azdProject';
import { REPO_ROOT } from './bicepModel';

const read = (relative: string) => readFileSync(path.join(REPO_ROOT, relative), 'utf8');
const azureYaml = parseYamlMaps(read('azure.yaml'));
const funcignore = existsSync(path.join(REPO_ROOT, '.funcignore')) ? read('.funcignore') : '';

/** Hooks without a variant for each OS family azd picks from (windows; posix for Linux and macOS). */
function hookProblems(project: YamlValue): string[] {
  const problems: string[] = [];
  const hooks = yamlAt(project, 'hooks');
  for (const [name, hook] of Object.entries(typeof hooks === 'object' ? hooks : {})) {
    for (const os of ['posix', 'windows']) {
      const run = yamlAt(hook, os, 'run');
      if (typeof run !== 'string') problems.push(`${name}: no ${os} variant`);
      else if (!existsSync(path.join(REPO_ROOT, run))) problems.push(`${name}.${os}: ${run} does not exist`);
    }
  }
  return problems;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(REPO_ROOT, dir))) {
    const relative = path.posix.join(dir, entry);
    if (statSync(path.join(REPO_ROOT, relative)).isDirectory()) out.push(...filesUnder(relative));
    else out.push(relative);
  }
  return out;
}

// The remote build runs `npm run build`, which type-checks and bundles the dashboard from dashboard/.
const MUST_SHIP = ['host.json', 'package.json', 'package-lock.json', 'tsconfig.json', 'src/index.ts', 'config/apps.example.json', 'dashboard/build.mjs', 'dashboard/tsconfig.json', 'dashboard/index.html', 'dashboard/src/main.tsx'];
const MUST_NOT_SHIP = [
  '.git/HEAD',
  'node_modules/pg/package.json',
  'dist/src/index.js',
  'test/infra/lintBicep.test.ts',
  'simulators/cli.ts',
  'bench/durable.bench.ts',
  'devhost/cli.ts',
  'infra/main.bicep',
  'local.settings.json',
  '.azure/prod/.env',
];

describe('azure.yaml', () => {
  it('gives every hook a posix and a windows variant whose script exists', () => {
    expect(Object.keys(yamlAt(azureYaml, 'hooks') as object)).toContain('postdeploy');
    expect(hookProblems(azureYaml)).toEqual([]);
  });

  it('requires an azd version (remoteBuild for Flex Consumption and its .funcignore check came in 1.23.12)', () => {
    const required = yamlAt(azureYaml, 'requiredVersions', 'azd');
    expect(typeof required).toBe('string');
    const minimum = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(required as string);
    expect(minimum).not.toBeNull();
    expect(minimum!.slice(1).map(Number)).toEqual([1, 23, 12]);
  });

  it('declares the build mode, and .funcignore agrees with it (azd refuses remoteBuild without node_modules excluded, and the reverse)', () => {
    const remoteBuild = yamlAt(azureYaml, 'services', 'harbormaster', 'remoteBuild');
    expect(remoteBuild === 'true' || remoteBuild === 'false').toBe(true);
    expect(isIgnored(funcignore, 'node_modules/pg/package.json')).toBe(remoteBuild === 'true');
  });

  it('negative proof: a posix-only hook is reported for Windows', () => {
    const posixOnly = parseYamlMaps('hooks:\n  postdeploy:\n    posix:\n      run: ./infra/scripts/postdeploy.sh\n');
    expect(hookProblems(posixOnly)).toEqual(['postdeploy: no windows variant']);
  });
});

describe('.funcignore: what the Function app package holds', () => {
  it('exists', () => {
    expect(funcignore).not.toBe('');
  });

  it.each(MUST_SHIP)('ships %s', (file) => {
    expect(existsSync(path.join(REPO_ROOT, file))).toBe(true);
    expect(isIgnored(funcignore, file)).toBe(false);
  });

  it.each(MUST_NOT_SHIP)('leaves out %s', (file) => {
    expect(isIgnored(funcignore, file)).toBe(true);
  });

  it('ships every file under src/, config/ and dashboard/, and src/ imports nothing that stays home', () => {
    const sources = [...filesUnder('src'), ...filesUnder('config'), ...filesUnder('dashboard')];
    expect(sources.filter((f) => isIgnored(funcignore, f))).toEqual([]);
    const escapes: string[] = [];
    for (const file of filesUnder('src').filter((f) => f.endsWith('.ts'))) {
      for (const match of read(file).matchAll(/from\s+'(\.{1,2}\/[^']+)'/g)) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), match[1]));
        if (isIgnored(funcignore, `${target}.ts`) || isIgnored(funcignore, target)) escapes.push(`${file} -> ${match[1]}`);
      }
    }
    expect(escapes).toEqual([]);
  });

  it('negative proof: with no .funcignore, tests, simulators and .git would ship', () => {
    expect(MUST_NOT_SHIP.filter((f) => isIgnored('', f))).toEqual([]);
    expect(isIgnored('/test/\n', 'src/test/x.ts')).toBe(false);
    expect(isIgnored('node_modules/\n', 'a/node_modules/b.js')).toBe(true);
  });
});
