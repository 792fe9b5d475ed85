/**
 * pg_dump and pg_restore as child processes: the environment carries the connection (password
 * included), argv carries only options. stderr is kept (bounded) for the record; callers scrub it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** Where pg_dump / pg_restore live: HARBORMASTER_PG_BIN_DIR, else PATH. */
export function pgBinary(name: 'pg_dump' | 'pg_restore' | 'psql', binDir?: string): string {
  return binDir ? path.join(binDir, name) : name;
}

/** The environment a pg tool gets: a minimal base plus the libpq variables. Nothing else leaks in. */
export function toolEnv(pgEnv: Readonly<Record<string, string>>): Record<string, string> {
  const base: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR']) {
    const value = process.env[name];
    if (value !== undefined) base[name] = value;
  }
  return { ...base, PGAPPNAME: 'harbormaster-backup', ...pgEnv };
}

export class StderrTail {
  private text = '';
  constructor(private readonly maxChars = 16_384) {}
  attach(stream: NodeJS.ReadableStream | null): void {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      this.text += chunk;
      if (this.text.length > this.maxChars * 2) this.text = this.text.slice(-this.maxChars);
    });
  }
  get value(): string {
    return this.text.slice(-this.maxChars);
  }
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Resolves when the child has exited and its stdio closed (never rejects: a spawn error becomes code 127). */
export function exitOf(child: ChildProcess): Promise<ProcessExit> {
  return new Promise((resolve) => {
    child.once('error', () => resolve({ code: 127, signal: null }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
}

export function describeExit(tool: string, exit: ProcessExit): string {
  if (exit.signal) return `${tool} was killed by ${exit.signal}`;
  if (exit.code === 127) return `${tool} could not be started (is the PostgreSQL client installed?)`;
  return `${tool} exited with code ${exit.code}`;
}

export function spawnTool(file: string, args: string[], env: Record<string, string>, stdin: 'pipe' | 'ignore'): ChildProcess {
  return spawn(file, args, { env, stdio: [stdin, 'pipe', 'pipe'] });
}

/** `pg_dump --version` → "15.18 (Debian 15.18-0+deb12u1)". */
export async function toolVersion(file: string): Promise<string> {
  const child = spawn(file, ['--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (c: string) => (out += c));
  const exit = await exitOf(child);
  if (exit.code !== 0) throw new Error(describeExit(path.basename(file), exit));
  return out.trim().replace(/^\S+\s+\(PostgreSQL\)\s+/, '');
}

/** Fields of `pg_restore --list`'s header. */
export function parseArchiveHeader(list: string): { serverVersion?: string; pgDumpVersion?: string; tocEntries?: number; format?: string } {
  const field = (name: string) => new RegExp(`^;\\s+${name}:\\s*(.+)$`, 'm').exec(list)?.[1]?.trim();
  const toc = field('TOC Entries');
  return {
    serverVersion: field('Dumped from database version'),
    pgDumpVersion: field('Dumped by pg_dump version'),
    tocEntries: toc ? Number(toc) : undefined,
    format: field('Format'),
  };
}
