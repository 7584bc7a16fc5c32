// API keys in SQLite: created at random and stored only as SHA-256 hashes, revoked by id or by user, with the
// time each was last used (to within a minute, so a busy server does not write on every request).
import { createHash, randomBytes } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { z } from 'zod';
import type { ApiKeyInfo, ApiKeyRecord } from './store';

/** How often, at most, a key's last use is written. */
const LAST_USED_EVERY_MS = 60_000;

/**
 * A user's name as jobs are filed under it: trimmed, not empty, at most 100 characters, no control characters.
 * Trimmed so "alice" and "alice " cannot become two users who cannot see each other's jobs.
 */
export const UserName = z
  .string()
  .trim()
  .min(1, 'the user name is empty')
  .max(100, 'the user name is longer than 100 characters')
  // eslint-disable-next-line no-control-regex
  .refine((name) => !/[\u0000-\u001f\u007f]/.test(name), 'the user name has control characters');

/** A user name the store refuses; the message says why. */
export class InvalidUserNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidUserNameError';
  }
}

/** The name as it will be stored, or InvalidUserNameError. */
export function checkUserName(name: string): string {
  const parsed = UserName.safeParse(name);
  if (!parsed.success) throw new InvalidUserNameError(parsed.error.issues[0]?.message ?? 'the user name is not valid');
  return parsed.data;
}

export const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

interface KeyRow {
  id: string;
  user: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export class ApiKeyTable {
  private readonly statements: ReturnType<typeof prepareKeyStatements>;
  /** When each key hash's last use was last written, in this process. */
  private readonly lastUseWritten = new Map<string, number>();

  constructor(db: DatabaseSync) {
    this.statements = prepareKeyStatements(db);
  }

  create(user: string): { key: string; record: ApiKeyRecord } {
    const name = checkUserName(user);
    const key = `fw_${randomBytes(32).toString('base64url')}`;
    const record: ApiKeyRecord = {
      id: `key_${randomBytes(8).toString('hex')}`,
      user: name,
      prefix: key.slice(0, 8),
      created_at: new Date().toISOString(),
    };
    this.statements.insert.run(record.id, record.user, hashKey(key), record.prefix, record.created_at);
    return { key, record };
  }

  /** Looked up by hash: the plain key never reaches the database. Revoked keys are not found. */
  userFor(key: string): string | null {
    const hash = hashKey(key);
    const row = this.statements.userForHash.get(hash) as { user: string } | undefined;
    if (!row) return null;
    const now = Date.now();
    const written = this.lastUseWritten.get(hash);
    if (written === undefined || now - written >= LAST_USED_EVERY_MS) {
      this.lastUseWritten.set(hash, now);
      try {
        this.statements.touch.run(new Date(now).toISOString(), hash);
      } catch {
        // Only a convenience for `keys list`: a busy database must not turn a valid key away.
      }
    }
    return row.user;
  }

  countActive(): number {
    return (this.statements.countActive.get() as { n: number }).n;
  }

  list(): ApiKeyInfo[] {
    return (this.statements.list.all() as unknown as KeyRow[]).map(toInfo);
  }

  revoke(idOrUser: string): ApiKeyInfo[] {
    const target = idOrUser.trim();
    // One statement, so a key created meanwhile for the same user is either revoked with the others or not at all.
    const rows = this.statements.revoke.all(new Date().toISOString(), target, target) as unknown as KeyRow[];
    return rows.map(toInfo).sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  }
}

function toInfo(row: KeyRow): ApiKeyInfo {
  return {
    id: row.id,
    user: row.user,
    prefix: row.prefix,
    created_at: row.created_at,
    last_used_at: row.last_used_at,
    revoked_at: row.revoked_at,
  };
}

function prepareKeyStatements(db: DatabaseSync) {
  const prepare = (sql: string): StatementSync => db.prepare(sql);
  return {
    insert: prepare('INSERT INTO api_keys (id, user, key_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?)'),
    userForHash: prepare('SELECT user FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL'),
    touch: prepare('UPDATE api_keys SET last_used_at = ? WHERE key_hash = ?'),
    countActive: prepare('SELECT count(*) AS n FROM api_keys WHERE revoked_at IS NULL'),
    list: prepare('SELECT id, user, prefix, created_at, last_used_at, revoked_at FROM api_keys ORDER BY created_at, id'),
    revoke: prepare(`UPDATE api_keys SET revoked_at = ? WHERE (id = ? OR user = ?) AND revoked_at IS NULL
      RETURNING id, user, prefix, created_at, last_used_at, revoked_at`),
  } satisfies Record<string, StatementSync>;
}
