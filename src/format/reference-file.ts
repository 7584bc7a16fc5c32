// Writes or checks docs/format-reference.md: every field of a survey and an eval file, with its type, default and
// description, rendered from the JSON Schemas in media/ (which are generated from the zod schemas and checked against
// them). The reference and the schemas editors complete from cannot disagree.
//   npx tsx src/format/reference-file.ts --write    regenerate it
//   npx tsx src/format/reference-file.ts --check    exit 1 if the committed file is out of date
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
export const REFERENCE_FILE = join(ROOT, 'docs', 'format-reference.md');

/** The part of JSON Schema draft-07 our schemas use. */
interface Schema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  additionalProperties?: boolean | Schema;
  minimum?: number;
  maximum?: number;
  pattern?: string;
}

interface Row {
  field: string;
  type: string;
  required: boolean;
  fallback: string;
  description: string;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const json = (value: unknown): string => `\`${JSON.stringify(value)}\``;

/** A short name for a schema's type: `string`, `integer 1–10000`, `"a" \| "b"`, `list of object`… */
function typeOf(schema: Schema): string {
  if (schema.const !== undefined) return json(schema.const);
  if (schema.enum) return schema.enum.map(json).join(' or ');
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return [...new Set(variants.map(typeOf))].join(' or ');
  if (schema.type === 'array') return `list of ${schema.items ? typeOf(schema.items) : 'any'}`;
  const type = Array.isArray(schema.type) ? schema.type.join(' or ') : (schema.type ?? 'any');
  // zod writes the safe-integer bounds on every integer: only bounds of our own say something.
  const bound = (value: number | undefined) => (value !== undefined && Math.abs(value) < 1e15 ? value : undefined);
  const [low, high] = [bound(schema.minimum), bound(schema.maximum)];
  if (low !== undefined && high !== undefined) return `${type} ${low}–${high}`;
  if (low !== undefined) return `${type} ≥ ${low}`;
  if (high !== undefined) return `${type} ≤ ${high}`;
  return type;
}

/** The variants of a list's items or a field that are objects with fields of their own: each gets its own table. */
function objectVariants(schema: Schema): Schema[] {
  const inner = schema.type === 'array' && schema.items ? schema.items : schema;
  const variants = inner.anyOf ?? inner.oneOf ?? [inner];
  return variants.flatMap((variant) => (variant.oneOf || variant.anyOf ? objectVariants(variant) : variant.properties ? [variant] : []));
}

/** The name of a variant: the value of its `const` field (a question's or scorer's type), if it has one. */
function variantName(schema: Schema): string | null {
  for (const [key, field] of Object.entries(schema.properties ?? {})) if (field.const !== undefined) return `${key}: ${String(field.const)}`;
  return null;
}

function rows(schema: Schema, prefix: string): Row[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {})
    .filter(([name]) => name !== '$schema')
    .map(([name, field]) => ({
      field: `${prefix}${name}`,
      type: typeOf(field),
      required: required.has(name),
      fallback: field.default === undefined ? '' : json(field.default),
      description: field.description ?? field.items?.description ?? '',
    }));
}

function table(list: Row[]): string[] {
  return [
    '| field | type | default | description |',
    '| --- | --- | --- | --- |',
    ...list.map((row) => `| \`${row.field}\`${row.required ? ' (required)' : ''} | ${cell(row.type)} | ${cell(row.fallback)} | ${cell(row.description)} |`),
  ];
}

/** One file kind: its top-level table, then a table for each field whose values are objects with fields. */
function section(title: string, schema: Schema): string[] {
  const lines = [`## ${title}`, '', ...(schema.description ? [schema.description, ''] : []), ...table(rows(schema, '')), ''];
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    const variants = objectVariants(field);
    if (variants.length === 0) continue;
    const list = field.type === 'array' ? `${name}[]` : name;
    for (const variant of variants) {
      const label = variantName(variant);
      lines.push(`### \`${list}\`${label ? ` — ${label}` : ''}`, '', ...table(rows(variant, `${list}.`)), '');
      for (const [inner, innerField] of Object.entries(variant.properties ?? {})) {
        for (const deeper of objectVariants(innerField)) {
          const innerList = innerField.type === 'array' ? `${inner}[]` : inner;
          lines.push(`#### \`${list}.${innerList}\``, '', ...table(rows(deeper, `${list}.${innerList}.`)), '');
        }
      }
    }
  }
  return lines;
}

export function referenceText(survey: Schema, evaluation: Schema): string {
  return [
    '# File format reference',
    '',
    '<!-- Generated from media/survey.schema.json and media/eval.schema.json by src/format/reference-file.ts; do not edit. -->',
    '',
    'Every field of a survey (`*.survey.yaml`, `*.survey.json`) and an eval (`*.eval.yaml`, `*.eval.json`) file.',
    'How the pieces work together, with examples, is in [format.md](format.md).',
    '',
    ...section('Survey', survey),
    ...section('Eval', evaluation),
  ].join('\n');
}

/** The reference as the committed JSON Schemas in media/ give it. */
export function referenceFromSchemaFiles(): string {
  const read = (name: string) => JSON.parse(readFileSync(join(ROOT, 'media', name), 'utf8')) as Schema;
  return referenceText(read('survey.schema.json'), read('eval.schema.json'));
}

function main(argv: string[]): number {
  const expected = referenceFromSchemaFiles();
  if (argv.includes('--write')) {
    writeFileSync(REFERENCE_FILE, expected);
    console.log(`wrote ${REFERENCE_FILE}`);
    return 0;
  }
  if (argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(REFERENCE_FILE, 'utf8');
    } catch {
      // missing counts as out of date
    }
    if (current === expected) return 0;
    console.error(`${REFERENCE_FILE} is out of date; run: npx tsx src/format/reference-file.ts --write`);
    return 1;
  }
  console.error('usage: reference-file.ts --write | --check');
  return 2;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
