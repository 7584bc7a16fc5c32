// `fieldwork import edsl`, `fieldwork export edsl` and `jobs results --format edsl`: the bundled CLI in a real process.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Job } from '../../src/api';
import { ROOT, runCli, serve, type ServeProcess } from '../support/processes';

describe('fieldwork and EDSL files', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  let server: ServeProcess;

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'fieldwork-cli-edsl-'));
    env = { FIELDWORK_SERVER_URL: '', FIELDWORK_API_KEY: '', FIELDWORK_DATA_DIR: join(home, 'data'), XDG_CONFIG_HOME: join(home, 'config'), HOME: home };
    server = await serve(join(home, 'server'));
  });
  after(async () => {
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  });

  const fixture = (className: string): unknown => {
    const list = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/edsl/edsl-1.0.8.json'), 'utf8')) as { class_name: string; dict: unknown }[];
    return list.find((entry) => entry.class_name === className)!.dict;
  };

  test('import edsl writes a survey file that runs; export edsl gives the EDSL survey back', async () => {
    const input = join(home, 'school.json');
    writeFileSync(input, JSON.stringify(fixture('Survey')));
    const output = join(home, 'school.survey.yaml');
    const imported = await runCli(['import', 'edsl', input, '-o', output], env);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stderr, /Wrote .*school\.survey\.yaml from EDSL Survey JSON/);
    const survey = parse(readFileSync(output, 'utf8')) as { questions: { question_name: string; skip_if?: string }[] };
    assert.deepEqual(
      survey.questions.map((q) => q.question_name),
      ['q0', 'q1', 'q2'],
    );
    assert.equal(survey.questions[1]!.skip_if, "q0.answer== 'yes'");

    const again = await runCli(['import', 'edsl', input, '-o', output], env);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /exists; choose another name with -o, or pass --force/);

    const exported = await runCli(['export', 'edsl', output], env);
    assert.equal(exported.code, 0, exported.stderr);
    const edsl = JSON.parse(exported.stdout) as {
      edsl_class_name: string;
      questions: unknown[];
      rule_collection: { rules: { before_rule: boolean; current_q: number; expression: string }[] };
    };
    assert.equal(edsl.edsl_class_name, 'Survey');
    assert.equal(edsl.questions.length, 3);
    assert.deepEqual(
      edsl.rule_collection.rules.filter((rule) => rule.before_rule),
      [{ current_q: 1, expression: "{{ q0.answer }}== 'yes'", next_q: 2, priority: 0, before_rule: true }],
    );
  });

  test('import edsl refuses what cannot run, each reason on its own line, and writes nothing', async () => {
    const input = join(home, 'matrix.json');
    writeFileSync(input, JSON.stringify({ questions: [fixture('QuestionMatrix'), fixture('QuestionFunctional')] }));
    const refused = await runCli(['import', 'edsl', input], env);
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /cannot run on Fieldwork:\n {2}- question "child_happiness" is of type matrix.*\n {2}- question "sum_and_multiply" is of type functional/,
    );
  });

  test('jobs results --format edsl writes EDSL Results JSON of a job run through /v1', async () => {
    const remote = { ...env, FIELDWORK_SERVER_URL: server.url, FIELDWORK_API_KEY: server.apiKey };
    const run = await runCli(['run', 'examples/coffee.survey.yaml', '--json'], remote);
    assert.equal(run.code, 0, run.stderr);
    const job = Job.parse(JSON.parse(run.stdout));
    const file = join(home, 'coffee.results.json');
    const results = await runCli(['jobs', 'results', job.id, '--format', 'edsl', '--output', file], remote);
    assert.equal(results.code, 0, results.stderr);
    const edsl = JSON.parse(readFileSync(file, 'utf8')) as { edsl_class_name: string; data: { answer: Record<string, unknown> }[] };
    assert.equal(edsl.edsl_class_name, 'Results');
    assert.equal(edsl.data.length, job.progress.interviews_total);
    const missing = await runCli(['jobs', 'results', 'job_nope', '--format', 'edsl'], remote);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /job_nope/);
  });
});
