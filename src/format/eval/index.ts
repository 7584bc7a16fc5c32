// The eval file format: schemas, parsing with positions, the dataset, prompts and the compiled eval.
export { parseEval } from './parse';
export { CompiledEval } from './compiled-eval';
export { evalReferencedFiles, loadEvalFiles, type LoadedEval } from './load';
export { evalJsonSchema, EVAL_SCHEMA_ID } from './json-schema';
export { sampleEvalReply, type AnswerFormat } from './answer-format';
export { LETTERS, letteredChoices } from './prompts';
export {
  EvalFile,
  REDUCERS,
  SCORER_TYPES,
  Sample,
  type ChoiceScorer,
  type EmbeddingScorer,
  type Epochs,
  type EvalTask,
  type ExactScorer,
  type F1Scorer,
  type IncludesScorer,
  type LogProbabilityScorer,
  type MatchScorer,
  type ModelGradedScorer,
  type PatternScorer,
  type Reducer,
  type ScorerSpec,
  type ScorerType,
} from './schema';
