// While an eval is checked, its prompt template (and each grader's rubric) is rendered with real samples, so a
// template that runs into a render limit is a problem at its line and column before anything runs. Spread over
// the samples, within a budget of renders and of time, like a survey's (see ../trial-render.ts).
import { TRIAL_RENDER_MS, TRIAL_RENDERS } from '../limits';
import type { Path } from '../positions';
import { TemplateRenderError } from '../template';
import { CompiledEval } from './compiled-eval';
import type { EvalTask } from './schema';

export interface EvalTrialFailure {
  /** Where the template is written. */
  path: Path;
  offset: number;
  message: string;
}

export function trialRenderEval(task: EvalTask, promptPath: Path, budget = { renders: TRIAL_RENDERS, ms: TRIAL_RENDER_MS }): EvalTrialFailure | null {
  const compiled = new CompiledEval(task);
  const graded = task.scorers.flatMap((scorer, index) => (scorer.type === 'model_graded' ? [index] : []));
  const samples = task.samples.length;
  const tries = Math.max(1, Math.min(samples, Math.floor(budget.renders / (1 + graded.length))));
  const started = performance.now();
  for (let attempt = 0; attempt < tries && samples > 0; attempt++) {
    const sample = Math.floor((attempt * samples) / tries);
    const failed = (path: Path, what: string, error: unknown): EvalTrialFailure => {
      if (!(error instanceof TemplateRenderError)) throw error;
      return {
        path,
        offset: error.offset,
        message: `${what} could not be rendered for sample "${task.samples[sample]?.id ?? sample + 1}": ${error.reason}. Make its loops shorter`,
      };
    };
    try {
      compiled.prompts(sample);
    } catch (error) {
      return failed(promptPath, 'the prompt template', error);
    }
    for (const scorer of graded) {
      try {
        compiled.rubricPrompts(scorer, sample, '');
      } catch (error) {
        return failed(['scorers', scorer, 'rubric'], `scorer "${task.scorers[scorer]?.name}": the rubric`, error);
      }
    }
    if (performance.now() - started > budget.ms) break;
  }
  return null;
}
