// `fieldwork keys create --user NAME`: a new API key in the server's database, shown once.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../failure';
import type { Cli } from '../io';
import { loadSqliteStore } from '../local-server';
import { ensureLocalRuntime } from '../runtime';

export async function keysCreate(cli: Cli, opts: { user: string; dataDir: string }): Promise<number> {
  await ensureLocalRuntime(cli.env);
  const { openSqliteStore } = loadSqliteStore();
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const store = openSqliteStore(join(opts.dataDir, 'fieldwork.db'));
  try {
    const { key, record } = store.createApiKey(opts.user);
    cli.out(key);
    cli.err(`Created API key ${record.prefix}… for user "${record.user}". It is shown only this once: store it now (it is kept hashed).`);
    return EXIT.ok;
  } finally {
    store.close();
  }
}
