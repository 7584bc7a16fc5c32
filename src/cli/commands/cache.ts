// `fieldwork cache stats|clear`: the server's shared cache of model calls, read from its data directory.
// Clearing it makes the next runs call the models again (and pay again); results already stored stay.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT, UsageError } from '../failure';
import { count } from '../format';
import type { Cli } from '../io';
import { loadSqliteStore } from '../local-server';
import { ensureLocalRuntime } from '../runtime';

async function withStore<T>(cli: Cli, dataDir: string, use: (store: import('../../server/store/store').Store) => T): Promise<T> {
  await ensureLocalRuntime(cli.env);
  const file = join(dataDir, 'fieldwork.db');
  if (!existsSync(file)) throw new UsageError(`no server data in ${dataDir} — pass the server's --data-dir`);
  const { openSqliteStore } = loadSqliteStore();
  const store = openSqliteStore(file);
  try {
    return use(store);
  } finally {
    store.close();
  }
}

export async function cacheStats(cli: Cli, opts: { dataDir: string; json: boolean }): Promise<number> {
  const stats = await withStore(cli, opts.dataDir, (store) => store.cacheStats());
  cli.out(opts.json ? JSON.stringify(stats) : `${count(stats.entries)} cached calls, ${megabytes(stats.bytes)} (in ${opts.dataDir})`);
  return EXIT.ok;
}

export async function cacheClear(cli: Cli, opts: { dataDir: string }): Promise<number> {
  const removed = await withStore(cli, opts.dataDir, (store) => store.clearCache());
  cli.out(`Removed ${count(removed)} cached calls: the next runs call the models again.`);
  return EXIT.ok;
}

function megabytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
