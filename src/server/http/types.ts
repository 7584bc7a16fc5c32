// What the HTTP layer is built from, and what each request carries once authenticated.
import type { ServerLimits } from '../../api';
import type { JobManager } from '../jobs/job-manager';
import type { Store } from '../store/store';

export interface AppDeps {
  store: Store;
  jobs: JobManager;
  version: string;
  /** What the server refuses, reported in /v1/health; a body over max_body_bytes gets 413. */
  limits: ServerLimits;
  /** One line per request, and the stack of any unexpected error. Never given a key. */
  log: (line: string) => void;
  /** How often an idle event stream sends a comment so proxies keep it open. Default 15 s. */
  keepaliveMs?: number;
}

export interface AppEnv {
  Variables: {
    /** The user the request's API key belongs to. */
    user: string;
  };
}
