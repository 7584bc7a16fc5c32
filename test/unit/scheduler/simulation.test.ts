// The benchmark's direction, pinned on the virtual clock (nothing real is timed): ours against the peers'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rateLimitBody } from '../../../src/mock-provider/wire';
import { limitsInMessage, retryHintInMessage } from '../../../src/server/providers/rate-limit-headers';
import { simulate } from '../../bench/scheduler/simulate';

test('simulated runs are deterministic per seed', async () => {
  const a = await simulate('single', 'fieldwork-headers', 7);
  const b = await simulate('single', 'fieldwork-headers', 7);
  assert.deepEqual(a, b);
});

test('with limits configured: near the lower bound, almost no 429s, and faster than the cookbook', async () => {
  const ours = await simulate('single', 'fieldwork-configured', 1);
  const cookbook = await simulate('single', 'cookbook', 1);
  assert.ok(ours.ratio <= 1.05, `ratio ${ours.ratio}`);
  assert.ok(ours.rate_limited_per_100 <= 0.5, `${ours.rate_limited_per_100} 429s per 100 calls`);
  assert.ok(ours.makespan_s < cookbook.makespan_s);
});

test('learning from headers and blind: within target of the lower bound, far fewer 429s than adaptive concurrency', async () => {
  const headers = await simulate('single', 'fieldwork-headers', 1);
  const blind = await simulate('single', 'fieldwork-blind', 1);
  const aimd = await simulate('single', 'aimd', 1);
  assert.ok(headers.ratio <= 1.1, `headers ratio ${headers.ratio}`);
  assert.ok(blind.ratio <= 1.25, `blind ratio ${blind.ratio}`);
  assert.ok(headers.rate_limited_per_100 < aimd.rate_limited_per_100 / 10);
  assert.ok(blind.rate_limited_per_100 < aimd.rate_limited_per_100 / 10);
});

test('three users with weights 1:1:2 get fair shares with our scheduler', async () => {
  const ours = await simulate('three-users', 'fieldwork-configured', 1);
  const peer = await simulate('three-users', 'fixed-backoff', 1);
  assert.ok(ours.fairness! >= 0.95, `fairness ${ours.fairness}`);
  assert.ok(ours.fairness! > peer.fairness!);
});

// Fixed windows, recognised from the headers: the quota goes out as each window opens (seed 1).
for (const scenario of ['window-10s', 'window-60s'] as const) {
  test(`${scenario}: with limits configured or learned from headers, ours beats every peer with almost no 429s`, async () => {
    const peers = await Promise.all((['fixed-backoff', 'aimd', 'cookbook'] as const).map((peer) => simulate(scenario, peer, 1)));
    const fastestPeer = Math.min(...peers.map((row) => row.makespan_s));
    for (const ours of ['fieldwork-configured', 'fieldwork-headers'] as const) {
      const row = await simulate(scenario, ours, 1);
      assert.ok(row.makespan_s < fastestPeer, `${ours}: ${row.makespan_s} s vs the fastest peer's ${fastestPeer} s`);
      assert.ok(row.ratio <= 1.05, `${ours}: ratio ${row.ratio}`);
      assert.ok(row.rate_limited_per_100 <= 0.5, `${ours}: ${row.rate_limited_per_100} 429s per 100 calls`);
    }
  });
}

test('1-second windows: windows packed to the brim, so ours comes within 10% of the lower bound and beats every peer', async () => {
  const peers = await Promise.all((['fixed-backoff', 'aimd', 'cookbook'] as const).map((peer) => simulate('window-1s', peer, 1)));
  const fastestPeer = Math.min(...peers.map((row) => row.makespan_s));
  for (const strategy of ['fieldwork-configured', 'fieldwork-headers', 'fieldwork-blind'] as const) {
    const ours = await simulate('window-1s', strategy, 1);
    assert.ok(ours.makespan_s < fastestPeer * 0.7, `${strategy}: ${ours.makespan_s} s vs the fastest peer's ${fastestPeer} s`);
    assert.ok(ours.ratio <= 1.1, `${strategy}: ratio ${ours.ratio}`);
    assert.ok(ours.rate_limited_per_100 <= (strategy === 'fieldwork-configured' ? 0.5 : 1), `${strategy}: ${ours.rate_limited_per_100} 429s per 100 calls`);
  }
});

// Without headers, windows are recognised from what the 429 messages say (seed 1).
for (const scenario of ['window-10s', 'window-60s'] as const) {
  test(`${scenario}: blind, ours still beats every peer, with few 429s`, async () => {
    const peers = await Promise.all((['fixed-backoff', 'aimd', 'cookbook'] as const).map((peer) => simulate(scenario, peer, 1)));
    const fastestPeer = Math.min(...peers.map((row) => row.makespan_s));
    const row = await simulate(scenario, 'fieldwork-blind', 1);
    assert.ok(row.makespan_s < fastestPeer, `${row.makespan_s} s vs the fastest peer's ${fastestPeer} s`);
    assert.ok(row.rate_limited_per_100 <= 1, `${row.rate_limited_per_100} 429s per 100 calls`);
  });
}

// The continuous-bucket scenarios: every one of ours beats every peer on makespan (seed 1).
for (const scenario of ['single', 'three-users', 'limit-drop', 'other-tenant'] as const) {
  test(`${scenario}: each of ours beats fixed-backoff, aimd and the cookbook on makespan`, async () => {
    const peers = await Promise.all((['fixed-backoff', 'aimd', 'cookbook'] as const).map((peer) => simulate(scenario, peer, 1)));
    const fastestPeer = Math.min(...peers.map((row) => row.makespan_s));
    for (const ours of ['fieldwork-configured', 'fieldwork-headers', 'fieldwork-blind'] as const) {
      const row = await simulate(scenario, ours, 1);
      assert.ok(row.makespan_s < fastestPeer, `${ours}: ${row.makespan_s} s vs the fastest peer's ${fastestPeer} s`);
    }
  });
}

test('another tenant on the key: learning the refill we really get keeps 429s within target', async () => {
  for (const ours of ['fieldwork-configured', 'fieldwork-headers'] as const) {
    const row = await simulate('other-tenant', ours, 1);
    assert.ok(row.rate_limited_per_100 <= 0.5, `${ours}: ${row.rate_limited_per_100} 429s per 100 calls`);
    assert.ok(row.ratio <= 1.05, `${ours}: ratio ${row.ratio}`);
  }
});

test('a provider that says nothing but 429 (no headers, no limit or wait in its message): AIMD still beats fixed-backoff', async () => {
  const quiet = rateLimitBody('openai', 'model', { dimension: 'tokens', limit: 60_000, used: 60_000, requested: 500, retryAfterMs: 800 }, true) as {
    error: { message: string };
  };
  assert.equal(limitsInMessage(quiet.error.message, null), null, 'the message names nothing to learn from');
  assert.equal(retryHintInMessage(quiet.error.message), null);
  for (const scenario of ['single', 'limit-drop'] as const) {
    const peer = await simulate(scenario, 'fixed-backoff', 1, { quiet_rate_limits: true });
    const ours = await simulate(scenario, 'fieldwork-blind', 1, { quiet_rate_limits: true });
    assert.ok(ours.makespan_s < peer.makespan_s, `${scenario}: ${ours.makespan_s} s vs fixed-backoff's ${peer.makespan_s} s`);
    assert.ok(ours.ratio <= 1.1, `${scenario}: ratio ${ours.ratio}`);
  }
});
