// An eval ready to run: templates compiled once. An eval expands into interviews exactly as a survey does, with
// one agent, the samples as scenarios and the epochs as iterations: interview = (sample, model, epoch), epoch
// varying fastest, then model, then sample — so `interviewAt` and resume work as for surveys.
import { interviewAt, interviewCount, interviews, type Dimensions, type InterviewRef } from '../expand';
import type { Prompts } from '../prompts';
import { compileTemplate, type CompiledTemplate } from '../template';
import type { AnswerFormat } from './answer-format';
import { LETTERS, letteredChoices } from './prompts';
import type { EvalTask, Sample } from './schema';

/** Targets that all read as numbers get a numeric hint for the test model. */
const NUMBER = /^\s*-?\d+(?:[.,]\d+)*\s*$/;

export class CompiledEval {
  readonly interviewCount: number;
  private readonly dimensions: Dimensions;
  private readonly prompt: CompiledTemplate;
  /** Rubric templates by scorer index (model_graded scorers only). */
  private readonly rubrics = new Map<number, CompiledTemplate>();

  constructor(readonly task: EvalTask) {
    this.prompt = compiled(task.prompt.template, 'prompt');
    task.scorers.forEach((scorer, index) => {
      if (scorer.type === 'model_graded') this.rubrics.set(index, compiled(scorer.rubric, `scorer "${scorer.name}" rubric`));
    });
    this.dimensions = { agents: 1, scenarios: task.samples.length, models: task.models.length, iterations: task.epochs.count };
    this.interviewCount = interviewCount(this.dimensions);
  }

  /** Interview `index`: scenarioIndex is the sample, iteration the epoch (0-based). */
  interviewAt(index: number): InterviewRef {
    return interviewAt(this.dimensions, index);
  }

  interviews(from = 0): Generator<InterviewRef> {
    return interviews(this.dimensions, from);
  }

  sample(index: number): Sample {
    const sample = this.task.samples[index];
    if (!sample) throw new RangeError(`sample ${index} does not exist; this eval has ${this.task.samples.length}`);
    return sample;
  }

  /** The task's prompts for a sample. Throws an Error saying why if the template cannot be rendered. */
  prompts(sampleIndex: number): Prompts {
    return { system: this.task.prompt.system, user: this.prompt.render(scope(this.sample(sampleIndex))) };
  }

  answerFormat(sampleIndex: number): AnswerFormat {
    const sample = this.sample(sampleIndex);
    if (sample.choices) return { kind: 'choice', letters: LETTERS.slice(0, sample.choices.length) };
    return { kind: 'open', numeric: sample.target.length > 0 && sample.target.every((target) => NUMBER.test(target)) };
  }

  /** The grader's prompt for a model_graded scorer: the rubric over the sample and the output. */
  rubricPrompts(scorerIndex: number, sampleIndex: number, output: string): Prompts {
    const rubric = this.rubrics.get(scorerIndex);
    if (!rubric) throw new RangeError(`scorer ${scorerIndex} is not model-graded`);
    const sample = this.sample(sampleIndex);
    return { system: '', user: rubric.render({ ...scope(sample), output, target: sample.target.join(' or ') }) };
  }
}

/** What a template sees of a sample: metadata keys at the top, the sample's own fields over them. */
export function scope(sample: Sample): Record<string, unknown> {
  const choices = sample.choices ?? [];
  return {
    ...sample.metadata,
    metadata: sample.metadata,
    input: sample.input,
    id: sample.id,
    choices: letteredChoices(choices),
    letters: LETTERS.slice(0, choices.length).join(', '),
  };
}

function compiled(text: string, what: string): CompiledTemplate {
  const result = compileTemplate(text);
  if (!result.ok) throw new Error(`${what}: ${result.message}`);
  return result.template;
}
