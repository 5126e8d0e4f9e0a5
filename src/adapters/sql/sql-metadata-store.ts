import type { Kysely } from 'kysely';
import type { MetadataStore } from '../../ports/metadata-store.js';
import { SqlEndpointMetricStore } from './endpoint-metric-store.js';
import { SqlLogStore } from './log-store.js';
import { SqlMetricStore } from './metric-store.js';
import { SqlResourceStore } from './resource-store.js';
import type { MetadataDatabase } from './schema.js';
import { SqlTagStore } from './tag-store.js';
import { SqlTrainingJobStore } from './training-job-store.js';
import { SqlWorkQueueStore } from './work-queue-store.js';

/**
 * The metadata store over any Kysely dialect with the schema migrated. `now` (epoch ms) stamps
 * log ingestion and drives the work queue's leases and not-before times. The sub-stores write
 * portable SQL, so SQLite and PostgreSQL differ only in how the `Kysely` was built (and in the
 * row locking of the work queue's claim).
 */
export class SqlMetadataStore implements MetadataStore {
  readonly trainingJobs: SqlTrainingJobStore;
  readonly tags: SqlTagStore;
  readonly logs: SqlLogStore;
  readonly metrics: SqlMetricStore;
  readonly resources: SqlResourceStore;
  readonly workQueue: SqlWorkQueueStore;
  readonly endpointMetrics: SqlEndpointMetricStore;

  constructor(
    private readonly db: Kysely<MetadataDatabase>,
    now: () => number,
  ) {
    this.trainingJobs = new SqlTrainingJobStore(db);
    this.tags = new SqlTagStore(db);
    this.logs = new SqlLogStore(db, now);
    this.metrics = new SqlMetricStore(db);
    this.resources = new SqlResourceStore(db);
    this.workQueue = new SqlWorkQueueStore(db, now);
    this.endpointMetrics = new SqlEndpointMetricStore(db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
