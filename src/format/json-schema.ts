// JSON Schema for `*.survey.{yaml,yml,json}`, generated from the zod schemas, for editors (the YAML extension and
// VS Code's JSON support): completion, hover docs and validation while typing. Cross-field checks (bounds, names
// in rules and templates) are beyond JSON Schema; parseSurvey makes them. An eval's is made the same way.
import { z } from 'zod';
import { SurveyFile } from './schema';

export const SURVEY_SCHEMA_ID = 'https://fieldwork.dev/schemas/survey.schema.json';

/** A file format's zod schema as editors read it (draft 7, as written), with its $id: built once, handed out as copies. */
export function editorJsonSchema(schema: z.ZodType, id: string): () => object {
  let cached: object | undefined;
  return () => {
    cached ??= { ...z.toJSONSchema(schema, { io: 'input', target: 'draft-7', unrepresentable: 'any' }), $id: id };
    return structuredClone(cached);
  };
}

export const surveyJsonSchema = editorJsonSchema(SurveyFile, SURVEY_SCHEMA_ID);
