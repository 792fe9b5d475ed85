/**
 * startAzurite: the shared way any suite gets real Blob/Queue/Table storage.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { needsLocalStorage, startAzurite, type RunningAzurite } from '../../devhost/azurite';

describe('startAzurite', () => {
  let azurite: RunningAzurite | undefined;

  afterEach(async () => {
    await azurite?.stop();
    azurite = undefined;
  });

  it('serves tables, blobs and queues on free ports through the connection string', async () => {
    azurite = await startAzurite();
    expect(azurite.connectionString).toMatch(/^DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=[^;]+;BlobEndpoint=http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1;/);

    const table = TableClient.fromConnectionString(azurite.connectionString, 'roundtrip', { allowInsecureConnection: true });
    await table.createTable();
    await table.createEntity({ partitionKey: 'release', rowKey: '1', image: 'web:1.2.3' });
    expect((await table.getEntity<{ image: string }>('release', '1')).image).toBe('web:1.2.3');

    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('backups');
    await container.create();
    await container.getBlockBlobClient('a.txt').upload('hello', 5);
    expect((await container.getBlockBlobClient('a.txt').downloadToBuffer()).toString()).toBe('hello');

    const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient('work');
    await queue.create();
    await queue.sendMessage('m1');
    expect((await queue.receiveMessages()).receivedMessageItems[0].messageText).toBe('m1');
  });

  it('runs two instances side by side, and removes its temp folder on stop', async () => {
    azurite = await startAzurite();
    const second = await startAzurite();
    try {
      expect(second.tableEndpoint).not.toBe(azurite.tableEndpoint);
    } finally {
      await second.stop();
    }
    expect(existsSync(second.location)).toBe(false);
  });

  it('keeps data in a given location across restarts', async () => {
    const location = await mkdtemp(path.join(os.tmpdir(), 'azurite-keep-'));
    try {
      const first = await startAzurite({ location });
      const table = TableClient.fromConnectionString(first.connectionString, 'kept', { allowInsecureConnection: true });
      await table.createTable();
      await table.createEntity({ partitionKey: 'p', rowKey: 'r', n: 1 });
      await first.stop();

      azurite = await startAzurite({ location });
      const again = TableClient.fromConnectionString(azurite.connectionString, 'kept', { allowInsecureConnection: true });
      expect((await again.getEntity<{ n: number }>('p', 'r')).n).toBe(1);
    } finally {
      await azurite?.stop();
      azurite = undefined;
      await rm(location, { recursive: true, force: true });
    }
  });
});

describe('needsLocalStorage', () => {
  it.each([
    [undefined, true],
    ['', true],
    ['UseDevelopmentStorage=true', true],
    ['DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=abc;EndpointSuffix=core.windows.net', false],
  ])('AzureWebJobsStorage=%p -> %p', (value, expected) => {
    expect(needsLocalStorage(value)).toBe(expected);
  });
});
