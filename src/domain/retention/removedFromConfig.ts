/**
 * When the records of an app or database that left the configuration may go. Removal alone never
 * deletes anything: a name removed by mistake and put back keeps every record. The daily prune
 * notes the first day it finds records of a name the configuration lacks ("absent since"), forgets
 * that note once the name is configured again, and lets the name's records go only once it has
 * been absent for the whole record retention.
 */

export interface AbsenceDecision {
  /** Names absent now and not noted yet: note them as absent since `now`. */
  readonly note: string[];
  /** Noted names configured again (or with no records left): drop the note. */
  readonly unnote: string[];
  /** Names absent for at least the retention: their records may go. */
  readonly forget: string[];
}

/**
 * `withRecords`: names some record is kept under; `configured`: names the configuration has now;
 * `absentSince`: the notes so far (name → ISO time); `olderThan`: now minus the record retention.
 */
export function decideAbsences(input: { withRecords: Iterable<string>; configured: ReadonlySet<string>; absentSince: ReadonlyMap<string, string>; olderThan: Date }): AbsenceDecision {
  const withRecords = new Set(input.withRecords);
  const note: string[] = [];
  const forget: string[] = [];
  for (const name of [...withRecords].sort()) {
    if (input.configured.has(name)) continue;
    const since = input.absentSince.get(name);
    if (since === undefined) note.push(name);
    else if (Date.parse(since) <= input.olderThan.getTime()) forget.push(name);
  }
  const unnote = [...input.absentSince.keys()].filter((name) => input.configured.has(name) || !withRecords.has(name)).sort();
  return { note, unnote, forget };
}
