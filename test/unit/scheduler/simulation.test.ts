// The benchmark's direction, pinned on the virtual clock (nothing real is timed): ours against the peers'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
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

// Not yet against fixed-backoff, which gets within a few percent of ours there (see README).
test('10-second windows: ours beats adaptive concurrency and the cookbook on makespan', async () => {
  const ours = await simulate('window-10s', 'fieldwork-headers', 1);
  for (const peer of ['aimd', 'cookbook'] as const) {
    const theirs = await simulate('window-10s', peer, 1);
    assert.ok(ours.makespan_s < theirs.makespan_s, `${peer}: ${theirs.makespan_s} s vs ours ${ours.makespan_s} s`);
  }
});

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

test('another tenant on the key: learning the refill we really get keeps 429s well under the fixed-backoff peer', async () => {
  const headers = await simulate('other-tenant', 'fieldwork-headers', 1);
  const peer = await simulate('other-tenant', 'fixed-backoff', 1);
  assert.ok(headers.rate_limited_per_100 < peer.rate_limited_per_100 / 3, `${headers.rate_limited_per_100} vs ${peer.rate_limited_per_100}`);
});
