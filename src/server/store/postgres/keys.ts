// API keys in PostgreSQL: the same rules as the SQLite table (../keys.ts) — hashes only, revoked by id or user, last
// use written at most once a minute per key and process.
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { checkUserName, hashKey } from '../keys';
import type { ApiKeyInfo, ApiKeyRecord } from '../store';

const LAST_USED_EVERY_MS = 60_000;
const KEY_COLUMNS = 'id, "user", prefix, created_at, last_used_at, revoked_at';

export class PgApiKeys {
  private readonly lastUseWritten = new Map<string, number>();

  constructor(private readonly pool: Pool) {}

  async create(user: string): Promise<{ key: string; record: ApiKeyRecord }> {
    const name = checkUserName(user);
    const key = `fw_${randomBytes(32).toString('base64url')}`;
    const record: ApiKeyRecord = { id: `key_${randomBytes(8).toString('hex')}`, user: name, prefix: key.slice(0, 8), created_at: new Date().toISOString() };
    await this.pool.query('INSERT INTO api_keys (id, "user", key_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5)', [
      record.id,
      record.user,
      hashKey(key),
      record.prefix,
      record.created_at,
    ]);
    return { key, record };
  }

  async userFor(key: string): Promise<string | null> {
    const hash = hashKey(key);
    const { rows } = await this.pool.query<{ user: string }>('SELECT "user" FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL', [hash]);
    const row = rows[0];
    if (!row) return null;
    const now = Date.now();
    const written = this.lastUseWritten.get(hash);
    if (written === undefined || now - written >= LAST_USED_EVERY_MS) {
      this.lastUseWritten.set(hash, now);
      // Only a convenience for `keys list`: never waited for, and a failure must not turn a valid key away.
      this.pool.query('UPDATE api_keys SET last_used_at = $1 WHERE key_hash = $2', [new Date(now).toISOString(), hash]).catch(() => {});
    }
    return row.user;
  }

  async countActive(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM api_keys WHERE revoked_at IS NULL');
    return rows[0]!.n;
  }

  async list(): Promise<ApiKeyInfo[]> {
    return (await this.pool.query<ApiKeyInfo>(`SELECT ${KEY_COLUMNS} FROM api_keys ORDER BY created_at, id`)).rows;
  }

  async revoke(idOrUser: string): Promise<ApiKeyInfo[]> {
    const target = idOrUser.trim();
    const { rows } = await this.pool.query<ApiKeyInfo>(
      `UPDATE api_keys SET revoked_at = $1 WHERE (id = $2 OR "user" = $2) AND revoked_at IS NULL RETURNING ${KEY_COLUMNS}`,
      [new Date().toISOString(), target],
    );
    return rows.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  }
}
