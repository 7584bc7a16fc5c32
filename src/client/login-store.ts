// The stored login of the CLI: the server URL in a config file, the key in the OS keychain (keytar) or, failing
// that, in the same file with mode 0600.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';

export const KEYCHAIN_SERVICE = 'fieldwork';

/** The part of keytar we use. */
export interface Keychain {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

export interface LoginStoreOptions {
  env?: NodeJS.ProcessEnv;
  /** The keychain to use; null for none. Default: keytar when it loads (and FIELDWORK_NO_KEYCHAIN is not set). */
  keychain?: Keychain | null;
}

export type KeyStorage = 'keychain' | 'file';

export interface StoredLogin {
  url: string;
  apiKey: string;
  storage: KeyStorage;
}

const ConfigFile = z.looseObject({
  server_url: z.string().optional(),
  key_storage: z.enum(['keychain', 'file']).optional(),
  api_key: z.string().optional(),
});
type ConfigFile = z.infer<typeof ConfigFile>;

/** `$XDG_CONFIG_HOME/fieldwork/config.json`, else `~/.config/fieldwork/config.json`. */
export function configFilePath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.trim() !== '' ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'fieldwork', 'config.json');
}

let keytarModule: Keychain | null | undefined;

/** keytar is an optional native module: absent on many machines, so it is loaded with a guarded require. */
export function loadKeychain(env: NodeJS.ProcessEnv = process.env): Keychain | null {
  if (env.FIELDWORK_NO_KEYCHAIN === '1') return null;
  if (keytarModule === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const loaded = require('keytar') as Keychain & { default?: Keychain };
      keytarModule = typeof loaded.setPassword === 'function' ? loaded : (loaded.default ?? null);
    } catch {
      keytarModule = null;
    }
  }
  return keytarModule;
}

function keychainOf(opts: LoginStoreOptions): Keychain | null {
  return opts.keychain !== undefined ? opts.keychain : loadKeychain(opts.env);
}

function readConfig(path: string): ConfigFile {
  if (!existsSync(path)) return {};
  const parsed = ConfigFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  return parsed.success ? parsed.data : {};
}

/** Writes atomically, readable by the owner only (it may hold a key). */
function writeConfig(path: string, config: ConfigFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

/** Stores URL + key; returns where the key went. */
export async function saveLogin(url: string, apiKey: string, opts: LoginStoreOptions = {}): Promise<{ storage: KeyStorage; path: string }> {
  const path = configFilePath(opts.env);
  const { api_key: _old, ...config } = readConfig(path);
  const keychain = keychainOf(opts);
  if (keychain) {
    try {
      await keychain.setPassword(KEYCHAIN_SERVICE, url, apiKey);
      writeConfig(path, { ...config, server_url: url, key_storage: 'keychain' });
      return { storage: 'keychain', path };
    } catch {
      // No keychain daemon (a headless Linux box, say): the file is the fallback.
    }
  }
  writeConfig(path, { ...config, server_url: url, key_storage: 'file', api_key: apiKey });
  return { storage: 'file', path };
}

export async function readLogin(opts: LoginStoreOptions = {}): Promise<StoredLogin | null> {
  const config = readConfig(configFilePath(opts.env));
  if (!config.server_url) return null;
  if (config.key_storage === 'file' || config.api_key !== undefined) {
    return config.api_key ? { url: config.server_url, apiKey: config.api_key, storage: 'file' } : null;
  }
  const keychain = keychainOf(opts);
  if (!keychain) return null;
  try {
    const apiKey = await keychain.getPassword(KEYCHAIN_SERVICE, config.server_url);
    return apiKey ? { url: config.server_url, apiKey, storage: 'keychain' } : null;
  } catch {
    return null;
  }
}

/** Forgets the stored login; returns the URL it was for, or null when there was none. */
export async function removeLogin(opts: LoginStoreOptions = {}): Promise<{ url: string } | null> {
  const path = configFilePath(opts.env);
  const { server_url: url, key_storage, api_key: _key, ...rest } = readConfig(path);
  if (!url) return null;
  if (key_storage === 'keychain') {
    await keychainOf(opts)
      ?.deletePassword(KEYCHAIN_SERVICE, url)
      .catch(() => false);
  }
  if (Object.keys(rest).length === 0) rmSync(path, { force: true });
  else writeConfig(path, rest);
  return { url };
}
