import { type Kysely, sql } from 'kysely';
import type { EndpointMetricStore, MetricAggregate } from '../../ports/metadata-store.js';
import type { MetadataDatabase } from './schema.js';
import { chunk, toNumber } from './sql-values.js';

// Eight parameters a row: far below SQLite's and PostgreSQL's bound-parameter limits.
const rowsPerInsert = 500;

/** The query of `query`, as the port declares it. */
type EndpointMetricQuery = Parameters<EndpointMetricStore['query']>[1];

/**
 * Per-minute aggregates of endpoint metrics. `add` merges into the stored minute in the
 * database (INSERT … ON CONFLICT DO UPDATE), so concurrent writers never lose each other's counts.
 */
export class SqlEndpointMetricStore implements EndpointMetricStore {
  constructor(private readonly db: Kysely<MetadataDatabase>) {}

  async add(aggregates: readonly MetricAggregate[]): Promise<void> {
    if (aggregates.length === 0) return;
    // One INSERT … ON CONFLICT cannot touch a row twice (PostgreSQL refuses), so aggregates of
    // the same minute in one call are merged here first.
    const merged = new Map<string, MetricAggregate>();
    for (const a of aggregates) {
      const key = JSON.stringify([a.endpoint, a.variant, a.metric, a.minute]);
      const seen = merged.get(key);
      merged.set(key, seen === undefined ? a : mergeAggregates(seen, a));
    }
    const rows = [...merged.values()].map((a) => ({
      endpoint: a.endpoint,
      variant: a.variant,
      metric: a.metric,
      minute: a.minute,
      sum: a.sum,
      count: a.count,
      min: a.min,
      max: a.max,
    }));
    await this.db.transaction().execute(async (trx) => {
      for (const batch of chunk(rows, rowsPerInsert)) {
        await trx
          .insertInto('endpoint_metrics')
          .values(batch)
          .onConflict((oc) =>
            oc.columns(['endpoint', 'variant', 'metric', 'minute']).doUpdateSet({
              // Qualified: PostgreSQL needs the table name for the stored row in DO UPDATE.
              // CASE rather than min()/least(), which the two dialects spell differently.
              sum: sql<number>`endpoint_metrics.sum + excluded.sum`,
              count: sql<number>`endpoint_metrics.count + excluded.count`,
              min: sql<number>`case when excluded.min < endpoint_metrics.min then excluded.min else endpoint_metrics.min end`,
              max: sql<number>`case when excluded.max > endpoint_metrics.max then excluded.max else endpoint_metrics.max end`,
            }),
          )
          .execute();
      }
    });
  }

  /** Aggregates of minutes in [start, end), ordered by minute, then variant, then metric. */
  async query(endpoint: string, options: EndpointMetricQuery): Promise<MetricAggregate[]> {
    let q = this.db
      .selectFrom('endpoint_metrics')
      .selectAll()
      .where('endpoint', '=', endpoint)
      .where('minute', '>=', options.start)
      .where('minute', '<', options.end);
    if (options.variant !== undefined) q = q.where('variant', '=', options.variant);
    if (options.metric !== undefined) q = q.where('metric', '=', options.metric);
    const rows = await q.orderBy('minute').orderBy('variant').orderBy('metric').execute();
    return rows.map((r) => ({
      endpoint: r.endpoint,
      variant: r.variant,
      metric: r.metric,
      minute: toNumber(r.minute),
      sum: r.sum,
      count: toNumber(r.count),
      min: r.min,
      max: r.max,
    }));
  }
}

function mergeAggregates(a: MetricAggregate, b: MetricAggregate): MetricAggregate {
  return {
    ...a,
    sum: a.sum + b.sum,
    count: a.count + b.count,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
  };
}
