import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lastRunTitle, lensLine } from '../../../src/extension/codelens/placement';

describe('CodeLens placement', () => {
  it('sits on the first line with content, after comments and blank lines', () => {
    assert.equal(lensLine('# A survey\n# about coffee\n\nname: Coffee\nquestions: []\n'), 3);
    assert.equal(lensLine('---\nname: x\n'), 1);
    assert.equal(lensLine('{ "questions": [] }'), 0);
    assert.equal(lensLine(''), 0);
    assert.equal(lensLine('\r\n# c\r\nname: x\r\n'), 2);
  });

  it('titles the last run with status, age and cost', () => {
    const now = Date.parse('2026-01-01T01:00:00Z');
    assert.equal(
      lastRunTitle({ jobId: 'j', status: 'completed', createdAt: '2026-01-01T00:55:00Z', costUsd: 0.0012 }, now),
      'Last run: completed · 5 min ago · $0.0012',
    );
    assert.equal(
      lastRunTitle({ jobId: 'j', status: 'partially_failed', createdAt: '2026-01-01T01:00:00Z', costUsd: null }, now),
      'Last run: partially failed · just now',
    );
  });
});
