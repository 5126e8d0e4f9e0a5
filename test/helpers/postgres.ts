import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's PostgreSQL binaries (package postgresql-15), found by version directory. */
function pgBin(): string | undefined {
  for (const v of ['17', '16', '15']) {
    const dir = `/usr/lib/postgresql/${v}/bin`;
    if (existsSync(join(dir, 'initdb'))) return dir;
  }
  return undefined;
}

export interface TestPostgres {
  /** `postgres://lathe@127.0.0.1:<port>/<database>` for a database name. */
  url(database: string): string;
  /** Runs SQL as the superuser on the `postgres` database. */
  sql(statement: string): void;
  stop(): void;
}

/**
 * A throwaway PostgreSQL server: a fresh cluster in a temp dir, trust auth for user `lathe`,
 * listening on 127.0.0.1 only. Runs as the `postgres` user when started as root.
 */
export function startPostgres(): TestPostgres {
  const bin = pgBin();
  if (!bin) throw new Error('PostgreSQL is not installed: apt-get install postgresql');
  const dir = mkdtempSync(join(tmpdir(), 'lathe-pg-'));
  const asPostgres = process.getuid?.() === 0;
  if (asPostgres) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const run = (cmd: string, args: string[]) => {
    const full = asPostgres ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
    const r = spawnSync(full[0] as string, full[1] as string[], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
    return r.stdout;
  };
  run(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'lathe', '--no-sync']);
  // Below Linux's ephemeral range (32768+), where other tests' client sockets live; a port taken
  // anyway (another test's server) means another try.
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = 20000 + Math.floor(Math.random() * 12000);
    try {
      run(join(bin, 'pg_ctl'), [
        '-D',
        join(dir, 'data'),
        '-w',
        '-l',
        join(dir, 'log'),
        '-o',
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
        'start',
      ]);
      break;
    } catch (e) {
      if (attempt >= 5) throw e;
    }
  }
  return {
    url: (database) => `postgres://lathe@127.0.0.1:${port}/${database}`,
    sql(statement) {
      run(join(bin, 'psql'), [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        'lathe',
        '-d',
        'postgres',
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        statement,
      ]);
    },
    stop() {
      try {
        run(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
