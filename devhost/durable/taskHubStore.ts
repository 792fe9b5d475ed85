/**
 * The task hub in Azure Storage (Azurite locally), laid out as the Durable Task Azure Storage
 * provider lays it out: one Instances row per instance (PartitionKey = instance id, RowKey ""),
 * one History row per event (PartitionKey = instance id, RowKey = sequence number), a control
 * queue for orchestrator messages, a work-item queue for activities, and a blob container for
 * payloads larger than a table column takes.
 */
import { TableClient, odata, type TableEntity, type TransactionAction } from '@azure/data-tables';
import { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import type { HistoryEvent, ParentInstance, RuntimeStatus } from './history';
import { taskHubResourceNames, type TaskHubResourceNames } from './taskHubNames';

const STORAGE_TIMEOUT_MS = 15_000;
/** Table string columns hold 64 KiB of UTF-16; anything longer goes to a blob. */
const MAX_INLINE_CHARS = 30_000;
const TRANSACTION_LIMIT = 100;

export interface InstanceRecord {
  instanceId: string;
  name: string;
  executionId: string;
  runtimeStatus: RuntimeStatus;
  /** JSON text. */
  input?: string;
  /** JSON text (the failure message, as JSON text, for Failed; the reason for Terminated). */
  output?: string;
  /** JSON text. */
  customStatus?: string;
  createdTime: Date;
  lastUpdatedTime: Date;
  parent?: ParentInstance;
}

export interface InstanceQuery {
  runtimeStatus?: RuntimeStatus[];
  createdTimeFrom?: Date;
  createdTimeTo?: Date;
}

export interface ControlMessage {
  messageId: string;
  instanceId: string;
  /** The execution the event is for; events for an earlier execution (before continue-as-new) are dropped. */
  executionId?: string;
  event: HistoryEvent;
}

export interface WorkItemMessage {
  messageId: string;
  instanceId: string;
  executionId: string;
  eventId: number;
  name: string;
  /** JSON text. */
  input?: string;
}

export interface ReceivedMessage<T> {
  body: T;
  queueMessageId: string;
  popReceipt: string;
  dequeueCount: number;
}

const timeout = (): { abortSignal: AbortSignal } => ({ abortSignal: AbortSignal.timeout(STORAGE_TIMEOUT_MS) });

/** JSON with Dates: event times travel as ISO text and come back as Dates. */
const DATE_FIELDS = new Set(['Timestamp', 'FireAt']);
export function encodeMessage(value: unknown): string {
  return JSON.stringify(value);
}
export function decodeMessage<T>(text: string): T {
  return JSON.parse(text, (key, v: unknown) => (DATE_FIELDS.has(key) && typeof v === 'string' ? new Date(v) : v)) as T;
}

const HISTORY_FIELDS = [
  'Name', 'Input', 'Result', 'Reason', 'Details', 'TaskScheduledId', 'TimerId', 'FireAt',
  'InstanceId', 'OrchestrationStatus', 'MessageId', 'FollowUpOf',
] as const;
const LARGE_FIELDS = ['Input', 'Result', 'Details', 'Output', 'CustomStatus'];

export class TaskHubStore {
  readonly names: TaskHubResourceNames;
  private readonly instances: TableClient;
  private readonly history: TableClient;
  private readonly control: QueueClient;
  private readonly workItems: QueueClient;
  private readonly blobs: ContainerClient;
  /** Next history RowKey per instance (the table keeps every execution's rows). */
  private readonly nextRow = new Map<string, number>();

  constructor(connectionString: string, hubName: string) {
    this.names = taskHubResourceNames(hubName);
    const tableOptions = { allowInsecureConnection: true };
    this.instances = TableClient.fromConnectionString(connectionString, this.names.instancesTable, tableOptions);
    this.history = TableClient.fromConnectionString(connectionString, this.names.historyTable, tableOptions);
    const queues = QueueServiceClient.fromConnectionString(connectionString);
    this.control = queues.getQueueClient(this.names.controlQueue);
    this.workItems = queues.getQueueClient(this.names.workItemQueue);
    this.blobs = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(this.names.largeMessageContainer);
  }

  /** Creates the hub's tables, queues and container if they do not exist. */
  async createIfNotExists(): Promise<void> {
    await Promise.all([
      this.instances.createTable(timeout()),
      this.history.createTable(timeout()),
      this.control.createIfNotExists(timeout()),
      this.workItems.createIfNotExists(timeout()),
      this.blobs.createIfNotExists(timeout()),
    ]);
  }

  // ---- Instances table ----

  async getInstance(instanceId: string): Promise<InstanceRecord | undefined> {
    try {
      const entity = await this.instances.getEntity<Record<string, unknown>>(instanceId, '', timeout());
      return this.toInstance(await this.unpackLarge(entity));
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }

  async putInstance(record: InstanceRecord): Promise<void> {
    const entity: TableEntity<Record<string, unknown>> = {
      partitionKey: record.instanceId,
      rowKey: '',
      Name: record.name,
      ExecutionId: record.executionId,
      RuntimeStatus: record.runtimeStatus,
      Input: record.input,
      Output: record.output,
      CustomStatus: record.customStatus,
      CreatedTime: record.createdTime,
      LastUpdatedTime: record.lastUpdatedTime,
      ParentInstance: record.parent ? JSON.stringify(record.parent) : undefined,
    };
    await this.instances.upsertEntity(await this.packLarge(entity, `${record.instanceId}/instance`), 'Replace', timeout());
  }

  async listInstances(query: InstanceQuery = {}): Promise<InstanceRecord[]> {
    const clauses: string[] = [];
    if (query.runtimeStatus && query.runtimeStatus.length > 0) {
      clauses.push(`(${query.runtimeStatus.map((s) => odata`RuntimeStatus eq ${s}`).join(' or ')})`);
    }
    if (query.createdTimeFrom) clauses.push(odata`CreatedTime ge ${query.createdTimeFrom}`);
    if (query.createdTimeTo) clauses.push(odata`CreatedTime le ${query.createdTimeTo}`);
    const filter = clauses.length > 0 ? clauses.join(' and ') : undefined;
    const out: InstanceRecord[] = [];
    for await (const entity of this.instances.listEntities<Record<string, unknown>>({ queryOptions: { filter }, ...timeout() })) {
      out.push(this.toInstance(await this.unpackLarge(entity)));
    }
    return out.sort((a, b) => a.createdTime.getTime() - b.createdTime.getTime());
  }

  /** Deletes an instance's row and all its history rows; false if there was no such instance. */
  async purgeInstance(instanceId: string): Promise<boolean> {
    const existed = (await this.getInstance(instanceId)) !== undefined;
    const rows: TransactionAction[] = [];
    for await (const row of this.history.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${instanceId}`, select: ['RowKey'] }, ...timeout() })) {
      rows.push(['delete', { partitionKey: instanceId, rowKey: row.rowKey as string }]);
    }
    for (let i = 0; i < rows.length; i += TRANSACTION_LIMIT) {
      await this.history.submitTransaction(rows.slice(i, i + TRANSACTION_LIMIT), timeout());
    }
    this.nextRow.delete(instanceId);
    if (existed) await this.instances.deleteEntity(instanceId, '', timeout());
    return existed;
  }

  // ---- History table ----

  /** The history of one execution, oldest first. */
  async readHistory(instanceId: string, executionId: string): Promise<HistoryEvent[]> {
    const events: Array<{ row: number; event: HistoryEvent }> = [];
    let maxRow = -1;
    for await (const entity of this.history.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${instanceId}` }, ...timeout() })) {
      const row = parseInt(entity.rowKey as string, 16);
      maxRow = Math.max(maxRow, row);
      if (entity.ExecutionId !== executionId) continue;
      events.push({ row, event: this.toEvent(await this.unpackLarge(entity)) });
    }
    this.nextRow.set(instanceId, maxRow + 1);
    return events.sort((a, b) => a.row - b.row).map((e) => e.event);
  }

  /** Appends events to an execution's history (one table transaction per 100 events). */
  async appendHistory(instanceId: string, executionId: string, events: readonly HistoryEvent[]): Promise<void> {
    if (events.length === 0) return;
    if (!this.nextRow.has(instanceId)) await this.readHistory(instanceId, executionId);
    let row = this.nextRow.get(instanceId) ?? 0;
    const actions: TransactionAction[] = [];
    for (const event of events) {
      const rowKey = row.toString(16).padStart(16, '0');
      row += 1;
      const entity: TableEntity<Record<string, unknown>> = {
        partitionKey: instanceId,
        rowKey,
        ExecutionId: executionId,
        EventType: event.EventType,
        EventId: event.EventId,
        // `Timestamp` is the table's own column; the provider keeps the event time as `_Timestamp`.
        _Timestamp: event.Timestamp,
        ParentInstance: event.ParentInstance ? JSON.stringify(event.ParentInstance) : undefined,
      };
      for (const field of HISTORY_FIELDS) {
        if (event[field] !== undefined) entity[field] = event[field];
      }
      actions.push(['upsert', await this.packLarge(entity, `${instanceId}/${rowKey}`), 'Replace']);
    }
    for (let i = 0; i < actions.length; i += TRANSACTION_LIMIT) {
      await this.history.submitTransaction(actions.slice(i, i + TRANSACTION_LIMIT), timeout());
    }
    this.nextRow.set(instanceId, row);
  }

  // ---- Queues ----

  async sendControl(message: ControlMessage, delayMs = 0): Promise<void> {
    await this.control.sendMessage(encodeMessage(message), { visibilityTimeout: Math.ceil(delayMs / 1000), ...timeout() });
  }

  async sendWorkItem(message: WorkItemMessage): Promise<void> {
    await this.workItems.sendMessage(encodeMessage(message), timeout());
  }

  receiveControl(max: number, visibilitySeconds: number): Promise<Array<ReceivedMessage<ControlMessage>>> {
    return this.receive<ControlMessage>(this.control, max, visibilitySeconds);
  }

  receiveWorkItems(max: number, visibilitySeconds: number): Promise<Array<ReceivedMessage<WorkItemMessage>>> {
    return this.receive<WorkItemMessage>(this.workItems, max, visibilitySeconds);
  }

  deleteControl(message: ReceivedMessage<unknown>): Promise<void> {
    return this.deleteFrom(this.control, message);
  }

  deleteWorkItem(message: ReceivedMessage<unknown>): Promise<void> {
    return this.deleteFrom(this.workItems, message);
  }

  /** Keeps a message invisible for longer while its work goes on. */
  async extendWorkItem(message: ReceivedMessage<unknown>, visibilitySeconds: number): Promise<void> {
    const result = await this.workItems.updateMessage(message.queueMessageId, message.popReceipt, undefined, visibilitySeconds, timeout());
    if (result.popReceipt) message.popReceipt = result.popReceipt;
  }

  private async receive<T>(queue: QueueClient, max: number, visibilitySeconds: number): Promise<Array<ReceivedMessage<T>>> {
    const response = await queue.receiveMessages({ numberOfMessages: Math.min(32, Math.max(1, max)), visibilityTimeout: visibilitySeconds, ...timeout() });
    return response.receivedMessageItems.map((item) => ({
      body: decodeMessage<T>(item.messageText),
      queueMessageId: item.messageId,
      popReceipt: item.popReceipt,
      dequeueCount: item.dequeueCount,
    }));
  }

  private async deleteFrom(queue: QueueClient, message: ReceivedMessage<unknown>): Promise<void> {
    try {
      await queue.deleteMessage(message.queueMessageId, message.popReceipt, timeout());
    } catch (err) {
      // Gone already, or redelivered under a newer receipt: the newer delivery is handled (and deduplicated) on its own.
      const status = (err as { statusCode?: number }).statusCode;
      if (status !== 404 && status !== 400) throw err;
    }
  }

  // ---- Entity mapping ----

  private toInstance(entity: Record<string, unknown>): InstanceRecord {
    return {
      instanceId: entity.partitionKey as string,
      name: entity.Name as string,
      executionId: entity.ExecutionId as string,
      runtimeStatus: entity.RuntimeStatus as RuntimeStatus,
      input: entity.Input as string | undefined,
      output: entity.Output as string | undefined,
      customStatus: entity.CustomStatus as string | undefined,
      createdTime: new Date(entity.CreatedTime as string),
      lastUpdatedTime: new Date(entity.LastUpdatedTime as string),
      parent: typeof entity.ParentInstance === 'string' ? (JSON.parse(entity.ParentInstance) as ParentInstance) : undefined,
    };
  }

  private toEvent(entity: Record<string, unknown>): HistoryEvent {
    const event: HistoryEvent = {
      EventType: entity.EventType as HistoryEvent['EventType'],
      EventId: entity.EventId as number,
      IsPlayed: true,
      Timestamp: new Date(entity._Timestamp as string),
    };
    const target = event as unknown as Record<string, unknown>;
    for (const field of HISTORY_FIELDS) {
      if (entity[field] !== undefined && entity[field] !== null) target[field] = entity[field];
    }
    if (event.FireAt !== undefined) event.FireAt = new Date(event.FireAt);
    if (typeof entity.ParentInstance === 'string') event.ParentInstance = JSON.parse(entity.ParentInstance) as ParentInstance;
    return event;
  }

  private async packLarge(entity: TableEntity<Record<string, unknown>>, blobPrefix: string): Promise<TableEntity<Record<string, unknown>>> {
    for (const field of LARGE_FIELDS) {
      const value = entity[field];
      if (typeof value === 'string' && value.length > MAX_INLINE_CHARS) {
        const blobName = `${blobPrefix}-${field}`;
        await this.blobs.getBlockBlobClient(blobName).upload(value, Buffer.byteLength(value), timeout());
        delete entity[field];
        entity[`${field}BlobName`] = blobName;
      }
    }
    return entity;
  }

  private async unpackLarge(entity: Record<string, unknown>): Promise<Record<string, unknown>> {
    for (const field of LARGE_FIELDS) {
      const blobName = entity[`${field}BlobName`];
      if (typeof blobName === 'string') {
        const buffer = await this.blobs.getBlockBlobClient(blobName).downloadToBuffer(0, undefined, timeout());
        entity[field] = buffer.toString('utf8');
      }
    }
    return entity;
  }
}
