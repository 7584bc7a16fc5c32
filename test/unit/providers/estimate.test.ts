// Estimates: OpenAI-family input tokens equal the reference tokenizer's count; the cache makes reruns $0 and a
// half-cached job about half; list prices are dated, unknown ones stay unknown.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodingForModel } from 'js-tiktoken';
import { CompiledSurvey, parseSurvey } from '../../../src/format';
import { estimateJob } from '../../../src/server/cost/estimate';
import { Pricing } from '../../../src/server/cost/pricing';
import { cacheKey } from '../../../src/server/runner/call-path';
import { openSqliteStore, type SqliteStore } from '../../../src/server/store/sqlite';
import { tokenCounter } from '../../../src/server/cost/tokens';

/** Prompts in several scripts and shapes: the reference must agree on every one. */
const FIXTURES: [string, string][] = [
  ['You are answering questions as if you were a human. Do not break character.', 'How are you?'],
  ['', 'Which colour fits the sea best?\n\nBlue\nGreen\nYellow\n\nOnly 1 option may be selected.'],
  ['Your traits: {"age":61,"city":"Lisboa","língua":"português"}', 'Qual é a sua opinião sobre café? ☕️ Responda em português.'],
  ['Du bist ein hilfreicher Assistent.', 'Wie viele Einwohner hat München? Antworte mit einer Zahl: 1.488.202'],
  ['系统提示', '你喜欢哪种水果？苹果、梨还是李子？'],
  ['', '   leading spaces, trailing spaces   \n\n\ttabs\t and "quotes" and {{ braces }} and emojis 🚀🚀'],
];

function reference(model: string, system: string, user: string): number {
  const encoding = encodingForModel(model as Parameters<typeof encodingForModel>[0]);
  const messages =
    system === ''
      ? [{ role: 'user', content: user }]
      : [
          { role: 'system', content: system },
          { role: 'user', content: user },
        ];
  // OpenAI cookbook, num_tokens_from_messages: 3 per message, + role + content, + 3 priming the reply.
  return 3 + messages.reduce((sum, m) => sum + 3 + encoding.encode(m.role).length + encoding.encode(m.content).length, 0);
}

describe('token counting', () => {
  for (const model of ['gpt-4o-mini', 'gpt-4.1', 'o3', 'gpt-4', 'gpt-3.5-turbo']) {
    it(`${model}: equals the reference tokenizer on every fixture`, () => {
      const counter = tokenCounter('openai', 'openai', model);
      for (const [system, user] of FIXTURES) assert.equal(counter.count(system, user), reference(model, system, user), `${system} | ${user}`);
      assert.match(
        counter.source,
        (model.startsWith('gpt-4') && !model.startsWith('gpt-4o') && !model.startsWith('gpt-4.1')) || model.startsWith('gpt-3') ? /cl100k_base/ : /o200k_base/,
      );
    });
  }

  it('others get a stated approximation', () => {
    assert.match(tokenCounter('anthropic', 'anthropic', 'claude-sonnet-4').source, /approximation.*3\.5/);
    assert.match(tokenCounter('openai', 'ollama', 'llama3.1:8b').source, /approximation/);
    assert.equal(tokenCounter('openai', 'ollama', 'llama3.1:8b').accuracy, 0.25);
  });
});

const SURVEY = [
  'agents: [{ traits: { age: 30 } }, { traits: { age: 61 } }]',
  'scenarios: [{ fruit: apple }, { fruit: pear }, { fruit: plum }, { fruit: fig }]',
  'models: [openai/gpt-4o-mini]',
  'questions:',
  '  - { question_name: likes, question_type: yes_no, question_text: "Do you like {{ fruit }}?" }',
].join('\n');

describe('estimates and the cache', () => {
  let dir: string;
  let store: SqliteStore;
  let survey: CompiledSurvey;
  const pricing = new Pricing();

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fieldwork-estimate-'));
    store = openSqliteStore(join(dir, 'fieldwork.db'));
    const parsed = parseSurvey({ name: 'fruit.survey.yaml', text: SURVEY }, () => undefined);
    assert.ok(parsed.ok);
    survey = new CompiledSurvey(parsed.value);
  });
  after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cacheInterviews = (indexes: number[]) => {
    for (const index of indexes) {
      const ref = survey.interviewAt(index);
      const prompts = survey.prompts(ref, 0, new Map());
      store.putCachedCall('user:ada', {
        key: cacheKey(survey.survey.models[0]!, prompts, ref.iteration),
        raw: 'Yes',
        input_tokens: 30,
        output_tokens: 1,
        cost_usd: 0.00001,
        model_version: null,
      });
    }
  };

  it('prices gpt-4o-mini from the dated list and counts with o200k_base', async () => {
    const estimate = await estimateJob(survey, store, pricing, false, 'user:ada');
    const model = estimate.models[0]!;
    assert.equal(model.calls, 8);
    assert.equal(model.cached_calls, 0);
    assert.match(model.price_source, /OpenAI price list.*as of 2025-08-07/);
    assert.match(model.token_source, /o200k_base/);
    assert.ok(model.usd && model.usd.low > 0 && model.usd.low <= model.usd.expected && model.usd.expected <= model.usd.high);
  });

  it('a job half in the cache estimates about half; all in the cache estimates $0; fresh ignores the cache', async () => {
    const full = (await estimateJob(survey, store, pricing, false, 'user:ada')).models[0]!;
    cacheInterviews([0, 1, 2, 3]);
    const half = (await estimateJob(survey, store, pricing, false, 'user:ada')).models[0]!;
    assert.equal(half.cached_calls, 4);
    assert.ok(Math.abs(half.input_tokens - full.input_tokens / 2) <= full.input_tokens * 0.1, `${half.input_tokens} vs ${full.input_tokens}`);
    assert.ok(Math.abs(half.usd!.expected - full.usd!.expected / 2) <= full.usd!.expected * 0.1);
    cacheInterviews([4, 5, 6, 7]);
    const none = await estimateJob(survey, store, pricing, false, 'user:ada');
    assert.equal(none.models[0]!.cached_calls, 8);
    assert.deepEqual(none.total.usd, { low: 0, expected: 0, high: 0 });
    assert.equal((await estimateJob(survey, store, pricing, true, 'user:ada')).models[0]!.cached_calls, 0);
    assert.equal((await estimateJob(survey, store, pricing, false, 'user:bob')).models[0]!.cached_calls, 0, "another user's cache counts nothing");
  });

  it('an unknown price is unknown, not guessed; a vLLM serving "gpt-4o" is not billed at OpenAI prices', () => {
    assert.equal(pricing.price({ service: 'openai', model: 'gpt-99' }), null);
    assert.equal(new Pricing({}, { vllm: { provider: 'openai', official: false } }).price({ service: 'vllm', model: 'gpt-4o' }), null);
    assert.equal(pricing.price({ service: 'anthropic', model: 'claude-sonnet-4-20250514' })?.input_per_mtok, 3);
    assert.equal(pricing.price({ service: 'openai', model: 'gpt-4o-2024-08-06' })?.output_per_mtok, 10);
  });
});
