import type { Kysely } from 'kysely';
import type { Tag, TagStore } from '../../ports/metadata-store.js';
import type { MetadataDatabase } from './schema.js';
import { chunk } from './sql-values.js';

// Three parameters a row; far below SQLite's and PostgreSQL's bound-parameter limits.
const rowsPerInsert = 500;

/** Tags of any resource, keyed by its ARN. */
export class SqlTagStore implements TagStore {
  constructor(private readonly db: Kysely<MetadataDatabase>) {}

  async add(resourceArn: string, tags: readonly Tag[]): Promise<void> {
    if (tags.length === 0) return;
    // The last value wins when one call names a key twice, as with sequential calls; a single
    // INSERT … ON CONFLICT cannot touch one row twice (PostgreSQL refuses), so dedupe first.
    const byKey = new Map(tags.map((t) => [t.Key, t.Value]));
    const rows = [...byKey].map(([key, value]) => ({ resource_arn: resourceArn, key, value }));
    await this.db.transaction().execute(async (trx) => {
      for (const batch of chunk(rows, rowsPerInsert)) {
        await trx
          .insertInto('tags')
          .values(batch)
          .onConflict((oc) =>
            oc.columns(['resource_arn', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })),
          )
          .execute();
      }
    });
  }

  async list(resourceArn: string): Promise<Tag[]> {
    const rows = await this.db
      .selectFrom('tags')
      .select(['key', 'value'])
      .where('resource_arn', '=', resourceArn)
      .orderBy('key')
      .execute();
    return rows.map((r) => ({ Key: r.key, Value: r.value }));
  }

  async remove(resourceArn: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.db
      .deleteFrom('tags')
      .where('resource_arn', '=', resourceArn)
      .where('key', 'in', [...keys])
      .execute();
  }
}
