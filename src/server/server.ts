// Starts a job server: SQLite store in the data directory, the built-in providers, the /v1 API on loopback.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from './http/app';
import { openSqliteStore } from './store/sqlite';
import type { Store } from './store/store';
import { CoreJobManager } from './jobs';
import { Scheduler } from './scheduler/scheduler';
import type { RetryPolicy } from './scheduler/retry-policy';
import { loadServicesConfig, type ServicesFile } from './services/config';
import { ServiceSet } from './services/services';
import { VERSION } from './version';

export interface ServerOptions {
  dataDir: string;
  /** Loopback unless told otherwise. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  maxInterviews?: number;
  maxBodyBytes?: number;
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

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const log = options.log ?? (() => {});
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const store = openSqliteStore(join(options.dataDir, 'fieldwork.db'));
  const apiKeyFile = join(options.dataDir, 'api-key');
  const apiKey = ensureLocalKey(store, apiKeyFile);

  const env = options.env ?? process.env;
  const configFile = options.configFile ?? (env.FIELDWORK_CONFIG || undefined);
  // A bad config file stops the start: a server that silently dropped a service would bill or fail surprisingly.
  const services = new ServiceSet(options.services ?? (configFile ? loadServicesConfig(configFile) : null), env, log);
  const core: CoreJobManager = new CoreJobManager({
    store,
    providers: services.providers,
    pricing: services.pricing,
    catalog: services,
    scheduler: new Scheduler({ retry: options.retry, userWeight: options.userWeight, limitsFor: (lane) => services.limitsFor(lane), notify: (notice) => core.notice(notice) }),
    maxInterviews: options.maxInterviews ?? DEFAULT_MAX_INTERVIEWS,
    maxRunningJobs: options.maxRunningJobs ?? 8,
    interviewsInFlight: options.interviewsInFlight ?? 256,
    log,
  });
  const app = createApp({ store, jobs: core, version: VERSION, maxBodyBytes: options.maxBodyBytes ?? 64 * 1024 * 1024, log });

  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const listening = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 0 }, () => resolve(listening));
    listening.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  core.resume();
  log(`Fieldwork ${VERSION} listening on ${url}`);

  let closed: Promise<void> | null = null;
  return {
    url,
    apiKey,
    apiKeyFile,
    store,
    close: () =>
      (closed ??= (async () => {
        await core.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Open event streams would hold the close forever.
          (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        });
        store.close();
        await services.close();
      })()),
  };
}

/** The data directory's key: created on first start (mode 0600), recreated if the database no longer knows it. */
function ensureLocalKey(store: Store, file: string): string {
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (store.userForKey(key)) return key;
  }
  const { key } = store.createApiKey('local');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}
