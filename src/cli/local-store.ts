// The database of a data directory, opened directly by the commands that manage its own tables (keys, cache). They
// never start a job manager, so they are safe to run while a server works on the directory. With
// FIELDWORK_DATABASE_URL set, they work on that team database instead, as `serve` would.
import { dbPath, hasDatabase, prepareDatabaseFiles } from '../server/data-dir';
import type { Store } from '../server/store/store';
import { UsageError } from './failure';
import type { Cli } from './io';
import { loadSqliteStore } from './local-server';
import { ensureLocalRuntime } from './runtime';
import { databaseUrl } from './commands/database';
import { openPostgresStore } from '../server/store/postgres/store';

export interface LocalStoreOptions {
  /** Create the database when there is none (`--init`); else a directory without one is an error. */
  init?: boolean;
  /** Whether this command has `--init`, to offer it in the error. */
  offersInit?: boolean;
}

export async function withLocalStore<T>(cli: Cli, dataDir: string, opts: LocalStoreOptions, use: (store: Store) => Promise<T>): Promise<T> {
  const database = databaseUrl(cli, undefined, 'FIELDWORK_DATABASE_URL');
  if (database !== undefined) {
    const store = await openPostgresStore(database);
    try {
      return await use(store);
    } finally {
      await store.close();
    }
  }
  await ensureLocalRuntime(cli.env);
  // A mistyped --data-dir must not quietly get a new, empty database (and keys nobody's server will ever read).
  if (!opts.init && !hasDatabase(dataDir)) {
    const serve = `\`fieldwork serve --data-dir ${shellQuote(dataDir)}\``;
    throw new UsageError(`no Fieldwork data in ${dataDir}: run ${serve} to create one${opts.offersInit ? ', or pass --init' : ''}`);
  }
  prepareDatabaseFiles(dataDir, { create: opts.init === true });
  const { openSqliteStore } = loadSqliteStore();
  const store = openSqliteStore(dbPath(dataDir));
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** The path as a shell reads it back: bare when it is plain, else in single quotes. */
export function shellQuote(text: string): string {
  return /^[\w@%+=:,./~-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
