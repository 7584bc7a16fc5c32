import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatEstimate } from '../../../src/cli/commands/estimate';
import { AnswerTally, RunSummary, headline } from '../../../src/cli/summary';
import { aJob, aResult } from '../client/wire-server';

describe('run summary', () => {
  it('adds up each model and each question while results stream past', () => {
    const summary = new RunSummary();
    summary.add(aResult(0, 'likes', 'yes', { model: 'a', cached: true, cost_usd: 0.5 }));
    summary.add(aResult(0, 'age', 30, { model: 'a', cost_usd: 0.25 }));
    summary.add(aResult(1, 'likes', 'no', { model: 'b', cost_usd: null }));
    summary.add(aResult(1, 'age', null, { model: 'b', status: 'failed', error: 'boom', cost_usd: null }));
    summary.add(aResult(2, 'likes', 'yes', { model: 'b', status: 'skipped', cost_usd: null }));
    const models = summary.modelTable();
    assert.match(models, /│ a\s+│\s+1 │\s+2 │\s+1 │\s+0 │\s+20 │\s+4 │\s+\$0\.75 │/);
    assert.match(models, /│ b\s+│\s+2 │\s+2 │\s+0 │\s+1 │\s+30 │\s+6 │\s+— │/);
    const questions = summary.questionTable();
    assert.match(questions, /likes\s+│\s+2 │ "yes" 50%, "no" 50%/);
    assert.match(questions, /age\s+│\s+1 │ mean 30 \(min 30, max 30\)/);
  });

  it('summarises lists, budgets and numbers; gives up listing free text', () => {
    const checkbox = new AnswerTally();
    checkbox.add(['red', 'blue']);
    checkbox.add(['red']);
    assert.equal(checkbox.describe(), '"red" 100%, "blue" 50%');

    const budget = new AnswerTally();
    budget.add({ rent: 60, food: 40 });
    budget.add({ rent: 40, food: 60 });
    assert.equal(budget.describe(), 'mean "rent" 50, "food" 50');

    const scale = new AnswerTally();
    for (const n of [1, 2, 3, 4]) scale.add(n);
    assert.equal(scale.describe(), 'mean 2.5 (min 1, max 4)');

    const free = new AnswerTally();
    for (let i = 0; i < 500; i++) free.add(`answer number ${i}`);
    assert.equal(free.describe(), 'more than 100 distinct answers');
    assert.equal(free.answered, 500);
  });

  it("shows the server's actual cost per model next to the estimate, with rows for models billed but not estimated apart", () => {
    const summary = new RunSummary();
    summary.add(aResult(0, 'likes', 'yes', { model: 'openai/gpt-4o', cost_usd: 0.5 }));
    const estimate = {
      interviews: 1,
      models: [
        {
          model: 'openai/gpt-4o',
          calls: 4,
          cached_calls: 1,
          input_tokens: 200,
          output_tokens: { low: 10, expected: 20, high: 40 },
          usd: { low: 0.01, expected: 0.02, high: 0.05 },
          price_source: 'p',
          token_source: 't',
        },
      ],
      total: {
        calls: 4,
        cached_calls: 1,
        input_tokens: 200,
        output_tokens: { low: 10, expected: 20, high: 40 },
        usd: { low: 0.01, expected: 0.02, high: 0.05 },
      },
      notes: [],
    };
    const text = summary.costTable(estimate, [
      { model: 'openai/gpt-4o', calls: 5, cached_calls: 2, input_tokens: 210, output_tokens: 25, usd: 0.03 },
      { model: 'aa/luminous-base', calls: 2, cached_calls: 0, input_tokens: 8, output_tokens: 0, usd: null },
    ]);
    assert.match(
      text,
      /│ openai\/gpt-4o\s+│\s+4 \(1 cached\) \/ 5 \(2 cached\) │ \$0\.01 – \$0\.05 \(expected \$0\.02\) │\s+\$0\.03 │\s+200 \/ 210 │\s+10–40 \/ 25 │/,
    );
    assert.match(text, /│ aa\/luminous-base\s+│\s+— \/ 2 \(0 cached\) │\s+— │\s+unknown │/);
    // Without the server's numbers (an older server), the results seen are added up.
    assert.match(summary.costTable(estimate), /│ openai\/gpt-4o\s+│\s+4 \(1 cached\) \/ 1 \(0 cached\) │ .* │\s+\$0\.50 │/);
  });

  it('says how the job ended in one line', () => {
    const job = aJob({
      status: 'partially_failed',
      started_at: '2025-01-01T00:00:00.000Z',
      finished_at: '2025-01-01T00:00:02.500Z',
      progress: { interviews_total: 4, interviews_done: 3, interviews_failed: 1, calls_done: 6, calls_cached: 2, calls_failed: 1 },
      cost: { usd: 0.0123, input_tokens: 10, output_tokens: 5 },
      error: '1 interviews failed',
    });
    assert.equal(
      headline(job),
      'Job job_1 (Customer survey) partially failed in 2.5s: 3/4 interviews (1 failed), 6 calls (2 cached), $0.01. 1 interviews failed',
    );
  });

  it('formats an estimate with ranges, unknown prices and notes', () => {
    const text = formatEstimate({
      interviews: 10,
      models: [
        {
          model: 'openai/gpt-4o',
          calls: 20,
          cached_calls: 5,
          input_tokens: 2000,
          output_tokens: { low: 100, expected: 300, high: 1200 },
          usd: { low: 0.01, expected: 0.02, high: 0.05 },
          price_source: 'prices 2025-01-01',
          token_source: 'o200k_base tokenizer',
        },
        {
          model: 'test',
          calls: 20,
          cached_calls: 0,
          input_tokens: 2000,
          output_tokens: { low: 100, expected: 300, high: 1200 },
          usd: null,
          price_source: 'unknown',
          token_source: 'chars/4 approximation',
        },
      ],
      total: { calls: 40, cached_calls: 5, input_tokens: 4000, output_tokens: { low: 200, expected: 600, high: 2400 }, usd: null },
      notes: ['Skip rules may end interviews early.'],
    });
    assert.match(text, /openai\/gpt-4o/);
    assert.match(text, /100 \/ 300 \/ 1,200/);
    assert.match(text, /\$0\.01 – \$0\.05/);
    assert.match(text, /│ test .*unknown/);
    assert.match(text, /Note: Skip rules may end interviews early\./);
    assert.match(text, /Token counts: o200k_base tokenizer; chars\/4 approximation\./);
  });
});
