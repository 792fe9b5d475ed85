/**
 * Backup benchmark (`npm run bench:backup [-- --size-mb N] [--small-mb M] [--repeats R]`).
 *
 * Generates two databases with SQL `generate_series` (default 1024 MB and 100 MB of table data,
 * md5 text so the dump does not compress to nothing), then for each:
 * - plain `pg_dump -Fc > /dev/null` (the baseline throughput), alternating with
 * - the backup runner (`node --max-semi-space-size=1 --expose-gc dist/src/backup/runnerCli.js`, as the job runs it, real Key Vault simulator + Azurite),
 *   its peak RSS measured by `/usr/bin/time -v` (Maximum resident set size) when present, else by
 *   polling /proc/<pid>/status VmHWM.
 * Throughput = database size / seconds. The runner's figure is for its dump phase (pg_dump + SHA-256
 * + upload, the record's dumpMs) and, separately, end to end (process wall time, including the
 * read-back verification and row counts). Each database gets `--repeats` (default 3) alternating
 * pairs; the ratios are the medians over the pairs, the peak RSS the highest run's. Prints one JSON object
 * as the last line.
 *
 * CPU, to tell a slow runner from a busy machine: each command's own CPU seconds (user + sys of it
 * and its children, from `/usr/bin/time -v`: the runner's include its pg_dump) and the whole
 * machine's busy cores while it ran (/proc/stat, so the PostgreSQL backend serving the dump and
 * Azurite receiving the upload count too). A command whose machine-wide figure is at the core
 * count had no idle core left to go faster on.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startAzurite } from '../devhost/azurite';
import { startPostgres, type TestPostgres } from '../devhost/postgres';
import { createKeyVaultModule } from '../simulators/keyvault/keyVaultModule';
import { startSimulator } from '../simulators/server';
import { BackupRecordStore } from '../src/adapters/backupStore/backupRecordStore';
import { TableProvider } from '../src/adapters/storage/tables';
import { RunnerEnv } from '../src/domain/backup';
import { BACKUP_RUNNER_NODE_FLAGS, BACKUP_RUNNER_SCRIPT } from '../src/backup/backupJobContainer';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const RUNNER = path.join(REPO_ROOT, BACKUP_RUNNER_SCRIPT);
const MB = 1024 * 1024;

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

const round2 = (n: number | undefined): number | undefined => (n === undefined ? undefined : Math.round(n * 100) / 100);

const log = (message: string): void => {
  process.stderr.write(`[bench:backup] ${message}\n`);
};

/** Fills `db` with about `sizeMb` of table data, in batches of generate_series inserts. */
async function generate(pg: TestPostgres, db: string, sizeMb: number): Promise<number> {
  const admin = new Client({ connectionString: pg.connectionString });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
  const client = new Client({ connectionString: pg.connectionString.replace(/\/postgres$/, `/${db}`) });
  await client.connect();
  try {
    await client.query('CREATE TABLE events (id bigint PRIMARY KEY, at timestamptz NOT NULL, kind int NOT NULL, payload text NOT NULL)');
    await client.query('CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL, balance numeric(12,2))');
    await client.query(`INSERT INTO accounts SELECT g, 'account ' || g, g * 3.17 FROM generate_series(1, 50000) g`);
    let next = 1;
    for (;;) {
      const size = Number((await client.query<{ n: string }>('SELECT pg_database_size(current_database())::text AS n')).rows[0].n);
      if (size >= sizeMb * MB) return size;
      // About 200 bytes a row on disk; batches of at most 500k rows, fewer near the target.
      const batchRows = Math.max(10_000, Math.min(500_000, Math.ceil((sizeMb * MB - size) / 200)));
      // ~200 bytes a row: two md5s (hex, compresses about 2:1) and a timestamp.
      await client.query(
        `INSERT INTO events SELECT g, timestamptz '2024-01-01' + g * interval '1 second', g % 17, md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text)
           FROM generate_series($1::bigint, $2::bigint) g`,
        [next, next + batchRows - 1],
      );
      next += batchRows;
    }
  } finally {
    await client.end();
  }
}

