// A client for one command: to the configured server, or to the local data directory's server — the process that
// owns it (a `fieldwork serve`, or another command's embedded server), else one embedded in this process.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AuthError, ConnectionError, FieldworkClient, resolveConnection } from '../client';
import { sleep } from '../client/retry';
import { apiKeyPath, localUrl, readApiKeyFile, readOwnerFile } from '../server/data-dir';
import type { Cli } from './io';
import { loadServer } from './local-server';
import { ensureLocalRuntime } from './runtime';

export interface Session {
  client: FieldworkClient;
  /** Where the jobs run, in words. */
  where: string;
  /** True when the server lives in this process and stops with it. */
  embedded: boolean;
  close(): Promise<void>;
  /**
   * For a session with another local process's server: a new session for the same data directory, once that
   * server has gone (its successor's, or one in this process that takes the directory over).
   */
  reopen?: () => Promise<Session>;
}

export interface SessionOptions {
  server?: string | undefined;
  /**
   * What this command is, e.g. "fieldwork run": named by a `fieldwork serve` this command keeps from starting.
   * Only a command that runs jobs lets its embedded server resume the unfinished ones (`resume`); one that only
   * reads must not start, and then stop, jobs of a server that is down.
   */
  command: string;
  resume: boolean;
}

/** How long to wait for a data directory's owner that is alive but does not answer yet (it is starting). */
const OWNER_WAIT_MS = 15_000;

/** `$FIELDWORK_DATA_DIR`, else `~/.fieldwork`. */
export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  const fromEnv = env.FIELDWORK_DATA_DIR;
  return fromEnv && fromEnv.trim() !== '' ? fromEnv : join(homedir(), '.fieldwork');
}

export async function openSession(cli: Cli, opts: SessionOptions): Promise<Session> {
  const connection = await resolveConnection({ env: cli.env, server: opts.server });
  if (connection.kind === 'remote') {
    const client = new FieldworkClient({ baseUrl: connection.baseUrl, apiKey: connection.apiKey });
    return { client, where: client.baseUrl, embedded: false, close: () => client.close() };
  }
  return localSession(cli, defaultDataDir(cli.env), opts);
}

async function localSession(cli: Cli, dataDir: string, opts: SessionOptions): Promise<Session> {
  const deadline = Date.now() + OWNER_WAIT_MS;
  let leaseUrl: string | null = null;
  for (;;) {
    // Two servers on one database would both run its jobs: use the one that owns it if there is one.
    const owned = await ownerSession(cli, dataDir, opts, leaseUrl);
    if (owned) return owned;

    await ensureLocalRuntime(cli.env);
    const { startServer, DataDirOwnedError } = loadServer();
    const log = cli.env.FIELDWORK_DEBUG === '1' ? (line: string) => cli.err(line) : undefined;
    try {
      const server = await startServer({ dataDir, port: 0, resume: opts.resume, command: opts.command, ...(log ? { log } : {}) });
      const client = new FieldworkClient({ baseUrl: server.url, apiKey: server.apiKey });
      return {
        client,
        where: `a local server in this process (data in ${dataDir})`,
        embedded: true,
        close: async () => {
          await client.close();
          await server.close();
        },
      };
    } catch (error) {
      if (!(error instanceof DataDirOwnedError)) throw error;
      // Alive, but its owner file or its answer is not there yet: it is starting. Try again shortly.
      if (Date.now() > deadline) {
        throw new ConnectionError(`${dataDir} is ${error.message}, which does not answer — wait for it to finish starting, or stop it and try again`);
      }
      leaseUrl = error.owner.url;
      await sleep(250);
    }
  }
}

/** A session with the server that owns the data directory, if it answers with the directory's key. */
async function ownerSession(cli: Cli, dataDir: string, opts: SessionOptions, leaseUrl: string | null): Promise<Session | null> {
  const owner = readOwnerFile(dataDir);
  const apiKey = readApiKeyFile(dataDir);
  const url = owner?.url ?? leaseUrl;
  if (!url || !apiKey) return null;
  const baseUrl = localUrl(url);
  const probe = new FieldworkClient({ baseUrl, apiKey, retries: 0, timeoutMs: 2_000 });
  try {
    await probe.health();
  } catch (error) {
    if (error instanceof AuthError) {
      throw new AuthError(
        `the server that serves ${dataDir} (at ${baseUrl}) refused the key in ${apiKeyPath(dataDir)} — ` +
          'it was revoked or replaced: restart that server to write a current one',
        { cause: error },
      );
    }
    return null; // gone (a stale owner file) or not listening yet
  } finally {
    await probe.close();
  }
  const client = new FieldworkClient({ baseUrl, apiKey });
  const who = owner ? `${owner.command}, pid ${owner.pid}` : 'another process';
  return {
    client,
    where: `the server at ${baseUrl} (${who}, data in ${dataDir})`,
    embedded: false,
    close: () => client.close(),
    reopen: async () => {
      await client.close();
      return localSession(cli, dataDir, opts);
    },
  };
}
