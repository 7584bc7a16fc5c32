// JSON Schema for `*.survey.{yaml,yml,json}`, generated from the zod schemas, for editors (the YAML extension and
// VS Code's JSON support): completion, hover docs and validation while typing. Cross-field checks (bounds, names
// in rules and templates) are beyond JSON Schema; parseSurvey makes them.
import { z } from 'zod';
import { SurveyFile } from './schema';

export const SURVEY_SCHEMA_ID = 'https://fieldwork.dev/schemas/survey.schema.json';

let cached: object | undefined;

export function surveyJsonSchema(): object {
  cached ??= {
    ...z.toJSONSchema(SurveyFile, { io: 'input', target: 'draft-7', unrepresentable: 'any' }),
    $id: SURVEY_SCHEMA_ID,
  };
  return structuredClone(cached);
}
