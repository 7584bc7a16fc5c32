// Starts a job server: SQLite store in the data directory, the built-in providers, the /v1 API on loopback.
// A data directory is served by one process at a time: the server takes its lease (store/lease.ts) before it
// resumes or accepts any job, and names itself in the owner file so that commands pointed at the directory
// talk to it instead of starting a second server on the same jobs.
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { DEFAULT_MAX_BODY_BYTES, type ServerLimits } from '../api';
import { maxQuestionsSetting } from '../format';
import { createApp } from './app';
import { serverSpecPool } from './format-pool/pool';
import { apiKeyPath, dbPath, prepareDatabaseFiles, readApiKeyFile, removeOwnerFile, writeOwnerFile, writePrivateFile } from './data-dir';
import { acquireLease, type LeaseOwner } from './store/lease';
import { openSqliteStore } from './store/sqlite';
import { openPostgresStore } from './store/postgres/store';
import { Replica, type ReplicaTiming } from './replicas/replica';
import type { Store } from './store/store';
import { JobService } from './jobs/job-service';
import type { ReplicaWork } from './jobs/replica-work';
import { Scheduler } from './scheduler/scheduler';
import type { RetryPolicy } from './scheduler/retry-policy';
import { loadServicesConfig, type ServicesFile } from './services/config';
import { ServiceSet } from './services/services';
import { cacheScopes } from './cache-scope';
import { VERSION } from '../api/version';

export interface ServerOptions {
  /** With `database`, only the data directory's own key (`api-key`) and owner file are kept here. */
  dataDir: string;
  /** postgres://… of a team's database: the store there instead of SQLite in the data directory. */
  database?: string | undefined;
  /** Loopback unless told otherwise. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  maxInterviews?: number;
  /** Largest request body (default DEFAULT_MAX_BODY_BYTES, 64 MB): `fieldwork serve --max-body-mb`. */
  maxBodyBytes?: number;
  /** Most questions per survey; else FIELDWORK_MAX_QUESTIONS; else DEFAULT_MAX_QUESTIONS (2,000). */
  maxQuestions?: number;
  maxRunningJobs?: number;
  interviewsInFlight?: number;
  /** Backoff of failed calls; tests shorten it. */
  retry?: Partial<RetryPolicy>;
  /** The services config, already read; else `configFile`; else `FIELDWORK_CONFIG`; else only the environment's defaults. */
  services?: ServicesFile;
  /** Path of a services config file (YAML). */
  configFile?: string;
  /** Where keys (and the zero-config services) come from; process.env by default. */
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** A user's share of a contended lane relative to others (default 1): the scheduler's weighted fair queueing. */
  userWeight?: (user: string) => number;
  /** Pick up the jobs a previous process left unfinished (default true); a server started only to read does not. */
  resume?: boolean;
  /** What the owner file and a refused second server call this one, e.g. "fieldwork serve". */
  command?: string;
  /**
   * Called after the server stopped itself because another process took its data directory over — possible only
   * across machines sharing the directory, when this one stopped renewing its lease (it hung).
   */
  onLeaseLost?: (owner: LeaseOwner | null) => void;
  /** Leases of a replica on PostgreSQL (defaults: 15 s, renewed every 3 s); tests shorten them. */
  replicaTiming?: ReplicaTiming;
}

export interface RunningServer {
  url: string;
  /** The data directory's own key (`api-key` file), for the user who started the server. */
  apiKey: string;
  apiKeyFile: string;
  store: Store;
  close(): Promise<void>;
}

export const DEFAULT_MAX_INTERVIEWS = 1_000_000;
const DEFAULT_COMMAND = 'a Fieldwork server';

/**
 * Throws DataDirOwnedError (store/lease.ts) when another live process serves the data directory: nothing of its
 * jobs is touched then.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const log = options.log ?? (() => {});
  const { dataDir } = options;
  const command = options.command ?? DEFAULT_COMMAND;
  if (options.database !== undefined) return startOnPostgres(options, options.database, log);
  prepareDatabaseFiles(dataDir, { create: true });
  const store = openSqliteStore(dbPath(dataDir));
  let close: () => Promise<void> = async () => {};
  let lease;
  try {
    lease = acquireLease(dbPath(dataDir), {
      command,
      onRenewError: (error) => log(`Could not renew the lease on ${dataDir}: ${error instanceof Error ? error.message : String(error)}`),
      onLost: (owner) => {
        log(
          `Another process took ${dataDir} over${owner ? ` (${owner.command}, pid ${owner.pid} on ${owner.hostname})` : ''}: ` +
            'this server stops its jobs and exits, so they do not run twice.',
        );
        void close().then(() => options.onLeaseLost?.(owner));
      },
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  if (lease.previous) {
    const { owner, reason } = lease.previous;
    log(`Took ${dataDir} over from ${owner.command} (pid ${owner.pid} on ${owner.hostname}): ${reason}.`);
  }
  try {
    return await serveOwned(options, store, lease, log, (closer) => (close = closer));
  } catch (error) {
    await lease.release();
    await store.close();
    throw error;
  }
}

/** What makes this process the one that runs the store's jobs: the data directory's lease, or a database's lock. */
interface Ownership {
  setUrl(url: string): void;
  release(): void | Promise<void>;
}

