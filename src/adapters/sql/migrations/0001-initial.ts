import { type ColumnDefinitionBuilder, type Kysely, type Migration, sql } from 'kysely';
import { sqlFlavor } from '../sql-flavor.js';

// Migrations must not import the live schema types: they describe the schema as it was then.
// biome-ignore lint/suspicious/noExplicitAny: see above.
type AnyDb = Kysely<any>;

/**
 * The first schema: training jobs, tags, CloudWatch-style logs and metrics.
 *
 * Written once for SQLite and PostgreSQL: epoch-millisecond times are `bigint` (SQLite gives
 * it INTEGER affinity), JSON is `text`, metric values are `double precision`. The only
 * dialect branches are the auto-increment id and a binary collation for names, so that
 * "sort by name" orders the same way on both (PostgreSQL's default collation follows the
 * locale; SQLite compares bytes).
 */
export const initialMigration: Migration = {
  async up(db: AnyDb): Promise<void> {
    const postgres = sqlFlavor(db) === 'postgres';
    const name = postgres ? sql`text collate "C"` : sql`text`;
    // SQLite's AUTOINCREMENT guarantees ids are never reused, which id-based paging relies on.
    const id = (c: ColumnDefinitionBuilder) =>
      postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement();
    const idType = postgres ? 'bigint' : 'integer';

    await db.schema
      .createTable('training_jobs')
      .addColumn('name', name, (c) => c.primaryKey())
      .addColumn('arn', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('secondary_status', 'text', (c) => c.notNull())
      .addColumn('creation_time', 'bigint', (c) => c.notNull())
      .addColumn('last_modified_time', 'bigint', (c) => c.notNull())
      .addColumn('record', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('training_jobs_creation_time')
      .on('training_jobs')
      .columns(['creation_time', 'name'])
      .execute();
    await db.schema
      .createIndex('training_jobs_status')
      .on('training_jobs')
      .columns(['status', 'name'])
      .execute();

    await db.schema
      .createTable('tags')
      .addColumn('resource_arn', 'text', (c) => c.notNull())
      .addColumn('key', name, (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('tags_pk', ['resource_arn', 'key'])
      .execute();

    await db.schema
      .createTable('log_streams')
      .addColumn('log_group', 'text', (c) => c.notNull())
      .addColumn('log_stream', name, (c) => c.notNull())
      .addColumn('creation_time', 'bigint', (c) => c.notNull())
      .addColumn('first_event_timestamp', 'bigint')
      .addColumn('last_event_timestamp', 'bigint')
      .addColumn('last_ingestion_time', 'bigint')
      .addColumn('stored_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('log_streams_pk', ['log_group', 'log_stream'])
      .execute();

    await db.schema
      .createTable('log_events')
      .addColumn('id', idType, id)
      .addColumn('log_group', 'text', (c) => c.notNull())
      .addColumn('log_stream', name, (c) => c.notNull())
      .addColumn('timestamp', 'bigint', (c) => c.notNull())
      .addColumn('ingestion_time', 'bigint', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('log_events_stream_id')
      .on('log_events')
      .columns(['log_group', 'log_stream', 'id'])
      .execute();
    await db.schema
      .createIndex('log_events_group_time')
      .on('log_events')
      .columns(['log_group', 'timestamp'])
      .execute();

    await db.schema
      .createTable('metrics')
      .addColumn('id', idType, id)
      .addColumn('job_name', 'text', (c) => c.notNull())
      .addColumn('metric_name', 'text', (c) => c.notNull())
      // Nullable: NULL is how NaN is stored (SQLite turns a NaN double into NULL anyway).
      .addColumn('value', 'double precision')
      .addColumn('timestamp', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('metrics_job_metric_time')
      .on('metrics')
      .columns(['job_name', 'metric_name', 'timestamp'])
      .execute();
  },

  async down(db: AnyDb): Promise<void> {
    for (const table of ['metrics', 'log_events', 'log_streams', 'tags', 'training_jobs']) {
      await db.schema.dropTable(table).execute();
    }
  },
};
