// A client for one command: to the configured server, or to a local one — already running, or embedded in this process.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SERVER_URL, FieldworkClient, resolveConnection } from '../client';
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
}

/** `$FIELDWORK_DATA_DIR`, else `~/.fieldwork`. */
export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  const fromEnv = env.FIELDWORK_DATA_DIR;
  return fromEnv && fromEnv.trim() !== '' ? fromEnv : join(homedir(), '.fieldwork');
}

export async function openSession(cli: Cli, opts: { server?: string | undefined } = {}): Promise<Session> {
  const connection = await resolveConnection({ env: cli.env, server: opts.server });
  if (connection.kind === 'remote') {
    const client = new FieldworkClient({ baseUrl: connection.baseUrl, apiKey: connection.apiKey });
    return { client, where: client.baseUrl, embedded: false, close: () => client.close() };
  }

  const dataDir = defaultDataDir(cli.env);
  // Two servers on one database would both run its jobs: use the local one if it is up.
  const running = await runningLocalServer(dataDir);
  if (running) return running;

  await ensureLocalRuntime(cli.env);
  const { startServer } = loadServer();
  const log = cli.env.FIELDWORK_DEBUG === '1' ? (line: string) => cli.err(line) : undefined;
  const server = await startServer({ dataDir, port: 0, ...(log ? { log } : {}) });
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
}

async function runningLocalServer(dataDir: string): Promise<Session | null> {
  let apiKey: string;
  try {
    apiKey = readFileSync(join(dataDir, 'api-key'), 'utf8').trim();
  } catch {
    return null;
  }
  const client = new FieldworkClient({ baseUrl: DEFAULT_SERVER_URL, apiKey, retries: 0, timeoutMs: 1_000 });
  try {
    await client.health();
    // A real call gets the usual timeout again.
    await client.close();
    const real = new FieldworkClient({ baseUrl: DEFAULT_SERVER_URL, apiKey });
    return { client: real, where: `the local server at ${DEFAULT_SERVER_URL}`, embedded: false, close: () => real.close() };
  } catch {
    await client.close();
    return null;
  }
}
