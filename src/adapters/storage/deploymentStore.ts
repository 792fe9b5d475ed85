/**
 * Deployment records in Table storage: kept beyond the orchestration's own history and its
 * purge, read by the status API, listed newest first a page at a time.
 *
 * Layout (table HarbormasterDeployments):
 * - the record: PartitionKey = app, RowKey = `D` + the second of its id with every digit inverted
 *   (so an app's records sort newest first) + `-` + the id's nonce; found from the id alone;
 * - an index row per record in partition `~recent`, RowKey = the record's key + `~` + app: every
 *   app's deployments newest first, for listings without `app`;
 * - the layout marker in partition `~meta`.
 * Records written before this layout have RowKey = id and no index row. They are still found by
 * id (`get` and `update` fall back to the old key), and `migrateLegacyRecords` moves them to the
 * new key (one transaction per record, so a record is never lost or doubled) before the first
 * listing of a process; the daily prune runs it again for any written meanwhile.
 */
import type { TableClient, TableEntityResult } from '@azure/data-tables';
import type { DeploymentKind, DeploymentPhase, DeploymentRecord, ImageRef, AnalysisRunRecord, RolloutProgress, StepRecord } from '../../domain/deployment';
import { TERMINAL_PHASES } from '../../domain/deployment';
import { deploymentSecond, parseDeploymentId } from '../../domain/deployment/deploymentId';
import { TableNames, escapeOData, tableStatusOf, type TableProvider } from './tables';

interface DeploymentEntity {
  partitionKey: string;
  rowKey: string;
  /** Absent on records written before the current layout (their row key is the id). */
  id?: string;
  /** Set on the tombstone an old-layout record leaves while it moves: its new row key. */
  movedTo?: string;
  kind?: string;
  phase: string;
  image: string;
  source: string;
  requestedBy?: string;
  createdAt: string;
  updatedAt: string;
  previousRevision?: string;
  newRevision?: string;
  reason?: string;
  steps: string;
  rollout?: string;
  analysis?: string;
  opensAt?: string;
  group?: string;
}

interface IndexEntity {
  partitionKey: string;
  rowKey: string;
  app: string;
  id: string;
}

export interface StepUpdate {
  name: StepRecord['step'];
  /** A release group's member the step ran for. */
  member?: string;
  outcome: StepRecord['outcome'];
  detail?: string;
}

/** Records per page of `GET /api/deployments` unless the caller asks for fewer. */
export const DEFAULT_DEPLOYMENT_PAGE_SIZE = 100;
/** The most records one page holds. */
export const MAX_DEPLOYMENT_PAGE_SIZE = 100;

const RECENT = '~recent';
const META = '~meta';
const LAYOUT_ROW = 'layout';
const LAYOUT_VERSION = 2;
/** Record keys start with this letter; app names (lowercase slugs) never do, so old keys sort apart. */
const KEY_PREFIX = 'D';
const NEXT_PREFIX = 'E';
const RECORD_KEYS = `RowKey ge '${KEY_PREFIX}' and RowKey lt '${NEXT_PREFIX}'`;

export interface DeploymentPage {
  records: DeploymentRecord[];
  continuationToken?: string;
}

export class DeploymentStore {
  private layoutReady: Promise<void> | undefined;

  constructor(private readonly tables: TableProvider) {}

  async create(input: { id: string; app: string; kind?: DeploymentKind; image: ImageRef; source: string; requestedBy?: string; at: string; phase?: DeploymentPhase; reason?: string; group?: DeploymentRecord['group'] }): Promise<DeploymentRecord> {
    const key = recordKey(input.id);
    if (!key || key.app !== input.app) throw new Error(`"${input.id}" is not a deployment id of app "${input.app}"`);
    const record: DeploymentRecord = {
      id: input.id,
      app: input.app,
      kind: input.kind ?? 'deploy',
      phase: input.phase ?? 'verifying',
      image: input.image,
      source: input.source,
      ...(input.requestedBy ? { requestedBy: input.requestedBy } : {}),
      createdAt: input.at,
      updatedAt: input.at,
      reason: input.reason,
      steps: [],
      ...(input.group ? { group: input.group } : {}),
    };
    const table = await this.table();
    await Promise.all([table.upsertEntity(toEntity(record, key.rowKey), 'Replace'), table.upsertEntity(indexEntity(key.app, key.rowKey, input.id), 'Replace')]);
    return record;
  }

