// `fieldwork keys create|list|revoke`: API keys in a data directory's database. Keys are stored hashed: a new key is
// shown once, and a list never shows a key or its hash. These commands open the database directly and work while a
// server runs on it; a revoked key is refused from its next request on.
import { readApiKeyFile } from '../../server/data-dir';
import type { ApiKeyInfo } from '../../server/store/store';
import { checkUserName, InvalidUserNameError } from '../../server/store/keys';
import { EXIT, UsageError } from '../failure';
import { table } from '../format';
import type { Cli } from '../io';
import { shellQuote, withLocalStore } from '../local-store';

export async function keysCreate(cli: Cli, opts: { user: string; dataDir: string; init: boolean }): Promise<number> {
  let user: string;
  try {
    user = checkUserName(opts.user);
  } catch (error) {
    if (!(error instanceof InvalidUserNameError)) throw error;
    throw new UsageError(`${error.message}: pass --user NAME, the user whose jobs this key submits and sees`);
  }
  const { key, record } = await withLocalStore(cli, opts.dataDir, { init: opts.init, offersInit: true }, (store) => store.createApiKey(user));
  cli.out(key);
  cli.err(`Created API key ${record.prefix}… (${record.id}) for user "${record.user}". It is shown only this once: store it now (it is kept hashed).`);
  return EXIT.ok;
}

export async function keysList(cli: Cli, opts: { dataDir: string; json: boolean }): Promise<number> {
  const keys = await withLocalStore(cli, opts.dataDir, {}, (store) => store.listApiKeys());
  if (opts.json) {
    cli.out(JSON.stringify(keys, null, 2));
    return EXIT.ok;
  }
  if (keys.length === 0) {
    cli.out(`No API keys yet: create one with \`fieldwork keys create --user NAME --data-dir ${shellQuote(opts.dataDir)}\`.`);
    return EXIT.ok;
  }
  const rows = keys.map((key) => [
    key.id,
    key.user,
    `${key.prefix}…`,
    key.created_at,
    key.last_used_at ?? '—',
    key.revoked_at ? `revoked ${key.revoked_at}` : 'active',
  ]);
  cli.out(table(['id', 'user', 'key', 'created', 'last used', 'status'], rows));
  return EXIT.ok;
}

export async function keysRevoke(cli: Cli, target: string, opts: { dataDir: string }): Promise<number> {
  if (target.trim() === '') throw new UsageError('name the key to revoke: its id (key_…) or its user — see `fieldwork keys list`');
  const revoked = await withLocalStore(cli, opts.dataDir, {}, (store) => store.revokeApiKeys(target));
  if (revoked.length === 0) {
    throw new UsageError(
      `no active key has the id or user "${target.trim()}" in ${opts.dataDir} — see \`fieldwork keys list --data-dir ${shellQuote(opts.dataDir)}\``,
    );
  }
  for (const key of revoked) cli.out(`Revoked ${key.id} (${key.prefix}…) of user "${key.user}".`);
  const ownKey = readApiKeyFile(opts.dataDir);
  if (ownKey && revoked.some((key) => isDataDirKey(key, ownKey))) {
    cli.err(
      `That included the data directory's own key (its api-key file): commands on this machine cannot use the server ` +
        'until it restarts and writes a new one.',
    );
  }
  return EXIT.ok;
}

/** Whether this is the key the server wrote to DATA_DIR/api-key (for the user "local" who started it). */
function isDataDirKey(key: ApiKeyInfo, ownKey: string): boolean {
  return key.user === 'local' && ownKey.startsWith(key.prefix);
}
