import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteDialect } from 'kysely';

/** How long a writer waits for another process's write lock before SQLITE_BUSY. */
const busyTimeoutMs = 5_000;

/**
 * The embedded dialect: better-sqlite3 on a file (or `:memory:`).
 *
 * Durability: WAL with `synchronous=NORMAL`. A commit appends to the WAL with write(2) before
 * it returns, so it is in the kernel's page cache and survives `kill -9` of this process
 * (the port's promise). The WAL is fsynced only at checkpoints, so after a power loss or
 * kernel crash the most recent commits can be lost (the database stays consistent); that
 * case would need `synchronous=FULL`, an fsync per commit.
 */
export function createSqliteDialect(path: string): SqliteDialect {
  const memory = path === ':memory:';
  if (!memory) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    // WAL: readers do not block the writer, and a commit costs one sequential append.
    if (!memory) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma('foreign_keys = ON');
  } catch (error) {
    db.close();
    throw error;
  }
  return new SqliteDialect({ database: db });
}
