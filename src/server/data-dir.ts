// The files of a data directory: the database (with its WAL and shared-memory files), the directory's own API key,
// and the owner file that says which process serves it and where. All of them are readable by their owner only —
// the database holds every job, result and key hash — also in a directory made beforehand (e.g. /srv/fieldwork).
// Nothing here loads node:sqlite: the CLI reads the owner file before it knows it can open the database.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { API_KEY_FILE, DB_FILE, OWNER_FILE } from '../api/data-dir';

const PRIVATE = 0o600;

export const dbPath = (dataDir: string): string => join(dataDir, DB_FILE);
export const apiKeyPath = (dataDir: string): string => join(dataDir, API_KEY_FILE);
export const ownerPath = (dataDir: string): string => join(dataDir, OWNER_FILE);

export function hasDatabase(dataDir: string): boolean {
  return existsSync(dbPath(dataDir));
}

/**
 * Makes the directory (0700) and an empty database file (0600) when `create` is set, and narrows an existing
 * database and its companions to 0600. SQLite gives the WAL and shared-memory files it creates later the
 * database file's mode, so creating that file ourselves is what keeps them private too.
 */
export function prepareDatabaseFiles(dataDir: string, opts: { create: boolean }): void {
  const file = dbPath(dataDir);
  if (opts.create) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    closeSync(openSync(file, 'a', PRIVATE));
  }
  for (const path of [file, `${file}-wal`, `${file}-shm`, apiKeyPath(dataDir), ownerPath(dataDir)]) makePrivate(path);
}

/** Writes a file readable by its owner only, replacing it whole (never a half-written file for a reader). */
export function writePrivateFile(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: PRIVATE });
  chmodSync(temporary, PRIVATE); // the mode above is narrowed by the umask only, never widened: make sure
  renameSync(temporary, path);
}

function makePrivate(path: string): void {
  try {
    chmodSync(path, PRIVATE);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
  }
}

/** What the owner file says: the process that serves the directory and where its API is. */
export const OwnerFile = z.object({
  pid: z.number().int().positive(),
  hostname: z.string(),
  command: z.string(),
  url: z.string().url(),
  started_at: z.string(),
});
export type OwnerFile = z.infer<typeof OwnerFile>;

/** The owner file, or null when there is none or it cannot be read (a server from before it, or one that crashed mid-write). */
export function readOwnerFile(dataDir: string): OwnerFile | null {
  let text: string;
  try {
    text = readFileSync(ownerPath(dataDir), 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = OwnerFile.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function writeOwnerFile(dataDir: string, owner: OwnerFile): void {
  writePrivateFile(ownerPath(dataDir), `${JSON.stringify(owner, null, 2)}\n`);
}

/** Removes the owner file if it is still this process's (a successor may have written its own). */
export function removeOwnerFile(dataDir: string, owner: { pid: number; hostname: string }): void {
  const current = readOwnerFile(dataDir);
  if (current?.pid === owner.pid && current.hostname === owner.hostname) rmSync(ownerPath(dataDir), { force: true });
}

/** The URL a client on this machine uses to reach a server listening on `url` (a wildcard address means loopback). */
export function localUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.hostname === '0.0.0.0') parsed.hostname = '127.0.0.1';
  else if (parsed.hostname === '[::]') parsed.hostname = '[::1]';
  return parsed.toString().replace(/\/+$/, '');
}

export function readApiKeyFile(dataDir: string): string | null {
  try {
    const key = readFileSync(apiKeyPath(dataDir), 'utf8').trim();
    return key === '' ? null : key;
  } catch {
    return null;
  }
}
