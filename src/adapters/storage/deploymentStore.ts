/**
 * Deployment records in Table storage: kept beyond the orchestration's own history and its
 * purge, and read by the status API. One row per deployment (partition = app).
 */
import type { TableClient } from '@azure/data-tables';
import type { DeploymentKind, DeploymentPhase, DeploymentRecord, ImageRef, AnalysisRunRecord, RolloutProgress, StepRecord } from '../../domain/deployment';
import { TERMINAL_PHASES } from '../../domain/deployment';
import { TableNames, type TableProvider } from './tables';

interface DeploymentEntity {
  partitionKey: string;
  rowKey: string;
  kind?: string;
  phase: string;
  image: string;
  source: string;
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

export interface StepUpdate {
  name: StepRecord['step'];
  /** A release group's member the step ran for. */
  member?: string;
  outcome: StepRecord['outcome'];
  detail?: string;
}

export class DeploymentStore {
  constructor(private readonly tables: TableProvider) {}

  async create(input: {
    id: string;
    app: string;
    kind?: DeploymentKind;
    image: ImageRef;
    source: string;
    at: string;
    phase?: DeploymentPhase;
    reason?: string;
    group?: DeploymentRecord['group'];
  }): Promise<DeploymentRecord> {
    const record: DeploymentRecord = {
      id: input.id,
      app: input.app,
      kind: input.kind ?? 'deploy',
      phase: input.phase ?? 'verifying',
      image: input.image,
      source: input.source,
      createdAt: input.at,
      updatedAt: input.at,
      reason: input.reason,
      steps: [],
      ...(input.group ? { group: input.group } : {}),
    };
    const table = await this.table();
    await table.upsertEntity(toEntity(record), 'Replace');
    return record;
  }

  async get(id: string): Promise<DeploymentRecord | undefined> {
    const table = await this.table();
    for await (const entity of table.listEntities<DeploymentEntity>({ queryOptions: { filter: `RowKey eq '${escapeOData(id)}'` } })) {
      return fromEntity(entity);
    }
    return undefined;
  }

  async list(filter: { app?: string; phase?: string; limit?: number } = {}): Promise<DeploymentRecord[]> {
    const table = await this.table();
    const clauses: string[] = [];
    if (filter.app) clauses.push(`PartitionKey eq '${escapeOData(filter.app)}'`);
    if (filter.phase) clauses.push(`phase eq '${escapeOData(filter.phase)}'`);
    const records: DeploymentRecord[] = [];
    for await (const entity of table.listEntities<DeploymentEntity>({ queryOptions: clauses.length ? { filter: clauses.join(' and ') } : undefined })) {
      records.push(fromEntity(entity));
    }
    records.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return records.slice(0, filter.limit ?? 50);
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
      const entity = await table.getEntity<DeploymentEntity>(app, id);
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
        await table.updateEntity(toEntity(record), 'Replace', { etag: entity.etag });
        return record;
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 412 || attempt >= 5) throw error;
      }
    }
  }

  private table(): Promise<TableClient> {
    return this.tables.get(TableNames.deployments);
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

function toEntity(record: DeploymentRecord): DeploymentEntity {
  return {
    partitionKey: record.app,
    rowKey: record.id,
    kind: record.kind,
    phase: record.phase,
    image: JSON.stringify(record.image),
    source: record.source,
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
    id: entity.rowKey,
    app: entity.partitionKey,
    kind: (entity.kind as DeploymentKind | undefined) ?? 'deploy',
    phase: entity.phase as DeploymentPhase,
    image: JSON.parse(entity.image) as ImageRef,
    source: entity.source,
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

export function escapeOData(value: string): string {
  return value.replace(/'/g, "''");
}
