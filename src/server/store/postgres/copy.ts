// `fieldwork db copy`: a data directory's SQLite database into an empty PostgreSQL database — keys, jobs, interviews,
// results, events (with their ids, so clients resume their event streams by the same Last-Event-ID), per-model costs
// and the call cache. The data directory is held (its lease) while it is read, so no server changes it meanwhile.
import { DatabaseSync } from 'node:sqlite';
import type { PoolClient } from 'pg';
import { acquireLease } from '../lease';
import { RESULT_TABLE_COLUMNS } from '../result-record';
import { openSqliteStore } from '../sqlite';
import { openPool, transaction } from './pool';
import { migratePostgres } from './schema';

/** Tables in the order their references need, with the columns both schemas share. */
const TABLES: readonly { name: string; columns: readonly string[] }[] = [
  { name: 'api_keys', columns: ['id', 'user', 'key_hash', 'prefix', 'created_at', 'last_used_at', 'revoked_at'] },
  {
    name: 'jobs',
    columns: [
      'id',
      'kind',
      'name',
      'source_name',
      'owner',
      'status',
      'models',
      'created_at',
      'started_at',
      'finished_at',
      'error',
      'interviews_total',
      'interviews_done',
      'interviews_failed',
      'calls_done',
      'calls_cached',
      'calls_failed',
      'usd',
      'input_tokens',
      'output_tokens',
      'submission',
      'idempotency_key',
    ],
  },
  { name: 'interviews', columns: ['job_id', 'idx', 'failed', 'calls_done', 'calls_cached', 'calls_failed', 'usd', 'input_tokens', 'output_tokens'] },
  { name: 'results', columns: RESULT_TABLE_COLUMNS },
  { name: 'events', columns: ['id', 'job_id', 'type', 'at', 'message', 'data'] },
  { name: 'job_model_costs', columns: ['job_id', 'model', 'calls', 'cached_calls', 'input_tokens', 'output_tokens', 'usd', 'unpriced_calls'] },
  {
    name: 'call_cache',
    columns: [
      'scope',
      'key',
      'raw',
      'input_tokens',
      'output_tokens',
      'cost_usd',
      'model_version',
      'created_at',
      'bytes',
      'calls',
      'paid_job',
      'paid_interview',
    ],
  },
];

const ROWS_PER_INSERT = 500;

export type CopyCounts = Record<string, number>;

/** The target already holds Fieldwork data: copying would mix two servers' jobs. */
export class TargetNotEmptyError extends Error {
  constructor(table: string, rows: number) {
    super(`the target database already holds Fieldwork data (${rows} rows in ${table}); copy into a new, empty database`);
    this.name = 'TargetNotEmptyError';
  }
}

/**
 * Copies everything from the SQLite database at `sqlitePath` into the PostgreSQL database at `url`, in one
 * transaction: the target ends up with all of it or none. Returns the rows copied per table.
 */
export async function copySqliteToPostgres(sqlitePath: string, url: string, onTable?: (table: string, rows: number) => void): Promise<CopyCounts> {
  // Brought to the newest schema first, so its columns are those listed above.
  await openSqliteStore(sqlitePath).close();
  const lease = acquireLease(sqlitePath, { command: 'fieldwork db copy' });
  const source = new DatabaseSync(sqlitePath, { readOnly: true });
  const pool = openPool(url, { max: 2 });
  try {
    await migratePostgres(pool);
    return await transaction(pool, async (client) => {
      for (const { name } of TABLES) {
        const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${name}`);
        if (rows[0]!.n > 0) throw new TargetNotEmptyError(name, rows[0]!.n);
      }
      const counts: CopyCounts = {};
      for (const table of TABLES) {
        counts[table.name] = await copyTable(source, client, table.name, table.columns);
        onTable?.(table.name, counts[table.name]!);
      }
      // Ids copied as they were: new events continue after the last one.
      await client.query(`SELECT setval(pg_get_serial_sequence('events', 'id'), greatest((SELECT max(id) FROM events), 1))`);
      return counts;
    });
  } finally {
    source.close();
    lease.release();
    await pool.end();
  }
}

async function copyTable(source: DatabaseSync, client: PoolClient, table: string, columns: readonly string[]): Promise<number> {
  const quoted = columns.map((column) => `"${column}"`).join(', ');
  const rows = source.prepare(`SELECT ${quoted} FROM ${table}`).iterate() as IterableIterator<Record<string, unknown>>;
  let batch: unknown[][] = [];
  let copied = 0;
  const insert = async (): Promise<void> => {
    const width = columns.length;
    const values = batch.map((_, r) => `(${columns.map((_, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ');
    await client.query(`INSERT INTO ${table} (${quoted}) VALUES ${values}`, batch.flat());
    copied += batch.length;
    batch = [];
  };
  for (const row of rows) {
    batch.push(columns.map((column) => row[column] ?? null));
    if (batch.length >= ROWS_PER_INSERT) await insert();
  }
  if (batch.length > 0) await insert();
  return copied;
}
