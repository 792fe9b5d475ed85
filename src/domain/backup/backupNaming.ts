/**
 * Backup ids and blob names that sort by time: `<yyyymmddThhmmssZ>-<6 hex>`, so a plain
 * lexicographic listing (Blob prefixes, Table row keys) is chronological. The blob lives at
 * `<database>/<backupId>.dump` (custom-format pg_dump archive).
 */

const ID_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-([0-9a-f]{6})$/;

/** `suffix`: 6 hex characters of randomness supplied by the caller (keeps this function pure). */
export function newBackupId(at: Date, suffix: string): string {
  if (!/^[0-9a-f]{6}$/.test(suffix)) throw new Error('backup id suffix must be 6 lowercase hex characters');
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return `${stamp}-${suffix}`;
}

export function isBackupId(value: string): boolean {
  return ID_PATTERN.test(value);
}

/** The time encoded in a backup id, or undefined when it is not one. */
export function backupIdTime(backupId: string): Date | undefined {
  const m = ID_PATTERN.exec(backupId);
  if (!m) return undefined;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

export function backupBlobName(database: string, backupId: string): string {
  return `${database}/${backupId}.dump`;
}

/** Scratch database a drill restores into: a name that cannot collide with an application's. */
export function drillDatabaseName(drillId: string): string {
  return `hm_drill_${drillId.toLowerCase().replace(/[^a-z0-9]/g, '_')}`;
}
