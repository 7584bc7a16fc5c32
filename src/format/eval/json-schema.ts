// JSON Schema for `*.eval.{yaml,yml,json}`, generated from the zod schemas, for editors. Cross-field checks
// (targets, choices, template names) are beyond JSON Schema; parseEval makes them.
import { editorJsonSchema } from '../json-schema';
import { EvalFile } from './schema';

export const EVAL_SCHEMA_ID = 'https://fieldwork.dev/schemas/eval.schema.json';

export const evalJsonSchema = editorJsonSchema(EvalFile, EVAL_SCHEMA_ID);
