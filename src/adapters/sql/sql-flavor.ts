import { type Kysely, PostgresAdapter } from 'kysely';

/** The SQL dialects the metadata store supports. */
export type SqlFlavor = 'sqlite' | 'postgres';

/**
 * Which dialect a Kysely instance talks to. Migrations need it for the few DDL details that
 * cannot be written once (identity columns, collation); of the queries, only the work queue's
 * claim does (PostgreSQL's FOR UPDATE SKIP LOCKED).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations receive an untyped Kysely by design.
export function sqlFlavor(db: Kysely<any>): SqlFlavor {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}
