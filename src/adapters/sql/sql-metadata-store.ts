import type { Kysely } from 'kysely';
import type { MetadataStore } from '../../ports/metadata-store.js';
import { SqlLogStore } from './log-store.js';
import { SqlMetricStore } from './metric-store.js';
import type { MetadataDatabase } from './schema.js';
import { SqlTagStore } from './tag-store.js';
import { SqlTrainingJobStore } from './training-job-store.js';

/**
 * The metadata store over any Kysely dialect with the schema migrated. The sub-stores write
 * portable SQL, so SQLite and PostgreSQL differ only in how the `Kysely` was built.
 */
export class SqlMetadataStore implements MetadataStore {
  readonly trainingJobs: SqlTrainingJobStore;
  readonly tags: SqlTagStore;
  readonly logs: SqlLogStore;
  readonly metrics: SqlMetricStore;

  constructor(
    private readonly db: Kysely<MetadataDatabase>,
    now: () => number,
  ) {
    this.trainingJobs = new SqlTrainingJobStore(db);
    this.tags = new SqlTagStore(db);
    this.logs = new SqlLogStore(db, now);
    this.metrics = new SqlMetricStore(db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
