import { type Dialect, Kysely } from 'kysely';
import type { MetadataStore } from '../../ports/metadata-store.js';
import { migrateToLatest } from './migrate.js';
import { createPostgresDialect } from './postgres-dialect.js';
import type { MetadataDatabase } from './schema.js';
import { SqlMetadataStore } from './sql-metadata-store.js';
import { createSqliteDialect } from './sqlite-dialect.js';
import { parseStoreUrl } from './store-url.js';

/** Options of `openMetadataStore`. */
export interface OpenMetadataStoreOptions {
  /**
   * Clock (epoch ms) for log ingestion times and the work queue's enqueue times, leases and
   * not-before times; tests pin it. Default `Date.now`.
   */
  readonly now?: () => number;
}

/**
 * Opens the metadata store a URL names and migrates its schema to the latest version:
 * `sqlite:///absolute/path.db` (the parent directory is created), `sqlite::memory:`, or
 * `postgres://user:password@host:port/database` (needs `npm install pg`).
 */
export async function openMetadataStore(
  url: string,
  options: OpenMetadataStoreOptions = {},
): Promise<MetadataStore> {
  const location = parseStoreUrl(url);
  const dialect: Dialect =
    location.kind === 'sqlite'
      ? createSqliteDialect(location.path)
      : await createPostgresDialect(location.url);
  const db = new Kysely<MetadataDatabase>({ dialect });
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return new SqlMetadataStore(db, options.now ?? Date.now);
}