  /** The record of a deployment id; undefined for an unknown id or one no deployment could have. */
  async get(id: string): Promise<DeploymentRecord | undefined> {
    const found = await this.read(id);
    return found ? fromEntity(found) : undefined;
  }

  /** The newest records (of one app, in one phase), at most `limit` (capped at MAX_DEPLOYMENT_PAGE_SIZE). */
  async list(filter: { app?: string; phase?: string; limit?: number } = {}): Promise<DeploymentRecord[]> {
    return (await this.listPage({ app: filter.app, phase: filter.phase, maxPageSize: filter.limit })).records;
  }

  /**
   * One page of records, newest first: of one app (one query of its partition), of several apps
   * (`apps`, e.g. a release group's member and its group: one query of the index filtered by app,
   * then each record by its key), or of every app (the same without the filter). At most `maxPageSize` (capped at
   * MAX_DEPLOYMENT_PAGE_SIZE); `continuationToken` is set when there may be more. With `phase`, a
   * page holds the matching records among those it looked at, so it may hold fewer (even none)
   * and still name a next page. A page never reads more than one page of the table.
   */
  async listPage(options: { app?: string; apps?: readonly string[]; phase?: string; maxPageSize?: number; continuationToken?: string } = {}): Promise<DeploymentPage> {
    await this.ensureLayout();
    const table = await this.table();
    const maxPageSize = Math.min(Math.max(1, options.maxPageSize ?? DEFAULT_DEPLOYMENT_PAGE_SIZE), MAX_DEPLOYMENT_PAGE_SIZE);
    const phase = options.phase ? ` and phase eq '${escapeOData(options.phase)}'` : '';
    if (options.app) {
      const filter = `PartitionKey eq '${escapeOData(options.app)}' and ${RECORD_KEYS}${phase}`;
      const page = await table.listEntities<DeploymentEntity>({ queryOptions: { filter } }).byPage({ maxPageSize, continuationToken: options.continuationToken }).next();
      if (page.done) return { records: [] };
      return withToken(newestFirst(page.value.map(fromEntity)), page.value.continuationToken);
    }
    const apps = options.apps && options.apps.length > 0 ? ` and (${options.apps.map((a) => `app eq '${escapeOData(a)}'`).join(' or ')})` : '';
    const page = await table.listEntities<IndexEntity>({ queryOptions: { filter: `PartitionKey eq '${RECENT}'${apps}` } }).byPage({ maxPageSize, continuationToken: options.continuationToken }).next();
    if (page.done) return { records: [] };
    const records = await Promise.all(page.value.map((row) => this.get(row.id)));
    const matching = records.filter((r): r is DeploymentRecord => r !== undefined && (!options.phase || r.phase === options.phase));
    return withToken(newestFirst(matching), page.value.continuationToken);
  }

