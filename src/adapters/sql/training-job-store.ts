import type { Insertable, Kysely } from 'kysely';
import type { TrainingJobPatch, TrainingJobRecord } from '../../domain/training-job.js';
import { AwsError } from '../../errors/aws-error.js';
import type { TrainingJobQuery, TrainingJobStore } from '../../ports/metadata-store.js';
import { applyListQuery } from './list-query.js';
import type { MetadataDatabase, TrainingJobsTable } from './schema.js';

/**
 * Training jobs in one table: the record as JSON plus copies of the fields `list` filters and
 * sorts on. Every write derives both from the same record, so they cannot drift.
 */
export class SqlTrainingJobStore implements TrainingJobStore {
  constructor(private readonly db: Kysely<MetadataDatabase>) {}

  async create(job: TrainingJobRecord): Promise<boolean> {
    // ON CONFLICT DO NOTHING decides inside the database: two racing creates cannot both win.
    const result = await this.db
      .insertInto('training_jobs')
      .values(toRow(withoutUndefined(job)))
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async get(name: string): Promise<TrainingJobRecord | undefined> {
    const row = await this.db
      .selectFrom('training_jobs')
      .select('record')
      .where('name', '=', name)
      .executeTakeFirst();
    return row === undefined ? undefined : parseRecord(row.record);
  }

  async update(name: string, patch: TrainingJobPatch): Promise<TrainingJobRecord> {
    return this.db.transaction().execute(async (trx) => {
      // Write before reading: this takes SQLite's write lock (waiting out busy_timeout) or
      // PostgreSQL's row lock first, so no other writer can slip in between our read and write.
      const locked = await trx
        .updateTable('training_jobs')
        .set((eb) => ({ status: eb.ref('status') }))
        .where('name', '=', name)
        .executeTakeFirst();
      if (Number(locked.numUpdatedRows) === 0) {
        throw new AwsError('ResourceNotFound', `Training job ${name} does not exist.`);
      }
      const row = await trx
        .selectFrom('training_jobs')
        .select('record')
        .where('name', '=', name)
        .executeTakeFirstOrThrow();
      const current = parseRecord(row.record);
      // Identity fields are not patchable (the type says so; this holds at runtime too).
      const next = withoutUndefined({
        ...current,
        ...patch,
        name: current.name,
        arn: current.arn,
        request: current.request,
        creationTime: current.creationTime,
      });
      await trx.updateTable('training_jobs').set(toRow(next)).where('name', '=', name).execute();
      return next;
    });
  }

  async list(query: TrainingJobQuery): Promise<TrainingJobRecord[]> {
    const q = applyListQuery(this.db.selectFrom('training_jobs').select('record'), query);
    if (q === undefined) return [];
    const rows = await q.execute();
    return rows.map((r) => parseRecord(r.record));
  }
}

function toRow(job: TrainingJobRecord): Insertable<TrainingJobsTable> {
  return {
    name: job.name,
    arn: job.arn,
    status: job.status,
    secondary_status: job.secondaryStatus,
    creation_time: job.creationTime,
    last_modified_time: job.lastModifiedTime,
    record: JSON.stringify(job),
  };
}

function parseRecord(json: string): TrainingJobRecord {
  return JSON.parse(json) as TrainingJobRecord;
}

/**
 * Drops keys whose value is undefined, as JSON does, so the record `update` returns is exactly
 * the one a later `get` reads back. A patch key set to undefined therefore clears the field.
 */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
