// Images end to end: a survey file names PNGs beside it; the client sends them inline; a real job server calls
// local servers that speak OpenAI's and Anthropic's wire formats, which must receive the very bytes in their own
// form. Also: the cache key follows the picture's content, models without images refuse before the job starts,
// and the test model accepts images (and ignores them).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FieldworkClient, submissionFromFile, ValidationError } from '../../src/client';
import { startServer, type RunningServer } from '../../src/server/server';
import { parseServicesConfig } from '../../src/server/services/config';
import { ROOT } from '../support/processes';
import { send, startProviderServer, type ProviderServer, type SeenRequest } from './providers/provider-server';
import { waitForJob } from '../support/jobs';

const SWATCH_1 = readFileSync(join(ROOT, 'examples/images/swatch-1.png'));
const SWATCH_2 = readFileSync(join(ROOT, 'examples/images/swatch-2.png'));

const survey = (model: string) =>
  [
    'name: Swatches',
    'scenarios:',
    '  - { swatch: { image: images/one.png }, n: 1 }',
    '  - { swatch: { image: images/two.png }, n: 2 }',
    `models: [${model}]`,
    'questions:',
    '  - { question_name: colour, question_type: multiple_choice, question_text: "Which colour is in {{ swatch }}?", question_options: [Red, Blue] }',
    '  - { question_name: count, question_type: free_text, question_text: "Scenario {{ n }} has no picture in this question." }',
  ].join('\n');

