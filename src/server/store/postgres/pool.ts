// A pool of connections to a team's PostgreSQL database, and the transaction helper the store's writes share.
import pg from 'pg';

/** BIGINT (counts, sums, event ids) as numbers: the values stay far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface PoolOptions {
  /** Connections at most (default 10). */
  max?: number;
  /** Where an error of an idle connection goes (a restarted server drops them all); the pool replaces it. */
  onIdleError?: (error: Error) => void;
}

export function openPool(url: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, types, connectionTimeoutMillis: 10_000 });
  pool.on('error', (error) => options.onIdleError?.(error));
  return pool;
}

/** Runs fn in one transaction on one connection; rolls back if it throws. */
export async function transaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A connection that breaks mid-transaction also fails the query under way; without a listener the broken
  // connection's 'error' event would be thrown as an uncaught exception.
  const ignore = (): void => {};
  client.on('error', ignore);
  try {
    await client.query('BEGIN');
    try {
      const value = await fn(client);
      await client.query('COMMIT');
      return value;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  } finally {
    client.removeListener('error', ignore);
    client.release();
  }
}

/** A database URL as it may be shown: without its password. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the database URL (not shown: it does not parse)';
  }
}