  /** Records of an app and of the release group it belongs to, newest first. */
  async listWithGroup(app: string, group: string | undefined, filter: { phase?: string; limit?: number } = {}): Promise<DeploymentRecord[]> {
    const lists = await Promise.all([this.list({ ...filter, app }), group ? this.list({ ...filter, app: group }) : Promise.resolve([])]);
    return lists
      .flat()
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, filter.limit ?? 50);
  }

  /**
   * Applies one update from the orchestration. Idempotent: replaying the same step update
   * (same name, outcome and time) leaves the record as it was.
   */
  async update(
    id: string,
    app: string,
    at: string,
    change: { phase?: DeploymentPhase; step?: StepUpdate; previousRevision?: string; newRevision?: string; reason?: string; rollout?: RolloutProgress; analysis?: AnalysisRunRecord[]; opensAt?: string },
  ): Promise<DeploymentRecord> {
    const table = await this.table();
    for (let attempt = 0; ; attempt++) {
      const entity = await this.read(id);
      if (!entity || entity.partitionKey !== app) throw Object.assign(new Error(`No deployment "${id}" of app "${app}"`), { statusCode: 404 });
      const record = fromEntity(entity);
      if (change.phase && !TERMINAL_PHASES.has(record.phase)) record.phase = change.phase;
      else if (change.phase && TERMINAL_PHASES.has(change.phase)) record.phase = change.phase;
      if (change.previousRevision) record.previousRevision = change.previousRevision;
      if (change.newRevision) record.newRevision = change.newRevision;
      if (change.reason) record.reason = change.reason;
      if (change.rollout && (!record.rollout || change.rollout.index >= record.rollout.index || change.rollout.steps.length !== record.rollout.steps.length)) record.rollout = change.rollout;
      if (change.step) applyStep(record.steps, change.step, at);
      if (change.analysis) record.analysis = mergeAnalysis(record.analysis ?? [], change.analysis);
      if (change.opensAt) record.opensAt = change.opensAt;
      else if (change.phase && change.phase !== 'waiting-for-window') delete record.opensAt;
      record.updatedAt = at > record.updatedAt ? at : record.updatedAt;
      try {
        // Written back where it was read (an old-layout record stays there until it is migrated).
        await table.updateEntity(toEntity(record, entity.rowKey), 'Replace', { etag: entity.etag });
        return record;
      } catch (error) {
        // 412: another writer; 404: the record was migrated to its new key meanwhile. Read again.
        const status = tableStatusOf(error);
        if ((status !== 412 && status !== 404) || attempt >= 5) throw error;
      }
    }
  }

  /**
   * Moves every record still under its old key (RowKey = id) to the current layout and writes its
   * index row. Each move is one transaction: the record created under its new key, and the old row
   * replaced by a tombstone only if unchanged since it was read (an update that got in between
   * makes the move wait for the next run; an update that read the old row before the move fails
   * its ETag and reads the new one). Tombstones are deleted afterwards. Safe to run concurrently
   * and again. Returns how many records moved.
   */
  async migrateLegacyRecords(): Promise<number> {
    const table = await this.table();
    const legacy = `PartitionKey lt '~' and (RowKey lt '${KEY_PREFIX}' or RowKey ge '${NEXT_PREFIX}')`;
    let moved = 0;
    for await (const entity of table.listEntities<DeploymentEntity>({ queryOptions: { filter: legacy } })) {
      const key = recordKey(entity.rowKey);
      if (!key || key.app !== entity.partitionKey) continue;
      const old = { partitionKey: entity.partitionKey, rowKey: entity.rowKey };
      if (entity.movedTo === undefined) {
        const { etag, timestamp: _timestamp, ...stored } = entity as TableEntityResult<DeploymentEntity>;
        const fields = Object.fromEntries(Object.entries(stored).filter(([name]) => !name.startsWith('odata.')));
        await table.upsertEntity(indexEntity(key.app, key.rowKey, entity.rowKey), 'Replace');
        try {
          await table.submitTransaction([
            ['create', { ...fields, partitionKey: entity.partitionKey, id: entity.rowKey, rowKey: key.rowKey }],
            ['update', { ...old, movedTo: key.rowKey }, 'Replace', { etag }],
          ]);
          moved++;
        } catch (error) {
          // Moved by another process, or changed since it was read: the next run moves it.
          const status = tableStatusOf(error);
          if (status !== 409 && status !== 412 && status !== 404) throw error;
          continue;
        }
      }
      await ignore404(table.deleteEntity(old.partitionKey, old.rowKey));
    }
    return moved;
  }

  /**
   * Deletes finished deployments created before `olderThan`, with their index rows, except those
   * `keep` names (the deployments of releases still serving or next in line). Never a deployment
   * that has not finished, whatever its age. Returns how many went.
   */
  async prune(olderThan: Date, keep: (record: Pick<DeploymentRecord, 'id' | 'app'>) => boolean): Promise<number> {
    await this.migrateLegacyRecords();
    const table = await this.table();
    const cutoff = `${KEY_PREFIX}${invertDigits(deploymentSecond(olderThan))}`;
    let deleted = 0;
    for await (const row of table.listEntities<IndexEntity>({ queryOptions: { filter: `PartitionKey eq '${RECENT}' and RowKey gt '${cutoff}'` } })) {
      const record = await this.get(row.id);
      if (record && (!TERMINAL_PHASES.has(record.phase) || keep(record) || Date.parse(record.createdAt) >= olderThan.getTime())) continue;
      const key = recordKey(row.id);
      if (record && key) await ignore404(table.deleteEntity(key.app, key.rowKey));
      await ignore404(table.deleteEntity(RECENT, row.rowKey));
      if (record) deleted++;
    }
    return deleted;
  }

  /** The stored entity of `id`: under its key, else (written before the current layout) under the id itself. */
  private async read(id: string): Promise<TableEntityResult<DeploymentEntity> | undefined> {
    const key = recordKey(id);
    if (!key) return undefined;
    const table = await this.table();
    const current = await getOrUndefined<DeploymentEntity>(table, key.app, key.rowKey);
    if (current) return current;
    const old = await getOrUndefined<DeploymentEntity>(table, key.app, id);
    // A tombstone: the record moved between the two reads.
    return old?.movedTo !== undefined ? getOrUndefined<DeploymentEntity>(table, key.app, key.rowKey) : old;
  }

  /** Once per process: records of the old layout are moved before anything is listed. */
  private ensureLayout(): Promise<void> {
    this.layoutReady ??= this.migrateOnce().catch((error: unknown) => {
      this.layoutReady = undefined;
      throw error;
    });
    return this.layoutReady;
  }

  private async migrateOnce(): Promise<void> {
    const table = await this.table();
    const marker = await getOrUndefined<{ version?: number }>(table, META, LAYOUT_ROW);
    if ((marker?.version ?? 0) >= LAYOUT_VERSION) return;
    await this.migrateLegacyRecords();
    await table.upsertEntity({ partitionKey: META, rowKey: LAYOUT_ROW, version: LAYOUT_VERSION }, 'Replace');
  }

  private table(): Promise<TableClient> {
    return this.tables.get(TableNames.deployments);
  }
}

