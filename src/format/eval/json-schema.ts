// JSON Schema for `*.eval.{yaml,yml,json}`, generated from the zod schemas, for editors. Cross-field checks
// (targets, choices, template names) are beyond JSON Schema; parseEval makes them.
import { z } from 'zod';
import { EvalFile } from './schema';

export const EVAL_SCHEMA_ID = 'https://fieldwork.dev/schemas/eval.schema.json';

let cached: object | undefined;

export function evalJsonSchema(): object {
  cached ??= {
    ...z.toJSONSchema(EvalFile, { io: 'input', target: 'draft-7', unrepresentable: 'any' }),
    $id: EVAL_SCHEMA_ID,
  };
  return structuredClone(cached);
}
