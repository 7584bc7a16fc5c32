// What each kind of job shows besides its results, the one table the panel and the extension read instead of
// branching on the kind: a survey's questions (their types pick the charts), an eval's metrics per model and scorer.
import type { JobKind } from './job';

export interface KindView {
  /** The survey's questions are read to chart its answers. */
  questions: boolean;
  /** Metrics per model and scorer, live while it runs and final at its end. */
  metrics: boolean;
}

export const KIND_VIEW: Record<JobKind, KindView> = {
  survey: { questions: true, metrics: false },
  eval: { questions: false, metrics: true },
};
