import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openMetadataStore } from '../../../src/adapters/sql/open-metadata-store.js';
import type { TrainingJobRecord } from '../../../src/domain/training-job.js';
import { metadataStoreConformance } from '../../../src/testing/metadata-store-conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'lathe-sqlite-store-'));
let files = 0;
const newFileUrl = () => `sqlite://${join(dir, `nested/dir/store-${files++}.db`)}`;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite metadata store, in memory', () => {
  metadataStoreConformance((options) => openMetadataStore('sqlite::memory:', options));
});

describe('SQLite metadata store, file', () => {
  metadataStoreConformance((options) => openMetadataStore(newFileUrl(), options));
});

describe('SQLite metadata store, file specifics', () => {
  it('keeps data across close and reopen, migrating only once', async () => {
    const url = newFileUrl();
    const job: TrainingJobRecord = {
      name: 'persisted',
      arn: 'arn:aws:sagemaker:us-east-1:000000000000:training-job/persisted',
      status: 'Completed',
      secondaryStatus: 'Completed',
      request: { HyperParameters: { eta: '0.3' } },
      creationTime: 1,
      lastModifiedTime: 2,
      transitions: [{ Status: 'Completed', StartTime: 2, StatusMessage: 'done' }],
      finalMetrics: [{ MetricName: 'loss', Value: 0.5, Timestamp: 2 }],
      attempts: 1,
      stopRequested: false,
    };
    const first = await openMetadataStore(url);
    await first.trainingJobs.create(job);
    await first.logs.append('g', 's', [{ timestamp: 1, message: 'hello' }]);
    await first.close();

    const second = await openMetadataStore(url);
    expect(await second.trainingJobs.get('persisted')).toStrictEqual(job);
    expect(await second.logs.getEvents('g', 's', { fromHead: true, limit: 10 })).toMatchObject([
      { message: 'hello' },
    ]);
    await second.close();
  });

  it('opens the file in WAL mode with the pragmas durability relies on', async () => {
    const url = newFileUrl();
    const store = await openMetadataStore(url);
    await store.close();
    const raw = new Database(url.slice('sqlite://'.length));
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.prepare('select name from kysely_migration order by name').all()).toEqual([
        { name: '0001-initial' },
        { name: '0002-resources-work-queue-endpoint-metrics' },
      ]);
    } finally {
      raw.close();
    }
  });

  it('lets two stores on one file see each other’s writes', async () => {
    const url = newFileUrl();
    const a = await openMetadataStore(url);
    const b = await openMetadataStore(url);
    await a.tags.add('arn:x', [{ Key: 'k', Value: 'v' }]);
    expect(await b.tags.list('arn:x')).toEqual([{ Key: 'k', Value: 'v' }]);
    await a.close();
    await b.close();
  });

  it('migrates a store created at 0001 and keeps its data', async () => {
    const url = newFileUrl();
    const path = url.slice('sqlite://'.length);
    const first = await openMetadataStore(url);
    await first.tags.add('arn:old', [{ Key: 'k', Value: 'v' }]);
    await first.close();
    // Roll the file back to the first schema, as a store written by the previous release.
    const raw = new Database(path);
    try {
      raw.exec('drop table endpoint_metrics; drop table work_items; drop table resources;');
      raw.prepare('delete from kysely_migration where name > ?').run('0001-initial');
    } finally {
      raw.close();
    }
    const second = await openMetadataStore(url);
    try {
      expect(await second.tags.list('arn:old')).toEqual([{ Key: 'k', Value: 'v' }]);
      await second.workQueue.enqueue('q', 'id', { ok: true });
      expect(await second.workQueue.size('q')).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('lets two stores on one file claim from one queue without sharing an item', async () => {
    const url = newFileUrl();
    const a = await openMetadataStore(url);
    const b = await openMetadataStore(url);
    try {
      for (let i = 0; i < 40; i++) await a.workQueue.enqueue('q', `item-${i}`, i);
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 === 0 ? a : b).workQueue.claim('q', `worker-${i}`, 60_000, 6),
        ),
      );
      const ids = claims.flat().map((item) => item.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(40);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('rejects URLs it cannot open, without echoing passwords', async () => {
    await expect(openMetadataStore('sqlite://relative.db')).rejects.toThrow(/absolute path/);
    await expect(openMetadataStore('mysql://u:secret@h/db')).rejects.toThrow(/Unsupported/);
    await expect(openMetadataStore('mysql://u:secret@h/db')).rejects.not.toThrow(/secret/);
    // pg is installed for the PostgreSQL suite: an unreachable server is the failure here.
    await expect(openMetadataStore('postgres://u:secret@127.0.0.1:1/lathe')).rejects.toThrow();
    await expect(openMetadataStore('postgres://u:secret@127.0.0.1:1/lathe')).rejects.not.toThrow(/secret/);
  });
});
