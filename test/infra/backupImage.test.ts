// The backup runner image must carry the pg_dump of the newest PostgreSQL major the configuration
// declares: pg_dump refuses to dump a server newer than itself.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { BACKUP_RUNNER_COMMAND } from '../../src/backup/backupJobContainer';
import { REPO_ROOT } from './bicepModel';

const dockerfile = readFileSync(path.join(REPO_ROOT, 'Dockerfile.backup'), 'utf8');
const CONFIG_FILES = ['config/apps.example.json', 'config/apps.json'].filter((f) => existsSync(path.join(REPO_ROOT, f)));

interface BackupImageFacts {
  pgMajor?: number;
  installsClientOfArg: boolean;
  usesPgdg: boolean;
}

function readDockerfile(text: string): BackupImageFacts {
  const arg = /^ARG PG_MAJOR=(\d+)\s*$/m.exec(text);
  return {
    ...(arg ? { pgMajor: Number(arg[1]) } : {}),
    installsClientOfArg: /apt-get install[^\n]*postgresql-client-\$\{PG_MAJOR\}/.test(text),
    usesPgdg: /https:\/\/apt\.postgresql\.org\/pub\/repos\/apt bookworm-pgdg main/.test(text),
  };
}

function highestDeclaredMajor(configText: string): number | undefined {
  const config = JSON.parse(configText) as { databases?: Array<{ serverMajorVersion?: number }> };
  const majors = (config.databases ?? []).map((d) => d.serverMajorVersion).filter((v): v is number => typeof v === 'number');
  return majors.length ? Math.max(...majors) : undefined;
}

describe('Dockerfile.backup', () => {
  const facts = readDockerfile(dockerfile);

  it('builds on node:22-bookworm-slim and runs the backup runner CLI', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:22-bookworm-slim$/m);
    expect(dockerfile).toMatch(/npm ci[^\n]*\n[\s\S]*npm run build && npm prune --omit=dev/);
    // The same command the local stack's job runs (flags included).
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(JSON.parse(entrypoint ?? 'null')).toEqual([...BACKUP_RUNNER_COMMAND]);
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  it('installs postgresql-client-${PG_MAJOR} from the PGDG repository', () => {
    expect(facts.pgMajor).toBeDefined();
    expect(facts.installsClientOfArg).toBe(true);
    expect(facts.usesPgdg).toBe(true);
  });

  it('PG_MAJOR is the highest serverMajorVersion the configuration declares', () => {
    expect(CONFIG_FILES).toContain('config/apps.example.json');
    // One image serves every configuration: it needs the newest client any of them declares
    // (pg_dump refuses servers newer than itself, and dumps older ones fine).
    const declared = CONFIG_FILES.map((file) => highestDeclaredMajor(readFileSync(path.join(REPO_ROOT, file), 'utf8'))).filter((v): v is number => v !== undefined);
    expect(facts.pgMajor).toBe(Math.max(...declared));
  });

  it('negative proof: a configuration declaring a newer server is caught', () => {
    const newer = JSON.stringify({ databases: [{ serverMajorVersion: 15 }, { serverMajorVersion: (facts.pgMajor ?? 0) + 1 }] });
    expect(highestDeclaredMajor(newer)).not.toBe(facts.pgMajor);
    expect(readDockerfile(dockerfile.replace('postgresql-client-${PG_MAJOR}', 'postgresql-client')).installsClientOfArg).toBe(false);
  });
});
