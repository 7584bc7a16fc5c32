// The tight bound: the makespan of a client with no latency that sends the scenario's calls in order, each at the
// earliest instant the mock's own limiter admits it. Unlike T*, which treats every provider as a rate, this is the
// provider's exact rules (windows, sliding logs, counters, the other tenant, limit changes), so no strategy on the
// same calls can finish sooner except by latency it does not have; a ratio near 1 is not the mock flattering itself.
import { admissionCosts, ProviderLimiter } from '../../../src/mock-provider/limiter';
import type { Scenario } from './scenarios';

/**
 * Each call is admitted at the earliest instant it fits and corrected at that same instant (a zero-latency reply),
 * its unused max_tokens refunded. Its output is the mean share of max_tokens the mock draws from (`output_share`),
 * not a draw: the bound should not hang on one random stream, and the run being measured has its own draws anyway.
 * A concurrency limit does not bind a client whose calls take no time.
 */
export function tightBoundMs(setup: Scenario): number {
  const config = setup.provider;
  const limiter = new ProviderLimiter(config, 0);
  const [low, high] = config.output_share;
  let now = 0;
  for (const call of setup.calls) {
    const charged = admissionCosts(call.inputTokens, call.maxTokens);
    now = limiter.earliestAdmission(now, charged);
    const admission = limiter.admit(now, charged);
    if (!admission.admitted) throw new Error(`tight bound: a call was turned away at ${now} ms, the instant the limiter named`);
    const output = Math.max(1, Math.round((call.maxTokens * (low + high)) / 2));
    limiter.correct(now, charged, admissionCosts(call.inputTokens, output), admission.id);
  }
  return now;
}
