// Writes or checks media/survey.schema.json, the JSON Schema editors use for survey files.
//   npx tsx src/spec/schema-file.ts --write    regenerate it
//   npx tsx src/spec/schema-file.ts --check    exit 1 if the committed file is out of date
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { surveyJsonSchema } from './json-schema';

export const SCHEMA_FILE = join(__dirname, '..', '..', 'media', 'survey.schema.json');

export function schemaFileText(): string {
  return `${JSON.stringify(surveyJsonSchema(), null, 2)}\n`;
}

function main(argv: string[]): number {
  const expected = schemaFileText();
  if (argv.includes('--write')) {
    writeFileSync(SCHEMA_FILE, expected);
    console.log(`wrote ${SCHEMA_FILE}`);
    return 0;
  }
  if (argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(SCHEMA_FILE, 'utf8');
    } catch {
      // missing counts as out of date
    }
    if (current === expected) return 0;
    console.error(`${SCHEMA_FILE} is out of date; run: npx tsx src/spec/schema-file.ts --write`);
    return 1;
  }
  console.error('usage: schema-file.ts --write | --check');
  return 2;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
