import type { Insertable, Kysely, Selectable } from 'kysely';
import { AwsError } from '../../errors/aws-error.js';
import type {
  ResourceKind,
  ResourceQuery,
  ResourceStore,
  StoredResource,
} from '../../ports/metadata-store.js';
import { applyListQuery } from './list-query.js';
import type { MetadataDatabase, ResourcesTable } from './schema.js';
import { toJson, toNumber } from './sql-values.js';

/** How error messages name each kind, as SageMaker's do ("Could not find endpoint …"). */
const kindNames: Readonly<Record<ResourceKind, string>> = {
  model: 'model',
  'endpoint-config': 'endpoint configuration',
  endpoint: 'endpoint',
  'transform-job': 'transform job',
  'scalable-target': 'scalable target',
  'scaling-policy': 'scaling policy',
  'scaling-activity': 'scaling activity',
};

/**
 * Models, endpoint configurations, endpoints and transform jobs in one table, keyed by kind and
 * name: the resource's own record as JSON plus the columns `list` filters and sorts on. Every
 * write derives both from the same resource, so they cannot drift.
 */
export class SqlResourceStore implements ResourceStore {
  constructor(private readonly db: Kysely<MetadataDatabase>) {}

  async create<T>(resource: StoredResource<T>): Promise<boolean> {
    // ON CONFLICT DO NOTHING decides inside the database: two racing creates cannot both win.
    const result = await this.db
      .insertInto('resources')
      .values(toRow(resource))
      .onConflict((oc) => oc.columns(['kind', 'name']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async get<T>(kind: ResourceKind, name: string): Promise<StoredResource<T> | undefined> {
    const row = await this.db
      .selectFrom('resources')
      .selectAll()
      .where('kind', '=', kind)
      .where('name', '=', name)
      .executeTakeFirst();
    return row === undefined ? undefined : fromRow<T>(row);
  }

  async update<T>(
    kind: ResourceKind,
    name: string,
    change: (current: StoredResource<T>) => StoredResource<T>,
  ): Promise<StoredResource<T>> {
    return this.db.transaction().execute(async (trx) => {
      // Write before reading: this takes SQLite's write lock (waiting out busy_timeout) or
      // PostgreSQL's row lock first, so no other writer can slip in between our read and write.
      const locked = await trx
        .updateTable('resources')
        .set((eb) => ({ kind: eb.ref('kind') }))
        .where('kind', '=', kind)
        .where('name', '=', name)
        .executeTakeFirst();
      if (Number(locked.numUpdatedRows) === 0) {
        throw new AwsError('ResourceNotFound', `Could not find ${kindNames[kind]} "${name}".`);
      }
      const row = await trx
        .selectFrom('resources')
        .selectAll()
        .where('kind', '=', kind)
        .where('name', '=', name)
        .executeTakeFirstOrThrow();
      const next = change(fromRow<T>(row));
      if (next.kind !== kind || next.name !== name) {
        throw new Error(`A resource update must keep its kind and name (${kind} ${name}).`);
      }
      const written = toRow(next);
      await trx
        .updateTable('resources')
        .set(written)
        .where('kind', '=', kind)
        .where('name', '=', name)
        .execute();
      // What a later `get` reads back, not `next` itself: JSON drops undefined members.
      return fromRow<T>(written);
    });
  }

  async delete(kind: ResourceKind, name: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('resources')
      .where('kind', '=', kind)
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async list<T>(kind: ResourceKind, query: ResourceQuery): Promise<StoredResource<T>[]> {
    const select = this.db.selectFrom('resources').selectAll().where('kind', '=', kind);
    const q = applyListQuery(select, query, { nullableStatus: true });
    if (q === undefined) return [];
    const rows = await q.execute();
    return rows.map((r) => fromRow<T>(r));
  }
}

function toRow<T>(resource: StoredResource<T>): Insertable<ResourcesTable> {
  return {
    kind: resource.kind,
    name: resource.name,
    arn: resource.arn,
    status: resource.status ?? null,
    creation_time: resource.creationTime,
    last_modified_time: resource.lastModifiedTime,
    record: toJson(resource.record, `The record of ${resource.kind} ${resource.name}`),
  };
}

function fromRow<T>(row: Selectable<ResourcesTable> | Insertable<ResourcesTable>): StoredResource<T> {
  return {
    kind: row.kind as ResourceKind,
    name: row.name,
    arn: row.arn,
    ...(row.status !== null && row.status !== undefined && { status: row.status }),
    creationTime: toNumber(row.creation_time),
    lastModifiedTime: toNumber(row.last_modified_time),
    record: JSON.parse(row.record) as T,
  };
}
