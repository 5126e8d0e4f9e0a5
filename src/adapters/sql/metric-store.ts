import type { Kysely } from 'kysely';
import type { MetricValue } from '../../domain/training-job.js';
import type { MetricStore } from '../../ports/metadata-store.js';
import type { MetadataDatabase } from './schema.js';
import { chunk, toNumber } from './sql-values.js';

const rowsPerInsert = 500;

/** Metric points of training jobs, in the order they were observed. */
export class SqlMetricStore implements MetricStore {
  constructor(private readonly db: Kysely<MetadataDatabase>) {}

  async append(jobName: string, points: readonly MetricValue[]): Promise<void> {
    if (points.length === 0) return;
    const rows = points.map((p) => ({
      job_name: jobName,
      metric_name: p.MetricName,
      value: Number.isNaN(p.Value) ? null : p.Value,
      timestamp: p.Timestamp,
    }));
    await this.db.transaction().execute(async (trx) => {
      for (const batch of chunk(rows, rowsPerInsert)) await trx.insertInto('metrics').values(batch).execute();
    });
  }

  async series(jobName: string, metricName?: string): Promise<MetricValue[]> {
    let q = this.db
      .selectFrom('metrics')
      .select(['metric_name', 'value', 'timestamp'])
      .where('job_name', '=', jobName);
    if (metricName !== undefined) q = q.where('metric_name', '=', metricName);
    // id breaks timestamp ties: points logged in the same millisecond keep their order.
    const rows = await q.orderBy('timestamp').orderBy('id').execute();
    return rows.map((r) => ({
      MetricName: r.metric_name,
      Value: r.value === null ? Number.NaN : r.value,
      Timestamp: toNumber(r.timestamp),
    }));
  }
}
