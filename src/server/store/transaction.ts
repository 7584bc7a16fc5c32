// The store's write transaction, shared by the tables that write more than one row at a time.
import type { DatabaseSync } from 'node:sqlite';

/** Runs fn in one write transaction, taken up front (IMMEDIATE) so it never fails half-way for a lock. */
export function immediateTransaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const value = fn();
    db.exec('COMMIT');
    return value;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}
