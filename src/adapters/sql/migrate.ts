import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import { initialMigration } from './migrations/0001-initial.js';
import { resourcesWorkQueueEndpointMetricsMigration } from './migrations/0002-resources-work-queue-endpoint-metrics.js';

/**
 * Every migration, by name, in order. A static map rather than Kysely's FileMigrationProvider:
 * no directory scan at runtime, and bundlers and `tsc` see every migration as an import.
 * Names sort lexically, so keep the four-digit prefix.
 */
const migrations: Readonly<Record<string, Migration>> = {
  '0001-initial': initialMigration,
  '0002-resources-work-queue-endpoint-metrics': resourcesWorkQueueEndpointMetricsMigration,
};

const provider: MigrationProvider = {
  getMigrations: async () => ({ ...migrations }),
};

/**
 * Brings the schema up to date. Kysely's migration lock makes concurrent openers (two
 * servers on one PostgreSQL, a CLI next to a server) wait for each other instead of racing.
 */
// biome-ignore lint/suspicious/noExplicitAny: the migrator works on any schema.
export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`Metadata store migration ${failed ?? '(setup)'} failed: ${String(error)}`, {
      cause: error,
    });
  }
}