/**
 * A server on a team's PostgreSQL database (store/postgres): migrated at start; one replica of any number on the
 * database, sharing its jobs under leases (replicas/replica.ts).
 */
async function startOnPostgres(options: ServerOptions, url: string, log: (line: string) => void): Promise<RunningServer> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const replica = new Replica(url, log, options.replicaTiming);
  const store = await openPostgresStore(url, {
    onBackgroundError: (error) => log(`A write to the database failed: ${error instanceof Error ? error.message : String(error)}`),
    onIdleError: (error) => log(`A database connection broke (${error.message}); it is replaced on the next query.`),
    fence: replica.fence,
  });
  try {
    return await serveOwned(options, store, replica, log, () => {}, { work: replica, attach: (jobs, claim) => replica.attach(store, jobs, claim) });
  } catch (error) {
    await replica.release();
    await store.close();
    throw error;
  }
}

async function serveOwned(
  options: ServerOptions,
  store: Store,
  lease: Ownership,
  log: (line: string) => void,
  setClose: (close: () => Promise<void>) => void,
  /** A replica's work (PostgreSQL): jobs are claimed from the database rather than resumed here. */
  replica?: { work: ReplicaWork; attach: (jobs: JobService, claim: boolean) => Promise<void> },
): Promise<RunningServer> {
  const { dataDir } = options;
  const apiKeyFile = apiKeyPath(dataDir);
  const apiKey = await ensureLocalKey(store, dataDir);

  const env = options.env ?? process.env;
  const configFile = options.configFile ?? (env.FIELDWORK_CONFIG || undefined);
  // A bad config file stops the start: a server that silently dropped a service would bill or fail surprisingly.
  const config = options.services ?? (configFile ? loadServicesConfig(configFile) : null);
  const services = new ServiceSet(config, env, log);
  const limits: ServerLimits = {
    max_body_bytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    max_questions: options.maxQuestions ?? maxQuestionsSetting(env.FIELDWORK_MAX_QUESTIONS),
    max_interviews: options.maxInterviews ?? DEFAULT_MAX_INTERVIEWS,
  };
  // Submitted files are parsed in worker threads: a large or hostile file never holds the event loop.
  const specs = serverSpecPool(limits.max_body_bytes, log);
  const jobs: JobService = new JobService({
    store,
    providers: services.providers,
    pricing: services.pricing,
    catalog: services,
    scheduler: new Scheduler({
      retry: options.retry,
      userWeight: options.userWeight,
      limitsFor: (lane) => services.limitsFor(lane),
      notify: (notice) => jobs.notice(notice),
    }),
    maxInterviews: limits.max_interviews,
    maxQuestions: limits.max_questions,
    specs,
    maxRunningJobs: options.maxRunningJobs ?? 8,
    interviewsInFlight: options.interviewsInFlight ?? 256,
    cacheScope: cacheScopes(config?.teams),
    ...(replica ? { replica: replica.work } : {}),
    log,
  });
  const app = createApp({ store, jobs, version: VERSION, limits, log });

  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const listening = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 0 }, () => resolve(listening));
    listening.once('error', reject);
  }).catch(async (error: unknown) => {
    await services.close();
    await specs.close();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      await jobs.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Open event streams would hold the close forever.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      // Everything on disk before letting go: the next owner resumes from exactly what this one stored.
      await store.flush();
      await lease.release();
      removeOwnerFile(dataDir, { pid: process.pid, hostname: hostname() });
      await store.close();
      await services.close();
      await specs.close();
    })());
  setClose(close);

  try {
    lease.setUrl(url);
    writeOwnerFile(dataDir, { pid: process.pid, hostname: hostname(), command: options.command ?? DEFAULT_COMMAND, url, started_at: new Date().toISOString() });
  } catch (error) {
    await close();
    throw error;
  }
  // A replica always follows the database's events; it claims jobs unless started only to read.
  if (replica) await replica.attach(jobs, options.resume ?? true);
  else if (options.resume ?? true) await jobs.resume();
  log(`Fieldwork ${VERSION} listening on ${url}`);

  return { url, apiKey, apiKeyFile, store, close };
}

/** The data directory's key: created on first start (mode 0600), recreated if the database no longer knows it. */
async function ensureLocalKey(store: Store, dataDir: string): Promise<string> {
  const existing = readApiKeyFile(dataDir);
  if (existing && (await store.userForKey(existing))) return existing;
  const { key } = await store.createApiKey('local');
  writePrivateFile(apiKeyPath(dataDir), `${key}\n`);
  return key;
}

export { DataDirOwnedError } from './store/lease';
