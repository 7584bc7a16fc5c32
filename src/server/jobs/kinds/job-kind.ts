// A kind of job — a survey or an eval — as the job service sees it: one contract, with the two implementations side
// by side (survey-job.ts, eval-job.ts). The service, the routes and the runner dispatch through it; none of them
// asks which kind a job is.
import type { Estimate, JobKind, Metric, Result } from '../../../api';
import type { ModelSpec } from '../../../format';
import type { Pricing } from '../../cost/pricing';
import type { ResultCsv } from '../../http/csv';
import type { Provider } from '../../providers/provider';
import type { InterviewPlan } from '../../runner/job-run';
import type { CacheScope, Store } from '../../store/store';

/** A job compiled from its checked file, with the checks only a server can make passed; kept while it is needed. */
export interface CompiledJob {
  readonly kind: JobKind;
  /** What the job's row says: its name, its models' labels and how many interviews it has. */
  readonly name: string;
  readonly models: string[];
  readonly interviewCount: number;
  /** The file's own `fresh:`; the submission's overrides it. */
  readonly fresh: boolean;
  /** The message of the job's `queued` event. */
  queuedMessage(): string;
  /** Before a run: calls, tokens and cost per model, with the share already in the user's cache. */
  estimate(cost: CostContext): Promise<Estimate>;
  /** Its interviews in order, and how to run one into result rows. */
  plan(): InterviewPlan;
  /** The lanes (`service/model`) its calls go out on: a replica runs it only while it owns them all. */
  lanes(): string[];
  /** Metrics from its stored results (a survey has none). */
  metrics(results: AsyncIterable<Result>): Promise<Metric[]>;
  /** How its results are written as CSV (an eval adds its samples' and scorers' columns). */
  csv(): ResultCsv;
}

export interface CostContext {
  store: Store;
  pricing: Pricing;
  fresh: boolean;
  /** The cache of the user who asks: only their own cached calls count as cached. */
  scope: CacheScope;
}

/** What the services side says about a model (see ServiceCatalog in job-service.ts). */
export type ModelRefusal = (model: ModelSpec, needsImages: boolean) => string | null;

/** What a server checks a job against when it compiles one. */
export interface ServerLimits {
  providers: ReadonlyMap<string, Provider>;
  /** Why the server cannot run a model, when it has a services catalog. */
  refusal: ModelRefusal | null;
  maxInterviews: number;
}

/** The same words for a model no service of this server offers, whatever the kind. */
export function noServiceMessage(role: string, model: ModelSpec, providers: ReadonlyMap<string, Provider>): string {
  return `${role} "${model.label}": this server has no service "${model.service}" (it offers: ${[...providers.keys()].join(', ')}). Use one of those, or configure the service on the server.`;
}
