// `fieldwork serve`: a job server on this machine until Ctrl-C.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { join } from 'node:path';
import { API_KEY_FILE } from '../../api/data-dir';
import { EXIT, UsageError } from '../failure';
import type { Cli } from '../io';
import { loadServer } from '../local-server';
import { ensureLocalRuntime } from '../runtime';
import { redactUrl } from '../../server/store/postgres/pool';
import { databaseUrl } from './database';

export interface ServeOptions {
  port: number;
  host: string;
  dataDir: string;
  maxInterviews?: number | undefined;
  /** Largest request body, in MB (`--max-body-mb`); the server reports it in /v1/health. */
  maxBodyMb?: number | undefined;
  /** Services config file; FIELDWORK_CONFIG when absent. */
  config?: string | undefined;
  /** Stop after this many seconds with no unfinished job and no request (the extension's shared local server). */
  idleExitAfter?: number | undefined;
  /** A team's PostgreSQL database (else FIELDWORK_DATABASE_URL; else SQLite in the data directory). */
  database?: string | undefined;
}

export async function serveCommand(cli: Cli, opts: ServeOptions): Promise<number> {
  await ensureLocalRuntime(cli.env);
  const { startServer, DataDirOwnedError } = loadServer();
  let leaseLost: (() => void) | null = null;
  const database = databaseUrl(cli, opts.database, '--database');
  const server = await startServer({
    dataDir: opts.dataDir,
    database,
    host: opts.host,
    port: opts.port,
    ...(opts.maxInterviews !== undefined ? { maxInterviews: opts.maxInterviews } : {}),
    ...(opts.maxBodyMb !== undefined ? { maxBodyBytes: opts.maxBodyMb * 1024 * 1024 } : {}),
    ...(opts.config !== undefined ? { configFile: opts.config } : {}),
    env: cli.env,
    log: (line) => cli.err(line),
    command: 'fieldwork serve',
    onLeaseLost: () => leaseLost?.(),
  }).catch((error: unknown) => {
    if (database !== undefined && isConnectionRefused(error)) {
      throw new UsageError(
        `cannot reach the database ${redactUrl(database)} (${(error as { code?: string }).code}): is PostgreSQL running there, and is --database right?`,
      );
    }
    if (error instanceof DataDirOwnedError) {
      throw new UsageError(
        `cannot serve ${opts.dataDir}: it is ${error.message}. One server runs a data directory's jobs at a time — ` +
          'use that one (commands pointed at this directory talk to it), stop it first, or pass another --data-dir',
      );
    }
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'EADDRINUSE') {
      throw new UsageError(`port ${opts.port} on ${opts.host} is in use — is a Fieldwork server already running? Choose another with --port`);
    }
    if (error instanceof Error && error.name === 'ServicesConfigError') throw new UsageError(`the services config has problems:\n${error.message}`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new UsageError(`cannot listen on ${opts.host}: it is not an address of this machine — check --host`);
    }
    throw error;
  });
  const keyFile = join(opts.dataDir, API_KEY_FILE);
  cli.out(`Fieldwork server: ${server.url}`);
  cli.out(`API key: in ${keyFile}`);
  cli.out(`Use it from another terminal: export FIELDWORK_SERVER_URL=${server.url} FIELDWORK_API_KEY=$(cat ${keyFile})`);
  if (!isLoopback(opts.host)) {
    cli.err('');
    cli.err(`WARNING: listening on ${opts.host}, not loopback: anyone who can reach this machine can reach the server.`);
    cli.err('WARNING: only the API key protects it, and the traffic is not encrypted — put it behind TLS (a reverse proxy).');
    cli.err('');
  }
  const lost = await new Promise<boolean>((resolve) => {
    const stop = cli.onInterrupt(() => {
      stop();
      resolve(false);
    });
    leaseLost = () => {
      stop();
      resolve(true);
    };
    if (opts.idleExitAfter !== undefined) {
      watchIdle(
        opts.idleExitAfter * 1000,
        async () => (await server.store.unfinishedJobs()).length > 0,
        () => {
          stop();
          cli.err(`Idle for ${opts.idleExitAfter} s: no jobs and no clients.`);
          resolve(false);
        },
      );
    }
  });
  if (lost) return EXIT.failed; // the server has stopped itself; its log said why
  cli.err('Stopping: running jobs resume when the server starts again.');
  await server.close();
  return EXIT.ok;
}

function isConnectionRefused(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === '3D000' || code === '28P01';
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || h.startsWith('127.');
}

/** Calls `onIdle` once no request has been open or started for `idleMs` while `busy()` is false. */
function watchIdle(idleMs: number, busy: () => Promise<boolean>, onIdle: () => void): void {
  let open = 0;
  let lastActivity = Date.now();
  const started = (): void => {
    open++;
    lastActivity = Date.now();
  };
  const finished = (): void => {
    open = Math.max(0, open - 1);
    lastActivity = Date.now();
  };
  // Node's HTTP server publishes every request here; counting them needs no hook in the server itself.
  subscribe('http.server.request.start', started);
  subscribe('http.server.response.finish', finished);
  let checking = false;
  const check = async (): Promise<void> => {
    if (open > 0 || (await busy().catch(() => true))) lastActivity = Date.now();
    else if (Date.now() - lastActivity >= idleMs) {
      clearInterval(timer);
      unsubscribe('http.server.request.start', started);
      unsubscribe('http.server.response.finish', finished);
      onIdle();
    }
  };
  const timer = setInterval(
    () => {
      if (checking) return;
      checking = true;
      void check().finally(() => (checking = false));
    },
    Math.min(5000, Math.max(100, idleMs / 4)),
  );
  timer.unref();
}
