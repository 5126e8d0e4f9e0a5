import { type ColumnDefinitionBuilder, type Kysely, type Migration, sql } from 'kysely';
import { sqlFlavor } from '../sql-flavor.js';

// Migrations must not import the live schema types: they describe the schema as it was then.
// biome-ignore lint/suspicious/noExplicitAny: see above.
type AnyDb = Kysely<any>;

/**
 * Generic resources (models, endpoint configurations, endpoints, transform jobs), the durable
 * work queue, and per-minute endpoint metrics. Same portable style as 0001: `bigint` epoch
 * milliseconds, JSON as `text`, and a binary collation on PostgreSQL for every text column
 * that is sorted on, so both dialects order names the same way.
 */
export const resourcesWorkQueueEndpointMetricsMigration: Migration = {
  async up(db: AnyDb): Promise<void> {
    const postgres = sqlFlavor(db) === 'postgres';
    const sorted = postgres ? sql`text collate "C"` : sql`text`;
    // The queue's insertion order breaks ties between items enqueued in the same millisecond.
    const seq = (c: ColumnDefinitionBuilder) =>
      postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement();

    await db.schema
      .createTable('resources')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('name', sorted, (c) => c.notNull())
      .addColumn('arn', 'text', (c) => c.notNull())
      // NULL for kinds without a status (models, endpoint configurations).
      .addColumn('status', sorted)
      .addColumn('creation_time', 'bigint', (c) => c.notNull())
      .addColumn('last_modified_time', 'bigint', (c) => c.notNull())
      .addColumn('record', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('resources_pk', ['kind', 'name'])
      .execute();
    await db.schema
      .createIndex('resources_kind_creation_time')
      .on('resources')
      .columns(['kind', 'creation_time', 'name'])
      .execute();
    await db.schema
      .createIndex('resources_kind_status')
      .on('resources')
      .columns(['kind', 'status', 'name'])
      .execute();

    await db.schema
      .createTable('work_items')
      .addColumn('seq', postgres ? 'bigint' : 'integer', seq)
      .addColumn('queue', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('enqueued_at', 'bigint', (c) => c.notNull())
      .addColumn('not_before', 'bigint', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'bigint')
      .addUniqueConstraint('work_items_queue_id', ['queue', 'id'])
      .execute();
    // claim scans a queue oldest first and filters on not_before and the lease.
    await db.schema
      .createIndex('work_items_queue_order')
      .on('work_items')
      .columns(['queue', 'enqueued_at', 'seq'])
      .execute();

    await db.schema
      .createTable('endpoint_metrics')
      .addColumn('endpoint', 'text', (c) => c.notNull())
      .addColumn('variant', sorted, (c) => c.notNull())
      .addColumn('metric', sorted, (c) => c.notNull())
      .addColumn('minute', 'bigint', (c) => c.notNull())
      .addColumn('sum', 'double precision', (c) => c.notNull())
      .addColumn('count', 'bigint', (c) => c.notNull())
      .addColumn('min', 'double precision', (c) => c.notNull())
      .addColumn('max', 'double precision', (c) => c.notNull())
      .addPrimaryKeyConstraint('endpoint_metrics_pk', ['endpoint', 'variant', 'metric', 'minute'])
      .execute();
    // query reads one endpoint over a minute range, in (minute, variant, metric) order.
    await db.schema
      .createIndex('endpoint_metrics_endpoint_minute')
      .on('endpoint_metrics')
      .columns(['endpoint', 'minute', 'variant', 'metric'])
      .execute();
  },

  async down(db: AnyDb): Promise<void> {
    for (const table of ['endpoint_metrics', 'work_items', 'resources']) {
      await db.schema.dropTable(table).execute();
    }
  },
};
