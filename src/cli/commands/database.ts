// A team server's PostgreSQL database: `fieldwork migrate` brings its schema up to date, `fieldwork db copy` moves a
// data directory's SQLite database into it. The URL comes from --database/--to or FIELDWORK_DATABASE_URL.
import { hasDatabase, dbPath } from '../../server/data-dir';
import { openPool, redactUrl } from '../../server/store/postgres/pool';
import { migratePostgres } from '../../server/store/postgres/schema';
import { EXIT, UsageError } from '../failure';
import { count } from '../format';
import type { Cli } from '../io';
import { shellQuote } from '../local-store';
import { loadDatabaseCopy } from '../local-server';
import { ensureLocalRuntime } from '../runtime';

/** The database URL from the option, else the environment; refused unless it is a postgres:// URL. */
export function databaseUrl(cli: Cli, option: string | undefined, flag: string): string | undefined {
  const url = option ?? (cli.env.FIELDWORK_DATABASE_URL || undefined);
  if (url === undefined) return undefined;
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new UsageError(
      `${option !== undefined ? flag : 'FIELDWORK_DATABASE_URL'} must be a PostgreSQL URL (postgres://user:password@host:5432/database); got "${redactUrl(url)}"`,
    );
  }
  return url;
}

export async function migrateCommand(cli: Cli, opts: { database?: string | undefined }): Promise<number> {
  const url = databaseUrl(cli, opts.database, '--database');
  if (url === undefined)
    throw new UsageError(
      "name the database: --database postgres://… or FIELDWORK_DATABASE_URL (a data directory's SQLite database migrates itself when a server starts)",
    );
  const pool = openPool(url, { max: 1 });
  try {
    const report = await migratePostgres(pool);
    cli.out(
      report.applied.length > 0
        ? `Applied migrations ${report.applied.join(', ')}: ${redactUrl(url)} is at schema version ${report.version}.`
        : `Nothing to do: ${redactUrl(url)} is at schema version ${report.version}.`,
    );
    return EXIT.ok;
  } finally {
    await pool.end();
  }
}

export async function dbCopyCommand(cli: Cli, opts: { from: string; to?: string | undefined }): Promise<number> {
  const url = databaseUrl(cli, opts.to, '--to');
  if (url === undefined) throw new UsageError('name the target: --to postgres://… or FIELDWORK_DATABASE_URL');
  await ensureLocalRuntime(cli.env);
  const { copySqliteToPostgres } = loadDatabaseCopy();
  if (!hasDatabase(opts.from))
    throw new UsageError(`no Fieldwork data in ${opts.from}: pass the data directory a server ran on (--from ${shellQuote(opts.from)})`);
  cli.err(`Copying ${opts.from} into ${redactUrl(url)}…`);
  const counts = await copySqliteToPostgres(dbPath(opts.from), url, (table, rows) => cli.err(`  ${table}: ${count(rows)} rows`));
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  cli.out(`Copied ${count(total)} rows. Start the team server with: fieldwork serve --database '${redactUrl(url)}'`);
  return EXIT.ok;
}
