// What a job service is built from: the store, providers, prices, the scheduler, limits, the format pool, and (on a
// team's database) the replica it runs as.
import type { Survey } from '../../format';
import type { ModelInfo } from '../../api';
import type { Store } from '../store/store';
import type { Provider } from '../providers/provider';
import type { Pricing } from '../cost/pricing';
import type { Scheduler } from '../scheduler/scheduler';
import type { SpecChecker } from './compile-submission';
import type { CacheScopeOf } from '../cache-scope';
import type { ReplicaWork } from './replica-work';

export interface CoreOptions {
  store: Store;
  providers: ReadonlyMap<string, Provider>;
  pricing: Pricing;
  scheduler: Scheduler;
  /** What the server's services offer (models, prices, capabilities) and refuse; without it, every provider's service is offered. */
  catalog?: ServiceCatalog;
  /** Largest job accepted, in interviews. */
  maxInterviews: number;
  /** Most questions per survey. */
  maxQuestions: number;
  /** Where submitted files are parsed and checked: the spec pool's workers, off the event loop. */
  specs: SpecChecker;
  /** Jobs running at once; more wait as queued. */
  maxRunningJobs: number;
  /** Interviews in flight per job. */
  interviewsInFlight: number;
  /** Whose call cache a user reads and fills (src/server/cache-scope.ts); each user their own by default. */
  cacheScope?: CacheScopeOf;
  /** One of several replicas on a PostgreSQL database: jobs run here once this replica claimed them (replica-work.ts). */
  replica?: ReplicaWork;
  log: (line: string) => void;
}

/** The services side of the job service (src/server/services): the /v1/models list and why a model cannot run. */
export interface ServiceCatalog {
  models(): ModelInfo[];
  refusal(model: Survey['models'][number], needsImages: boolean): string | null;
}
