// The server config file's teams (who shares a call cache), its YAML pitfalls, and how its prices are described.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cacheScopes } from '../../../src/server/cache-scope';
import { parseServicesConfig } from '../../../src/server/services/config';
import { ServiceSet } from '../../../src/server/services/services';
import { priceSource } from '../../../src/server/cost/pricing';

const issuesOf = (text: string): string[] => {
  const parsed = parseServicesConfig('server.yaml', text);
  return parsed.ok ? [] : parsed.issues.map((issue) => `${issue.line}:${issue.column} ${issue.message}`);
};

test('teams: a file may hold only teams; each team shares one cache scope, everyone else has their own', () => {
  const parsed = parseServicesConfig('server.yaml', 'teams:\n  - name: lab\n    users: [carol, dan]\n');
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.issues));
  assert.deepEqual(parsed.config.services, []);
  const scopeOf = cacheScopes(parsed.config.teams);
  assert.equal(scopeOf('carol'), 'team:lab');
  assert.equal(scopeOf('dan'), 'team:lab');
  assert.equal(scopeOf('alice'), 'user:alice');
  assert.equal(cacheScopes()('lab'), 'user:lab', 'a user named like a team is not in it');
});

test('teams: a name twice, a user in two teams, an empty team or an unknown field is refused at its line', () => {
  assert.deepEqual(issuesOf('teams:\n  - { name: lab, users: [a] }\n  - { name: lab, users: [b] }\n'), [
    '3:13 team "lab" is configured twice; names must be unique',
  ]);
  const twice = issuesOf('teams:\n  - { name: lab, users: [a, b] }\n  - { name: ops, users: [b] }\n');
  assert.equal(twice.length, 1);
  assert.match(twice[0]!, /^3:\d+ user "b" is in team "lab" and in team "ops"/);
  assert.match(issuesOf('teams:\n  - { name: lab, users: [] }\n').join('\n'), /a team lists at least one user/);
  assert.match(issuesOf('teams:\n  - { name: lab, users: [a], members: [b] }\n').join('\n'), /members/);
});

test('a key that is a list or a map is a clear error at its place, and the yaml library prints nothing', async () => {
  const warnings: string[] = [];
  const listen = (warning: Error): void => void warnings.push(warning.message);
  process.on('warning', listen);
  try {
    const issues = issuesOf('services:\n  - name: test\n    provider: test\n    ? [a, b]\n    : 1\n');
    assert.equal(issues.length, 1, issues.join('\n'));
    assert.match(issues[0]!, /^4:7 this key is a list or a map; keys are plain names/);
    assert.match(issuesOf('services:\n  - { name: test, provider: test, [a, b]: 1 }\n').join('\n'), /^2:35 this key is a list or a map/);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(warnings, []);
  } finally {
    process.off('warning', listen);
  }
});

test('configured prices say where they come from, dated or not', () => {
  const parsed = parseServicesConfig(
    'server.yaml',
    [
      'services:',
      '  - { name: lab, provider: test, prices: { m: { input_per_mtok: 1, output_per_mtok: 2 } } }',
      '  - { name: dated, provider: test, prices: { m: { input_per_mtok: 1, output_per_mtok: 2 } }, prices_as_of: "2025-08-07" }',
    ].join('\n'),
  );
  assert.ok(parsed.ok);
  const { pricing } = new ServiceSet(parsed.config, {});
  assert.equal(priceSource(pricing.price({ service: 'lab', model: 'm' })!), "set in the server's config (service lab), undated");
  assert.equal(priceSource(pricing.price({ service: 'dated', model: 'm' })!), "set in the server's config (service dated), as of 2025-08-07");
  assert.equal(priceSource(pricing.price({ service: 'test', model: 'test' })!), 'built-in test model (free), as of 2026-11-01');
});
