// What a flush of the PostgreSQL store writes: the calls providers answered (into the cache) and their bills. A bill is
// written only when the ledger `call_bills` takes its (job, scope, key, interview) for the first time: a call that two
// replicas answered (one lost its lease while the call was in flight, the next ran the interview again) is stored
// once and billed once.
import type { PoolClient } from 'pg';
import type { PendingBill, PendingCost, TakenWrites } from './pending-writes';

/** Bills, model costs and calls taken from the buffer, in the caller's transaction. */
export async function writeTaken(client: PoolClient, taken: TakenWrites, createdAt: string): Promise<void> {
  const bills = await newBills(client, taken.bills);
  const owed = new Map<string, { usd: number; input_tokens: number; output_tokens: number }>();
  const costs = new Map<string, PendingCost>(taken.costs.map((cost) => [`${cost.job_id}\u0000${cost.model}`, { ...cost }]));
  for (const bill of bills) {
    const job = owed.get(bill.job_id) ?? { usd: 0, input_tokens: 0, output_tokens: 0 };
    job.usd += bill.usd;
    job.input_tokens += bill.input_tokens;
    job.output_tokens += bill.output_tokens;
    owed.set(bill.job_id, job);
    if (bill.model === null) continue;
    const key = `${bill.job_id}\u0000${bill.model}`;
    let row = costs.get(key);
    if (!row)
      costs.set(
        key,
        (row = { job_id: bill.job_id, model: bill.model, calls: 0, cached_calls: 0, input_tokens: 0, output_tokens: 0, usd: 0, unpriced_calls: 0 }),
      );
    row.calls++;
    row.input_tokens += bill.input_tokens;
    row.output_tokens += bill.output_tokens;
    if (bill.priced) row.usd += bill.usd;
    else row.unpriced_calls++;
  }
  for (const [jobId, bill] of owed) {
    await client.query('UPDATE jobs SET usd = usd + $1, input_tokens = input_tokens + $2, output_tokens = output_tokens + $3 WHERE id = $4', [
      bill.usd,
      bill.input_tokens,
      bill.output_tokens,
      jobId,
    ]);
  }
  for (const r of costs.values()) {
    await client.query(
      `INSERT INTO job_model_costs (job_id, model, calls, cached_calls, input_tokens, output_tokens, usd, unpriced_calls)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (job_id, model) DO UPDATE SET calls = job_model_costs.calls + excluded.calls,
         cached_calls = job_model_costs.cached_calls + excluded.cached_calls, input_tokens = job_model_costs.input_tokens + excluded.input_tokens,
         output_tokens = job_model_costs.output_tokens + excluded.output_tokens, usd = job_model_costs.usd + excluded.usd,
         unpriced_calls = job_model_costs.unpriced_calls + excluded.unpriced_calls`,
      [r.job_id, r.model, r.calls, r.cached_calls, r.input_tokens, r.output_tokens, r.usd, r.unpriced_calls],
    );
  }
  if (taken.calls.length === 0) return;
  // One statement for every call: unnest turns the columns back into rows.
  const c = taken.calls;
  await client.query(
    `INSERT INTO call_cache (scope, key, raw, input_tokens, output_tokens, cost_usd, model_version, created_at, bytes, calls, paid_job, paid_interview)
     SELECT s, k, r, i, o, cu, mv, $1, b, n, pj, pi FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::int[], $7::float8[],
       $8::text[], $9::int[], $10::int[], $11::text[], $12::int[]) AS t(s, k, r, i, o, cu, mv, b, n, pj, pi)
     ON CONFLICT (scope, key) DO UPDATE SET raw = excluded.raw, input_tokens = excluded.input_tokens,
       output_tokens = excluded.output_tokens, cost_usd = excluded.cost_usd, model_version = excluded.model_version,
       created_at = excluded.created_at, bytes = excluded.bytes, calls = call_cache.calls + excluded.calls,
       paid_job = excluded.paid_job, paid_interview = excluded.paid_interview`,
    [
      createdAt,
      c.map((x) => x.scope),
      c.map((x) => x.key),
      c.map((x) => x.raw),
      c.map((x) => x.input_tokens),
      c.map((x) => x.output_tokens),
      c.map((x) => x.cost_usd),
      c.map((x) => x.model_version),
      c.map((x) => Buffer.byteLength(x.key) + Buffer.byteLength(x.raw)),
      c.map((x) => x.calls),
      c.map((x) => x.paid_job),
      c.map((x) => x.paid_interview),
    ],
  );
}

/** The bills the ledger had not seen, each once. */
async function newBills(client: PoolClient, bills: readonly PendingBill[]): Promise<PendingBill[]> {
  if (bills.length === 0) return [];
  const { rows } = await client.query<{ job_id: string; scope: string; key: string; interview: number }>(
    `INSERT INTO call_bills (job_id, scope, key, interview)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[])
     ON CONFLICT DO NOTHING RETURNING job_id, scope, key, interview`,
    [bills.map((b) => b.job_id), bills.map((b) => b.scope), bills.map((b) => b.key), bills.map((b) => b.interview)],
  );
  const id = (b: { job_id: string; scope: string; key: string; interview: number }): string => `${b.job_id}\u0000${b.scope}\u0000${b.key}\u0000${b.interview}`;
  const inserted = new Set(rows.map(id));
  return bills.filter((bill) => inserted.delete(id(bill)));
}