const openAiReply = (request: SeenRequest, res: Parameters<typeof send>[0]) =>
  send(res, 200, {
    id: 'chatcmpl-img',
    object: 'chat.completion',
    model: String(request.body?.model),
    choices: [{ index: 0, message: { role: 'assistant', content: 'Red' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 100, completion_tokens: 1 },
  });

const anthropicReply = (request: SeenRequest, res: Parameters<typeof send>[0]) =>
  send(res, 200, {
    id: 'msg_img',
    type: 'message',
    role: 'assistant',
    model: String(request.body?.model),
    content: [{ type: 'text', text: 'Blue' }],
    stop_reason: 'end_turn',
    usage: { input_tokens: 120, output_tokens: 1 },
  });

describe('images: a survey that shows pictures, through real wire formats', () => {
  let openai: ProviderServer;
  let anthropic: ProviderServer;
  let dir: string;
  let dataDir: string;
  let server: RunningServer;
  let client: FieldworkClient;

  const writeSurvey = (name: string, model: string): string => {
    const path = join(dir, name);
    writeFileSync(path, survey(model));
    return path;
  };

  before(async () => {
    openai = await startProviderServer();
    openai.reply(openAiReply);
    anthropic = await startProviderServer();
    anthropic.reply(anthropicReply);
    dir = mkdtempSync(join(tmpdir(), 'fieldwork-images-'));
    mkdirSync(join(dir, 'images'));
    writeFileSync(join(dir, 'images/one.png'), SWATCH_1);
    writeFileSync(join(dir, 'images/two.png'), SWATCH_2);
    dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-images-data-'));
    const config = parseServicesConfig(
      'services.yaml',
      [
        'services:',
        '  - name: oai',
        '    provider: openai',
        `    base_url: ${openai.url}/v1`,
        '    api_key_env: OAI_KEY',
        '    capabilities: { gpt-4o-mini: [images] }',
        '    prices: { gpt-4o-mini: { input_per_mtok: 0.15, output_per_mtok: 0.6 }, text-only: { input_per_mtok: 1, output_per_mtok: 1 } }',
        '    readiness: false',
        '  - name: claude',
        '    provider: anthropic',
        `    base_url: ${anthropic.url}/v1`,
        '    api_key_env: CLAUDE_KEY',
        "    capabilities: { '*': [images] }",
        '    readiness: false',
      ].join('\n'),
    );
    assert.ok(config.ok, JSON.stringify(!config.ok && config.issues));
    server = await startServer({ dataDir, port: 0, services: config.config, env: { OAI_KEY: 'sk-img', CLAUDE_KEY: 'sk-ant-img' } });
    client = new FieldworkClient({ baseUrl: server.url, apiKey: server.apiKey });
  });
  after(async () => {
    await client.close();
    await server.close();
    await openai.close();
    await anthropic.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the client sends the pictures inline as base64; OpenAI receives each as a data URI, the text as "[image 1]"', async () => {
    const submission = submissionFromFile(writeSurvey('oai.survey.yaml', 'oai/gpt-4o-mini'));
    assert.equal(submission.files?.['images/one.png'], `base64:${SWATCH_1.toString('base64')}`);
    const job = await waitForJob(client, (await client.submitJob(submission)).id);
    assert.equal(job.status, 'completed', job.error ?? '');

    const calls = openai.requests.filter((r) => r.path === '/v1/chat/completions');
    assert.equal(calls.length, 4);
    const withImages = calls.filter((r) => Array.isArray((r.body!.messages as { content: unknown }[]).at(-1)!.content));
    assert.equal(withImages.length, 2, 'only the question that names the picture shows it');
    const sent = withImages.map((r) => (r.body!.messages as { content: { type: string; text?: string; image_url?: { url: string } }[] }[]).at(-1)!.content);
    for (const content of sent) {
      assert.equal(content[0]!.type, 'text');
      assert.match(content[0]!.text!, /^Which colour is in \[image 1\]\?/);
      assert.ok(!content[0]!.text!.includes('.png'), 'the file name is not shown: it could give the answer away');
    }
    const urls = sent.map((content) => content.find((part) => part.type === 'image_url')!.image_url!.url).sort();
    assert.deepEqual(urls, [`data:image/png;base64,${SWATCH_1.toString('base64')}`, `data:image/png;base64,${SWATCH_2.toString('base64')}`].sort());

    // Actual cost per model, from the server's own count.
    assert.deepEqual(job.cost_by_model, [
      { model: 'oai/gpt-4o-mini', calls: 4, cached_calls: 0, input_tokens: 400, output_tokens: 4, usd: (400 * 0.15 + 4 * 0.6) / 1e6 },
    ]);
  });

  it('the cache key follows the picture: the same survey is all cache hits, a changed picture is asked again', async () => {
    const path = join(dir, 'oai.survey.yaml');
    const before = openai.requests.length;
    const rerun = await waitForJob(client, (await client.submitJob(submissionFromFile(path))).id);
    assert.equal(rerun.progress.calls_cached, 4);
    assert.equal(openai.requests.length, before);
    assert.deepEqual(rerun.cost_by_model, [{ model: 'oai/gpt-4o-mini', calls: 4, cached_calls: 4, input_tokens: 0, output_tokens: 0, usd: 0 }]);

    writeFileSync(join(dir, 'images/two.png'), Buffer.concat([SWATCH_2, Buffer.from([0])])); // same name, other bytes
    try {
      const changed = await waitForJob(client, (await client.submitJob(submissionFromFile(path))).id);
      assert.equal(changed.progress.calls_cached, 3, 'only the call that shows the changed picture reaches the provider');
      assert.equal(openai.requests.length, before + 1);
    } finally {
      writeFileSync(join(dir, 'images/two.png'), SWATCH_2);
    }
  });

  it('Anthropic receives each picture as a base64 image block before the text', async () => {
    const job = await waitForJob(client, (await client.submitJob(submissionFromFile(writeSurvey('claude.survey.yaml', 'claude/claude-sonnet-4-20250514')))).id);
    assert.equal(job.status, 'completed', job.error ?? '');
    const blocks = anthropic.requests
      .map((r) => (r.body!.messages as { content: unknown }[])[0]!.content)
      .filter((content): content is { type: string; source?: unknown; text?: string }[] => Array.isArray(content));
    assert.equal(blocks.length, 2);
    for (const content of blocks) {
      assert.equal(content[0]!.type, 'image');
      assert.equal(content[1]!.type, 'text');
      assert.match(content[1]!.text!, /\[image 1\]/);
    }
    assert.deepEqual(
      blocks.map((content) => content[0]!.source).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      [SWATCH_1, SWATCH_2]
        .map((bytes) => ({ type: 'base64', media_type: 'image/png', data: bytes.toString('base64') }))
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
  });

  it('a model without images refuses before the job starts; the test model accepts images and ignores them', async () => {
    const before = openai.requests.length;
    await assert.rejects(client.submitJob(submissionFromFile(writeSurvey('plain.survey.yaml', 'oai/text-only'))), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.match(error.message, /shows images, and oai\/text-only does not accept images/);
      return true;
    });
    assert.equal(openai.requests.length, before, 'nothing reached the provider');

    const job = await waitForJob(client, (await client.submitJob(submissionFromFile(writeSurvey('offline.survey.yaml', 'test')))).id);
    assert.equal(job.status, 'completed', job.error ?? '');
    const results = [];
    for await (const result of client.allResults(job.id)) results.push(result);
    assert.equal(results.filter((r) => r.status === 'answered').length, 4);
  });

  it('a submission whose image is not base64, or missing, is refused with what to send', async () => {
    const submission = submissionFromFile(join(dir, 'offline.survey.yaml'));
    await assert.rejects(client.submitJob({ ...submission, files: { ...submission.files, 'images/one.png': 'not base64' } }), /must be sent base64-encoded/);
    const { ['images/two.png']: _dropped, ...rest } = submission.files ?? {};
    await assert.rejects(client.submitJob({ ...submission, files: rest }), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.match(error.message, /offline\.survey\.yaml:4:\d+ .*image file "images\/two\.png" was not found/);
      return true;
    });
  });
});
