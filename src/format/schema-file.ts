// Writes or checks media/survey.schema.json and media/eval.schema.json, the JSON Schemas editors use.
//   npx tsx src/format/schema-file.ts --write    regenerate it
//   npx tsx src/format/schema-file.ts --check    exit 1 if the committed file is out of date
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evalJsonSchema } from './eval/json-schema';
import { surveyJsonSchema } from './json-schema';

export const SCHEMA_FILE = join(__dirname, '..', '..', 'media', 'survey.schema.json');
export const EVAL_SCHEMA_FILE = join(__dirname, '..', '..', 'media', 'eval.schema.json');

export function schemaFileText(): string {
  return `${JSON.stringify(surveyJsonSchema(), null, 2)}\n`;
}

export function evalSchemaFileText(): string {
  return `${JSON.stringify(evalJsonSchema(), null, 2)}\n`;
}

function main(argv: string[]): number {
  const files: [string, string][] = [
    [SCHEMA_FILE, schemaFileText()],
    [EVAL_SCHEMA_FILE, evalSchemaFileText()],
  ];
  if (argv.includes('--write')) {
    for (const [file, expected] of files) {
      writeFileSync(file, expected);
      console.log(`wrote ${file}`);
    }
    return 0;
  }
  if (argv.includes('--check')) {
    let code = 0;
    for (const [file, expected] of files) {
      let current = '';
      try {
        current = readFileSync(file, 'utf8');
      } catch {
        // missing counts as out of date
      }
      if (current === expected) continue;
      console.error(`${file} is out of date; run: npx tsx src/format/schema-file.ts --write`);
      code = 1;
    }
    return code;
  }
  console.error('usage: schema-file.ts --write | --check');
  return 2;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
