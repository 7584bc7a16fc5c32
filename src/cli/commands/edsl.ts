// `fieldwork import edsl FILE.json` (EDSL Jobs or Survey JSON → a survey file) and `fieldwork export edsl FILE`
// (a survey file → EDSL Survey or Jobs JSON). Pure file work: no server.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { exportJobs, exportSurvey } from '../../edsl/export';
import { importEdsl } from '../../edsl/import';
import { loadSurveyFiles, parseSurvey } from '../../format';
import { EXIT, UsageError } from '../failure';
import type { Cli } from '../io';
import { formatSpecIssue } from '../local-check';

export interface ImportEdslOptions {
  output?: string | undefined;
  force?: boolean | undefined;
}

export function importEdslCommand(cli: Cli, file: string, opts: ImportEdslOptions): number {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read ${file} as JSON: ${error instanceof Error ? error.message : String(error)}. Write it with json.dump(jobs.to_dict(), f).`);
  }
  const stem = basename(file).replace(/\.json$/i, '');
  const imported = importEdsl(value, { name: stem });
  if (!imported.ok) {
    cli.err(`${file} cannot run on Fieldwork:`);
    for (const reason of imported.reasons) cli.err(`  - ${reason}`);
    return EXIT.badInput;
  }
  const output = opts.output ?? join(dirname(file), `${stem}.survey.yaml`);
  if (!/\.survey\.(ya?ml|json)$/.test(output))
    throw new UsageError(`name the output NAME.survey.yaml (or .survey.json), not ${output}: Fieldwork finds surveys by that ending.`);
  if (existsSync(output) && !opts.force) throw new UsageError(`${output} exists; choose another name with -o, or pass --force to replace it.`);
  const text = output.endsWith('.json') ? `${JSON.stringify(imported.survey, null, 2)}\n` : stringify(imported.survey, { lineWidth: 0 });
  writeFileSync(output, text);
  for (const note of imported.notes) cli.err(`note: ${note}`);
  cli.err(`Wrote ${output} from EDSL ${imported.kind} JSON.`);
  return EXIT.ok;
}

export function exportEdslCommand(cli: Cli, file: string, opts: { output?: string | undefined; jobs: boolean }): number {
  let loaded;
  try {
    loaded = loadSurveyFiles(file);
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = parseSurvey(loaded.source, loaded.readFile);
  if (!parsed.ok) {
    for (const issue of parsed.issues) cli.err(formatSpecIssue(issue));
    return EXIT.badInput;
  }
  const edsl = opts.jobs ? exportJobs(parsed.value) : exportSurvey(parsed.value);
  const text = `${JSON.stringify(edsl, null, 2)}\n`;
  if (!opts.output) {
    cli.stdout.write(text);
    return EXIT.ok;
  }
  writeFileSync(opts.output, text);
  cli.err(`Wrote EDSL ${opts.jobs ? 'Jobs' : 'Survey'} JSON to ${opts.output}; read it with ${opts.jobs ? 'Jobs' : 'Survey'}.from_dict(json.load(f)).`);
  return EXIT.ok;
}