/** Where a deployment's record lives, from its id alone. */
function recordKey(id: string): { app: string; rowKey: string } | undefined {
  const parts = parseDeploymentId(id);
  return parts ? { app: parts.app, rowKey: `${KEY_PREFIX}${invertDigits(parts.second)}-${parts.nonce}` } : undefined;
}

function indexEntity(app: string, rowKey: string, id: string): IndexEntity {
  return { partitionKey: RECENT, rowKey: `${rowKey}~${app}`, app, id };
}

/** 9 − each digit: ascending order of the result is descending order of the input. */
function invertDigits(digits: string): string {
  return digits.replace(/\d/g, (d) => String(9 - Number(d)));
}

/** Keys order by the second; within one second, by creation time. */
function newestFirst(records: DeploymentRecord[]): DeploymentRecord[] {
  return records.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
}

function withToken(records: DeploymentRecord[], continuationToken: string | undefined): DeploymentPage {
  return { records, ...(continuationToken ? { continuationToken } : {}) };
}

async function getOrUndefined<T extends object>(table: TableClient, partitionKey: string, rowKey: string): Promise<TableEntityResult<T> | undefined> {
  try {
    return await table.getEntity<T>(partitionKey, rowKey);
  } catch (error) {
    if (tableStatusOf(error) === 404) return undefined;
    throw error;
  }
}

async function ignore404(promise: Promise<unknown>): Promise<void> {
  try {
    await promise;
  } catch (error) {
    if (tableStatusOf(error) !== 404) throw error;
  }
}

/** A Table string property holds 64 KiB of UTF-16: 32,768 characters. Keep a margin. */
const MAX_ANALYSIS_CHARS = 30_000;

/**
 * Analysis runs as they fit in one property: when they do not, each run keeps fewer of its
 * newest measurements, and at worst only its verdict and reason (which name the deciding
 * measurement). The record is never refused for its size: that would fail the deployment.
 */
