// Every place that names the Node major Harbormaster runs on names the same one: .nvmrc is the
// reference; package.json (engines, the `node` and `@types/node` dev dependencies), the Function
// app's runtime (infra/modules/functionApp.bicep), the backup runner image (Dockerfile.backup) and
// the prose of infra/, azure.yaml and .ci/run must agree with it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './bicepModel';

interface NodeMention {
  where: string;
  major: number | undefined;
}

const read = (relative: string) => readFileSync(path.join(REPO_ROOT, relative), 'utf8');

/** The major a semver range or version starts from (`>=22`, `^22.23.3`, `22`): its first number. */
function majorOf(range: string | undefined): number | undefined {
  const match = /(\d+)/.exec(range ?? '');
  return match ? Number(match[1]) : undefined;
}

/** Files whose prose and settings are checked for "Node 22", "node:22-…", "Node.js 22". */
function proseFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(REPO_ROOT, dir))) {
      const relative = path.posix.join(dir, entry);
      if (statSync(path.join(REPO_ROOT, relative)).isDirectory()) walk(relative);
      else files.push(relative);
    }
  };
  walk('infra');
  return [...files, 'Dockerfile.backup', 'azure.yaml', '.ci/run'].filter((f) => existsSync(path.join(REPO_ROOT, f)));
}

function proseMentions(file: string, text: string): NodeMention[] {
  const mentions: NodeMention[] = [];
  for (const match of text.matchAll(/\bNode(?:\.js)?\s+(\d{2})\b|\bnode:(\d{2})\b/gi)) {
    mentions.push({ where: `${file}: "${match[0]}"`, major: Number(match[1] ?? match[2]) });
  }
  return mentions;
}

function functionAppRuntime(bicep: string): number | undefined {
  const runtime = /runtime:\s*\{\s*name:\s*'node'\s*version:\s*'(\d+)'/.exec(bicep);
  return runtime ? Number(runtime[1]) : undefined;
}

function collectMentions(texts: ReadonlyMap<string, string>): NodeMention[] {
  const pkg = JSON.parse(texts.get('package.json') ?? '{}') as { engines?: { node?: string }; devDependencies?: Record<string, string> };
  return [
    { where: 'package.json engines.node', major: majorOf(pkg.engines?.node) },
    { where: 'package.json devDependencies.node', major: majorOf(pkg.devDependencies?.node) },
    { where: 'package.json devDependencies.@types/node', major: majorOf(pkg.devDependencies?.['@types/node']) },
    { where: 'infra/modules/functionApp.bicep functionAppConfig.runtime', major: functionAppRuntime(texts.get('infra/modules/functionApp.bicep') ?? '') },
    { where: 'Dockerfile.backup ARG NODE_IMAGE', major: majorOf(/^ARG NODE_IMAGE=node:(\d+)/m.exec(texts.get('Dockerfile.backup') ?? '')?.[1]) },
    ...[...texts.entries()].filter(([file]) => file !== 'package.json').flatMap(([file, text]) => proseMentions(file, text)),
  ];
}

function disagreements(reference: number | undefined, mentions: readonly NodeMention[]): string[] {
  return mentions.filter((m) => m.major !== reference).map((m) => `${m.where}: ${m.major ?? 'missing'} (expected ${reference})`);
}

const texts = new Map(['package.json', ...proseFiles()].map((f) => [f, read(f)]));
const reference = majorOf(read('.nvmrc').trim());

describe('one Node major everywhere', () => {
  it('.nvmrc names a supported major (Node 20 reached end of life in April 2026)', () => {
    expect(reference).toBeGreaterThanOrEqual(22);
  });

  it('package.json, the Function app runtime, the backup image and the infra prose agree with .nvmrc', () => {
    const mentions = collectMentions(texts);
    expect(mentions.length).toBeGreaterThan(6);
    expect(disagreements(reference, mentions)).toEqual([]);
  });

  it('negative proof: Node 20 in the Bicep runtime or the Dockerfile is reported', () => {
    const edited = new Map(texts);
    edited.set('infra/modules/functionApp.bicep', (texts.get('infra/modules/functionApp.bicep') ?? '').replace(/version: '\d+'/, "version: '20'"));
    edited.set('Dockerfile.backup', (texts.get('Dockerfile.backup') ?? '').replace(/node:\d+-bookworm-slim/g, 'node:20-bookworm-slim'));
    const before = new Set(disagreements(reference, collectMentions(texts)));
    const added = disagreements(reference, collectMentions(edited)).filter((d) => !before.has(d));
    expect(added.map((d) => d.split(':')[0])).toEqual([
      'infra/modules/functionApp.bicep functionAppConfig.runtime',
      'Dockerfile.backup ARG NODE_IMAGE',
      'Dockerfile.backup',
    ]);
  });

  it('negative proof: prose that still says Node 20 is reported', () => {
    expect(proseMentions('infra/README.md', 'Azure CLI, Node 20, Docker')).toEqual([{ where: 'infra/README.md: "Node 20"', major: 20 }]);
  });
});
