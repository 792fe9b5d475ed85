/**
 * Where devhost keeps each timer's schedule status between runs, so a restarted host knows
 * it missed an occurrence (Azure's schedule monitor keeps the same record in blob storage under
 * `azure-webjobs-hosts/timers/...`). One JSON file per function under `<dataDir>/timers/`.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface ScheduleStatus {
  /** The last occurrence that ran (ISO string). */
  last: string;
  /** The next occurrence expected (ISO string). */
  next: string;
  /** When this record was written (ISO string). */
  lastUpdated: string;
}

export class TimerStatusStore {
  constructor(private readonly directory: string) {}

  private fileFor(functionName: string): string {
    return path.join(this.directory, 'timers', `${encodeURIComponent(functionName)}.json`);
  }

  async read(functionName: string): Promise<ScheduleStatus | undefined> {
    let text: string;
    try {
      text = await readFile(this.fileFor(functionName), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as Partial<ScheduleStatus>;
      if (typeof parsed.last === 'string' && typeof parsed.next === 'string' && typeof parsed.lastUpdated === 'string') {
        return { last: parsed.last, next: parsed.next, lastUpdated: parsed.lastUpdated };
      }
    } catch {
      // A torn or hand-edited file: treat as no record, as Azure does with an unreadable status blob.
    }
    return undefined;
  }

  async write(functionName: string, status: ScheduleStatus): Promise<void> {
    const file = this.fileFor(functionName);
    await mkdir(path.dirname(file), { recursive: true });
    // Write-then-rename so a crash mid-write never leaves a torn record.
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(status), 'utf8');
    await rename(temporary, file);
  }
}