export function fitAnalysis(runs: AnalysisRunRecord[]): AnalysisRunRecord[] {
  for (const keep of [Number.POSITIVE_INFINITY, 10, 3, 1, 0]) {
    const fitted = runs.map((run) => (run.measurements.length > keep ? { ...run, measurements: keep === 0 ? [] : run.measurements.slice(-keep) } : run));
    if (JSON.stringify(fitted).length <= MAX_ANALYSIS_CHARS) return fitted;
  }
  // Even the verdicts do not fit: keep the newest runs that do.
  const kept: AnalysisRunRecord[] = [];
  let size = 2;
  for (const run of [...runs].reverse()) {
    const bare = { ...run, measurements: [] };
    size += JSON.stringify(bare).length + 1;
    if (size > MAX_ANALYSIS_CHARS) break;
    kept.unshift(bare);
  }
  return kept;
}

/** A run replaces the stored run of the same step and check (a replayed update leaves it as it was). */
function mergeAnalysis(stored: AnalysisRunRecord[], runs: AnalysisRunRecord[]): AnalysisRunRecord[] {
  const merged = [...stored];
  for (const run of runs) {
    const at = merged.findIndex((r) => r.stepIndex === run.stepIndex && r.check === run.check);
    if (at >= 0) merged[at] = run;
    else merged.push(run);
  }
  return merged;
}

function applyStep(steps: StepRecord[], update: StepUpdate, at: string): void {
  const open = [...steps].reverse().find((s) => s.step === update.name && s.member === update.member && s.outcome === 'running');
  const member = update.member ? { member: update.member } : {};
  if (update.outcome === 'running') {
    if (open) return;
    steps.push({ step: update.name, ...member, outcome: 'running', startedAt: at, detail: update.detail });
    return;
  }
  if (open) {
    open.outcome = update.outcome;
    open.endedAt = at;
    if (update.detail) open.detail = update.detail;
    return;
  }
  const done = steps.find((s) => s.step === update.name && s.member === update.member && s.outcome === update.outcome && s.endedAt === at);
  if (!done) steps.push({ step: update.name, ...member, outcome: update.outcome, startedAt: at, endedAt: at, detail: update.detail });
}

function toEntity(record: DeploymentRecord, rowKey: string): DeploymentEntity {
  return {
    partitionKey: record.app,
    rowKey,
    // The id is the row key of an old-layout record: not repeated there.
    ...(rowKey === record.id ? {} : { id: record.id }),
    kind: record.kind,
    phase: record.phase,
    image: JSON.stringify(record.image),
    source: record.source,
    requestedBy: record.requestedBy,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    previousRevision: record.previousRevision,
    newRevision: record.newRevision,
    reason: record.reason,
    steps: JSON.stringify(record.steps),
    rollout: record.rollout ? JSON.stringify(record.rollout) : undefined,
    analysis: record.analysis ? JSON.stringify(fitAnalysis(record.analysis)) : undefined,
    opensAt: record.opensAt,
    group: record.group ? JSON.stringify(record.group) : undefined,
  };
}

function fromEntity(entity: DeploymentEntity): DeploymentRecord {
  return {
    id: entity.id ?? entity.rowKey,
    app: entity.partitionKey,
    kind: (entity.kind as DeploymentKind | undefined) ?? 'deploy',
    phase: entity.phase as DeploymentPhase,
    image: JSON.parse(entity.image) as ImageRef,
    source: entity.source,
    ...(entity.requestedBy ? { requestedBy: entity.requestedBy } : {}),
    createdAt: entity.createdAt,
    updatedAt: entity.updatedAt,
    previousRevision: entity.previousRevision || undefined,
    newRevision: entity.newRevision || undefined,
    reason: entity.reason || undefined,
    steps: JSON.parse(entity.steps) as StepRecord[],
    rollout: entity.rollout ? (JSON.parse(entity.rollout) as RolloutProgress) : undefined,
    analysis: entity.analysis ? (JSON.parse(entity.analysis) as AnalysisRunRecord[]) : undefined,
    ...(entity.opensAt ? { opensAt: entity.opensAt } : {}),
    ...(entity.group ? { group: JSON.parse(entity.group) as DeploymentRecord['group'] } : {}),
  };
}