interface Pair {
  plain: Measured;
  runner: Measured;
  dumpMs: number;
  verifyMs?: number;
  archiveBytes: number;
  /** pg_dump's own figures inside the runner (timedPgTools). */
  pgDumpInRunner?: { wallSeconds: number; cpuSeconds: number };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  // The lower middle for an even count, so the result is one of the values.
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

interface Measured {
  wallMs: number;
  peakRssBytes?: number;
  /** The command's own user + sys seconds, its children included (when /usr/bin/time ran it). */
  cpuSeconds?: number;
  /** Busy cores of the whole machine on average while the command ran (/proc/stat; Linux only). */
  machineBusyCores?: number;
  code: number | null;
  stderr: string;
}

/** The machine's busy and total jiffies since boot, all cores (the first line of /proc/stat). */
function machineJiffies(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1, 9).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    // idle and iowait are not busy.
    return { busy: total - fields[3] - fields[4], total };
  } catch {
    return undefined;
  }
}

const cores = (): number => (readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s*:/gm) ?? []).length || 1;

/** Runs a command, measuring wall time and (for `measureRss`) peak RSS. */
function run(file: string, args: string[], env: Record<string, string>, options: { measureRss?: boolean; stdoutToNull?: boolean } = {}): Promise<Measured> {
  const useTime = options.measureRss && existsSync('/usr/bin/time');
  const [cmd, argv] = useTime ? ['/usr/bin/time', ['-v', file, ...args]] : [file, args];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const machineBefore = machineJiffies();
    const child = spawn(cmd, argv, { cwd: REPO_ROOT, env, stdio: ['ignore', options.stdoutToNull ? 'ignore' : 'pipe', 'pipe'] });
    let stderr = '';
    let polledPeakKb = 0;
    child.stdout?.resume();
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const poll = options.measureRss && !useTime
      ? setInterval(() => {
          try {
            const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            if (hwm) polledPeakKb = Math.max(polledPeakKb, Number(hwm[1]));
          } catch {
            // exited
          }
        }, 50)
      : undefined;
    child.once('error', reject);
    child.once('close', (code) => {
      if (poll) clearInterval(poll);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const timeKb = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      const peakKb = timeKb ? Number(timeKb[1]) : polledPeakKb;
      const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
      const sys = /System time \(seconds\): ([\d.]+)/.exec(stderr);
      const machineAfter = machineJiffies();
      // Jiffies over all cores; their total over the interval is wall time × cores.
      const machineBusyCores = machineBefore && machineAfter ? ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * cores() : undefined;
      resolve({
        wallMs,
        code,
        stderr,
        peakRssBytes: options.measureRss ? peakKb * 1024 : undefined,
        ...(user && sys ? { cpuSeconds: Number(user[1]) + Number(sys[1]) } : {}),
        ...(machineBusyCores !== undefined ? { machineBusyCores } : {}),
      });
    });
  });
}

/**
 * pg_dump's own CPU inside the runner. The runner is pointed (HARBORMASTER_PG_BIN_DIR) at wrappers
 * that exec the real tools under /usr/bin/time, so the bench tells pg_dump slowed by its neighbours
 * on the machine (the same compression work taking more CPU seconds) from pg_dump waiting on the
 * runner (wall time above its CPU time). Undefined without /usr/bin/time.
 */
function timedPgTools(): { binDir: string; read: () => { wallSeconds: number; cpuSeconds: number } | undefined } | undefined {
  if (!existsSync('/usr/bin/time')) return undefined;
  const real = (name: string) => (process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, name)).find((f) => existsSync(f));
  const dump = real('pg_dump');
  const restore = real('pg_restore');
  if (!dump || !restore) return undefined;
  const binDir = mkdtempSync(path.join(os.tmpdir(), 'bench-pgtools-'));
  const logFile = path.join(binDir, 'times.log');
  for (const [name, file] of [['pg_dump', dump], ['pg_restore', restore]]) {
    writeFileSync(path.join(binDir, name), `#!/bin/sh\nexec /usr/bin/time -a -o '${logFile}' -f '${name} %e %U %S %C' '${file}' "$@"\n`);
    chmodSync(path.join(binDir, name), 0o755);
  }
  return {
    binDir,
    // The newest dump (the one with --snapshot, not the --version probe).
    read: () => {
      const lines = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').filter((l) => l.startsWith('pg_dump ') && l.includes('--snapshot')) : [];
      const last = lines.at(-1)?.split(' ');
      return last ? { wallSeconds: Number(last[1]), cpuSeconds: Number(last[2]) + Number(last[3]) } : undefined;
    },
  };
}

