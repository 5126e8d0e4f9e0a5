import { PostgresDialect, type PostgresPool } from 'kysely';

/** The part of the `pg` module we use; typed here because `pg` is an optional dependency. */
interface PgModule {
  readonly Pool?: new (config: { connectionString: string }) => PostgresPool;
  readonly default?: { readonly Pool: new (config: { connectionString: string }) => PostgresPool };
}

// A variable specifier keeps TypeScript from resolving `pg`, which is not installed by default.
const pgModuleName = 'pg';

/**
 * The scale-out dialect: node-postgres, loaded only when a `postgres://` URL asks for it so the
 * embedded install does not need `pg`.
 */
export async function createPostgresDialect(url: string): Promise<PostgresDialect> {
  let pg: PgModule;
  try {
    pg = (await import(pgModuleName)) as PgModule;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new Error(
      'A postgres:// metadata store needs the PostgreSQL driver, which is not installed. Run `npm install pg` and start Lathe again.',
      { cause: error },
    );
  }
  const Pool = pg.Pool ?? pg.default?.Pool;
  if (Pool === undefined) throw new Error('The installed `pg` module does not export Pool.');
  return new PostgresDialect({ pool: new Pool({ connectionString: url }) });
}
