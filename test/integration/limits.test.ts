// The limits a server enforces are the ones it reports in /v1/health, and the client checks them before uploading:
// one body limit known to both (`serve --max-body-mb`), and the questions per survey (FIELDWORK_MAX_QUESTIONS).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MAX_BODY_BYTES, Problem, PROBLEM_TYPES, type JobSubmission } from '../../src/api';
import { FieldworkClient, ValidationError } from '../../src/client';
import { startServer, type RunningServer } from '../../src/server/server';
import { DEFAULT_MAX_QUESTIONS } from '../../src/format';

const MB = 1024 * 1024;

const survey = (questions: number, csvBytes = 0): JobSubmission => ({
  source: {
    name: 'limits.survey.yaml',
    text: [
      ...(csvBytes > 0 ? ['scenarios: rows.csv'] : []),
      'questions:',
      ...Array.from({ length: questions }, (_, i) => `  - { question_name: q${i}, question_type: free_text, question_text: "Hi ${i}" }`),
    ].join('\n'),
  },
  files: csvBytes > 0 ? { 'rows.csv': `n\n${'1\n'.repeat(Math.ceil(csvBytes / 2))}` } : {},
});

describe('server limits', () => {
  const dirs: string[] = [];
  const servers: RunningServer[] = [];
  const logs: string[] = [];
  let small: RunningServer;

  const start = async (options: Partial<Parameters<typeof startServer>[0]> = {}) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-limits-'));
    dirs.push(dataDir);
    const server = await startServer({ dataDir, port: 0, log: (line) => logs.push(line), ...options });
    servers.push(server);
    return server;
  };

  before(async () => {
    small = await start({ maxBodyBytes: 1 * MB, env: { FIELDWORK_MAX_QUESTIONS: '3' } });
  });
  after(async () => {
    for (const server of servers) await server.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('health reports the limits the server enforces; the defaults are the shared constants', async () => {
    const client = new FieldworkClient({ baseUrl: small.url, apiKey: small.apiKey });
    assert.deepEqual((await client.health()).limits, { max_body_bytes: MB, max_questions: 3, max_interviews: 1_000_000 });
    const plain = await start({ env: {} });
    const other = new FieldworkClient({ baseUrl: plain.url, apiKey: plain.apiKey });
    assert.deepEqual((await other.health()).limits, {
      max_body_bytes: DEFAULT_MAX_BODY_BYTES,
      max_questions: DEFAULT_MAX_QUESTIONS,
      max_interviews: 1_000_000,
    });
    await Promise.all([client.close(), other.close()]);
  });

  test('a body over the limit gets a 413 that names the option that raises it', async () => {
    const response = await fetch(`${small.url}/v1/estimates`, {
      method: 'POST',
      headers: { authorization: `Bearer ${small.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(survey(1, 1.5 * MB)),
    });
    assert.equal(response.status, 413);
    const problem = Problem.parse(await response.json());
    assert.equal(problem.type, PROBLEM_TYPES.tooLarge);
    assert.match(problem.detail ?? '', /larger than this server accepts \(1 MB, 1,048,576 bytes\).*start the server with a larger --max-body-mb \(now 1\)/);
  });

  test("the client refuses a submission over the server's limit before sending it", async () => {
    const client = new FieldworkClient({ baseUrl: small.url, apiKey: small.apiKey });
    const before = logs.length;
    for (const send of [() => client.estimate(survey(1, 1.5 * MB)), () => client.submitJob(survey(1, 1.5 * MB))]) {
      await assert.rejects(send(), (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        assert.equal(error.status, 413);
        assert.match(
          error.message,
          /^limits\.survey\.yaml with the files it names comes to 2\.3 MB; the server at .* accepts at most 1 MB per request — .*--max-body-mb/,
        );
        return true;
      });
    }
    const sent = logs.slice(before).filter((line) => line.startsWith('POST '));
    assert.deepEqual(sent, [], 'nothing was uploaded');
    assert.ok(
      logs.slice(before).some((line) => line.startsWith('GET /v1/health 200')),
      'the limit was asked for',
    );
    // Within the limit, the same client sends as usual.
    assert.equal((await client.estimate(survey(1, 0.5 * MB))).interviews, 262_144);
    await client.close();
  });

  test("a survey over the server's question limit is refused at its first question too many", async () => {
    const client = new FieldworkClient({ baseUrl: small.url, apiKey: small.apiKey });
    await assert.rejects(client.estimate(survey(4)), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.deepEqual(
        error.issues.map((issue) => [issue.line, issue.message]),
        [
          [
            5,
            'question 4 is one too many: a survey may have at most 3 questions, and this one has 4. Split it into several surveys (a server sets its limit with FIELDWORK_MAX_QUESTIONS)',
          ],
        ],
      );
      return true;
    });
    assert.equal((await client.estimate(survey(3))).interviews, 1);
    await client.close();
  });
});