async function main(): Promise<void> {
  const bigMb = flag('size-mb', 1024);
  const smallMb = flag('small-mb', Math.min(100, bigMb));
  const repeats = Math.round(flag('repeats', 3));
  log(`databases: ${smallMb} MB and ${bigMb} MB`);
  const pg = await startPostgres();
  const azurite = await startAzurite();
  const keyVault = createKeyVaultModule();
  const sim = await startSimulator({ modules: [keyVault] });
  const records = new BackupRecordStore(new TableProvider({ connectionString: azurite.connectionString }));
  const pgTools = timedPgTools();
  try {
    const results: Record<string, unknown> = {};
    for (const [label, mb] of [['small', smallMb], ['big', bigMb]] as const) {
      const db = `bench_${label}`;
      // The runner's name for it: Key Vault secret names (`<database>-conn`) take no underscore.
      const database = db.replace('_', '-');
      const genStarted = Date.now();
      const sizeBytes = await generate(pg, db, mb);
      log(`${db}: ${(sizeBytes / MB).toFixed(0)} MB generated in ${((Date.now() - genStarted) / 1000).toFixed(1)} s`);
      const connectionString = pg.connectionString.replace(/\/postgres$/, `/${db}`);
      keyVault.setSecret(`${database}-conn`, connectionString);

      const pgEnv = { PATH: process.env.PATH ?? '', PGHOST: pg.host, PGPORT: String(pg.port), PGUSER: pg.user, PGDATABASE: db };
      // Warm the cache once so neither measurement pays for cold reads alone.
      await run('pg_dump', ['-Fc', '--no-password'], pgEnv, { stdoutToNull: true });

      // Plain pg_dump and the runner alternate, `repeats` pairs: a neighbour's load on a shared
      // machine moves one 30 s dump by 10-20 %, so one pair's ratio says little; each pair sees
      // about the same load, and the medians over the pairs are the figures.
      const pairs: Pair[] = [];
      for (let i = 0; i < repeats; i++) {
        // measureRss: run under /usr/bin/time, for its CPU seconds.
        const plain = await run('pg_dump', ['-Fc', '--no-password'], pgEnv, { stdoutToNull: true, measureRss: true });
        if (plain.code !== 0) throw new Error(`plain pg_dump failed: ${plain.stderr}`);
        const backupId = `${label === 'small' ? '20250101' : '20250102'}T000000Z-${String(i + 1).padStart(6, '0')}`;
        const runner = await run(process.execPath, [...BACKUP_RUNNER_NODE_FLAGS, RUNNER], {
          PATH: process.env.PATH ?? '',
          AzureWebJobsStorage: azurite.connectionString,
          HARBORMASTER_BACKUP_CONTAINER: 'bench',
          HARBORMASTER_KEY_VAULT_URL: sim.url,
          HARBORMASTER_CREDENTIAL: 'local-dev',
          HARBORMASTER_CA_CERT_PATH: sim.caCertPath,
          [RunnerEnv.database]: database,
          [RunnerEnv.backupId]: backupId,
          [RunnerEnv.connectionSecret]: `${database}-conn`,
          [RunnerEnv.trigger]: 'manual',
          ...(pgTools ? { HARBORMASTER_PG_BIN_DIR: pgTools.binDir } : {}),
        }, { measureRss: true });
        const record = await records.get(database, backupId);
        if (runner.code !== 0 || record?.state !== 'Complete') throw new Error(`runner failed (${runner.code}): ${record?.reason ?? runner.stderr.slice(-500)}`);
        const pair: Pair = { plain, runner, dumpMs: record.dumpMs ?? runner.wallMs, verifyMs: record.verifyMs, archiveBytes: record.sizeBytes ?? 0, pgDumpInRunner: pgTools?.read() };
        pairs.push(pair);
        log(
          `${db} pair ${i + 1}/${repeats}: plain pg_dump -Fc > /dev/null ${(plain.wallMs / 1000).toFixed(2)} s; runner dump phase ${(pair.dumpMs / 1000).toFixed(2)} s, ` +
            `end to end ${(runner.wallMs / 1000).toFixed(2)} s, peak RSS ${((runner.peakRssBytes ?? 0) / MB).toFixed(1)} MB; ` +
            `CPU: plain ${round2(plain.cpuSeconds)} s own, ${round2(plain.machineBusyCores)} cores busy machine-wide; runner ${round2(runner.cpuSeconds)} s own (pg_dump included), ${round2(runner.machineBusyCores)} cores busy` +
            (pair.pgDumpInRunner ? `; the runner's pg_dump ${pair.pgDumpInRunner.cpuSeconds.toFixed(2)} s CPU in ${pair.pgDumpInRunner.wallSeconds.toFixed(2)} s` : ''),
        );
      }
      const ratiosDump = pairs.map((p) => p.plain.wallMs / p.dumpMs);
      const ratiosEndToEnd = pairs.map((p) => p.plain.wallMs / p.runner.wallMs);
      // The figures of the pair whose end-to-end ratio is the median.
      const mid = pairs[ratiosEndToEnd.indexOf(median(ratiosEndToEnd))];
      const mbps = (ms: number) => Number((sizeBytes / MB / (ms / 1000)).toFixed(1));
      results[label] = {
        databaseMb: Number((sizeBytes / MB).toFixed(0)),
        archiveMb: Number((mid.archiveBytes / MB).toFixed(1)),
        pairs: pairs.length,
        plainPgDumpSeconds: Number((mid.plain.wallMs / 1000).toFixed(2)),
        runnerDumpPhaseSeconds: Number((mid.dumpMs / 1000).toFixed(2)),
        runnerEndToEndSeconds: Number((mid.runner.wallMs / 1000).toFixed(2)),
        verifyMs: mid.verifyMs,
        plainMBps: mbps(mid.plain.wallMs),
        runnerDumpPhaseMBps: mbps(mid.dumpMs),
        runnerEndToEndMBps: mbps(mid.runner.wallMs),
        throughputRatioDumpPhase: Number(median(ratiosDump).toFixed(3)),
        throughputRatioEndToEnd: Number(median(ratiosEndToEnd).toFixed(3)),
        ratiosDumpPhase: ratiosDump.map((r) => Number(r.toFixed(3))),
        ratiosEndToEnd: ratiosEndToEnd.map((r) => Number(r.toFixed(3))),
        // Memory is not noise: the highest of the runs.
        runnerPeakRssMb: Number((Math.max(...pairs.map((p) => p.runner.peakRssBytes ?? 0)) / MB).toFixed(1)),
        cpu: {
          cores: cores(),
          plainPgDumpCpuSeconds: round2(mid.plain.cpuSeconds),
          runnerCpuSeconds: round2(mid.runner.cpuSeconds),
          plainMachineBusyCores: round2(mid.plain.machineBusyCores),
          runnerMachineBusyCores: round2(mid.runner.machineBusyCores),
          // The same dump's CPU seconds inside the runner over alone: above 1, pg_dump itself ran slower beside its neighbours.
          pgDumpCpuInRunnerOverAlone: mid.pgDumpInRunner && mid.plain.cpuSeconds ? round2(mid.pgDumpInRunner.cpuSeconds / mid.plain.cpuSeconds) : undefined,
          runnerPgDumpCpuSeconds: round2(mid.pgDumpInRunner?.cpuSeconds),
          runnerPgDumpWallSeconds: round2(mid.pgDumpInRunner?.wallSeconds),
        },
      };
    }
    const small = results.small as { runnerPeakRssMb: number };
    const big = results.big as { runnerPeakRssMb: number; throughputRatioDumpPhase: number; throughputRatioEndToEnd: number };
    const summary = {
      bench: 'backup',
      rssMethod: existsSync('/usr/bin/time') ? '/usr/bin/time -v' : '/proc VmHWM polling',
      smallMb,
      bigMb,
      ...results,
      throughputRatio: big.throughputRatioDumpPhase,
      throughputRatioEndToEnd: big.throughputRatioEndToEnd,
      peakRssMb: { small: small.runnerPeakRssMb, big: big.runnerPeakRssMb },
      rssGrowthPercent: Number((((big.runnerPeakRssMb - small.runnerPeakRssMb) / small.runnerPeakRssMb) * 100).toFixed(1)),
      targets: { throughputRatioAtLeast: 0.9, peakRssAtMostMb: 150, rssWithinPercent: 10 },
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    await sim.stop().catch(() => undefined);
    await azurite.stop().catch(() => undefined);
    await pg.stop().catch(() => undefined);
    if (pgTools) rmSync(pgTools.binDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
