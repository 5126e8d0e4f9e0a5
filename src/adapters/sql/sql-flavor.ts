import { type Kysely, PostgresAdapter } from 'kysely';

/** The SQL dialects the metadata store supports. */
export type SqlFlavor = 'sqlite' | 'postgres';

/**
 * Which dialect a Kysely instance talks to. Migrations need it for the few DDL details that
 * cannot be written once (identity columns, collation); queries never do.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations receive an untyped Kysely by design.
export function sqlFlavor(db: Kysely<any>): SqlFlavor {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}
