import { test } from 'node:test';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { MIGRATIONS } from '../../../src/server/store/schema';
import { openSqliteStore, type SqliteStore } from '../../../src/server/store/sqlite';
import { ADA, newJob } from './store-fixtures';
import { storeContract } from './store-contract';

/** A store on a fresh file in its own temp directory, removed after the test. */
function withStore(t: { after: (fn: () => void) => void }): { store: SqliteStore; path: string; reopen: () => SqliteStore } {
  const dir = mkdtempSync(join(tmpdir(), 'fieldwork-store-'));
  const path = join(dir, 'fieldwork.db');
  let current = openSqliteStore(path);
  t.after(() => {
    current.closeNow();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    store: current,
    path,
    reopen: () => {
      current.closeNow();
      current = openSqliteStore(path);
      return current;
    },
  };
}

storeContract(async (t) => {
  const { store, reopen } = withStore(t);
  return { store, reopen: async () => reopen() };
});

test('a new database is in WAL mode at the newest schema version, and reopening it migrates nothing', async (t) => {
  const { path, reopen } = withStore(t);
  reopen();
  const raw = new DatabaseSync(path);
  try {
    assert.equal((raw.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
    assert.equal((raw.prepare('PRAGMA user_version').get() as { user_version: number }).user_version, MIGRATIONS.length);
  } finally {
    raw.close();
  }
});

test('an API key resolves to its user; only its hash is stored, never the key', async (t) => {
  const { store, path, reopen } = withStore(t);
  const { key, record } = await store.createApiKey('ada');
  assert.match(key, /^fw_[A-Za-z0-9_-]{43}$/);
  assert.equal(record.user, 'ada');
  assert.equal(record.prefix, key.slice(0, 8));
  assert.equal(await store.userForKey(key), 'ada');
  assert.equal(await store.userForKey(`${key}x`), null);
  assert.equal(await store.userForKey(''), null);
  await store.createApiKey('grace');
  assert.equal(await store.countApiKeys(), 2);

  reopen(); // checkpoints the WAL into the main file
  const files = [path, `${path}-wal`].filter(existsSync).map((file) => readFileSync(file));
  const everything = Buffer.concat(files);
  assert.equal(everything.includes(key), false, 'the plain key is not in the database files');
  assert.equal(everything.includes(key.slice(3)), false, 'nor is its random part');
  assert.ok(everything.includes(createHash('sha256').update(key).digest('hex')), 'its hash is what is kept');
});

test('a cached call is visible at once, written in the next turn, and counted', async (t) => {
  const { store, path } = withStore(t);
  const call = { key: 'k1', raw: 'hello', input_tokens: 3, output_tokens: 1, cost_usd: 0.25, model_version: 'v1' };
  const unpaid = { ...call, paid_job: null, paid_interview: null };
  assert.equal((await store.cachedKeys(ADA, ['k1'])).has('k1'), false);
  store.putCachedCall(ADA, call);
  assert.deepEqual(await store.getCachedCall(ADA, 'k1'), unpaid, 'a buffered call is read from the buffer');
  assert.equal((await store.cachedKeys(ADA, ['k1'])).has('k1'), true);

  const countOnDisk = (): number => {
    const raw = new DatabaseSync(path, { readOnly: true });
    try {
      return (raw.prepare('SELECT count(*) AS n FROM call_cache').get() as { n: number }).n;
    } finally {
      raw.close();
    }
  };
  assert.equal(countOnDisk(), 0, 'not yet written');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(countOnDisk(), 1, 'written by the scheduled flush');
  assert.deepEqual(await store.getCachedCall(ADA, 'k1'), unpaid);

  store.putCachedCall(ADA, { ...call, key: 'k2', cost_usd: null, model_version: null });
  store.putCachedCall(ADA, { ...call, raw: 'hello again' }); // same key: the newer call wins
  assert.deepEqual(await store.cacheStats(), { entries: 2, bytes: 2 + 'hello again'.length + 2 + 'hello'.length });
  assert.equal((await store.getCachedCall(ADA, 'k1'))!.raw, 'hello again');
  assert.equal((await store.getCachedCall(ADA, 'k2'))!.cost_usd, null);
  assert.equal(await store.getCachedCall(ADA, 'nope'), null);

  const timesStored = async (key: string): Promise<number> => {
    await store.flush();
    const raw = new DatabaseSync(path, { readOnly: true });
    try {
      return (raw.prepare('SELECT calls FROM call_cache WHERE scope = ? AND key = ?').get(ADA, key) as { calls: number }).calls;
    } finally {
      raw.close();
    }
  };
  assert.equal(await timesStored('k1'), 2, 'a call stored again (a fresh run) is counted, buffered or not');
  assert.equal(await timesStored('k2'), 1);
  store.putCachedCall(ADA, { ...call, key: 'k2' });
  store.putCachedCall(ADA, { ...call, key: 'k2' });
  assert.equal(await timesStored('k2'), 3);

  store.putCachedCall(ADA, { ...call, key: 'k3' });
  assert.equal(await store.clearCache(), 3, 'clearing counts buffered calls too');
  assert.equal((await store.cachedKeys(ADA, ['k3'])).has('k3'), false);
  assert.deepEqual(await store.cacheStats(), { entries: 0, bytes: 0 });
});

test('migration 3 adds the per-model ledger to a database at version 2 without touching its rows', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fieldwork-store-v2-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'fieldwork.db');
  const raw = new DatabaseSync(path);
  for (const sql of MIGRATIONS.slice(0, 2)) raw.exec(sql);
  raw.exec('PRAGMA user_version = 2');
  raw.close();
  const store = openSqliteStore(path);
  t.after(() => store.closeNow());
  await store.insertJob(newJob('job_old'));
  assert.deepEqual(await store.costByModel('job_old'), []);
});

/** A database at the version before the private cache, with the call_cache of that version and jobs of `owners`. */
function databaseBeforePrivateCache(t: { after: (fn: () => void) => void }, owners: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'fieldwork-store-shared-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'fieldwork.db');
  const version = MIGRATIONS.findIndex((sql) => sql.includes('call_cache_scoped'));
  assert.ok(version > 0);
  const raw = new DatabaseSync(path);
  for (const sql of MIGRATIONS.slice(0, version)) raw.exec(sql);
  raw.exec(`PRAGMA user_version = ${version}`);
  owners.forEach((owner, index) => {
    raw
      .prepare(
        `INSERT INTO jobs (id, kind, name, source_name, owner, status, models, created_at, interviews_total, submission)
      VALUES (?, 'survey', 'n', 's.survey.yaml', ?, 'completed', '[]', '2025-01-01T00:00:00Z', 1, '{}')`,
      )
      .run(`job_${index}`, owner);
  });
  raw
    .prepare(
      `INSERT INTO call_cache (key, raw, input_tokens, output_tokens, cost_usd, model_version, created_at, bytes, calls)
    VALUES ('k', 'Yes', 3, 1, 0.5, NULL, '2025-01-01T00:00:00Z', 4, 2)`,
    )
    .run();
  raw.close();
  return path;
}

test("the private-cache migration keeps the shared calls of a one-user database as that user's", async (t) => {
  const store = openSqliteStore(databaseBeforePrivateCache(t, ['local', 'local']));
  t.after(() => store.closeNow());
  assert.deepEqual(await store.getCachedCall('user:local', 'k'), {
    key: 'k',
    raw: 'Yes',
    input_tokens: 3,
    output_tokens: 1,
    cost_usd: 0.5,
    model_version: null,
    paid_job: null,
    paid_interview: null,
  });
  assert.deepEqual(await store.cacheStats(), { entries: 1, bytes: 4 });
});

test('the private-cache migration drops the shared calls of a database with several users: none can be attributed', async (t) => {
  const store = openSqliteStore(databaseBeforePrivateCache(t, ['alice', 'bob']));
  t.after(() => store.closeNow());
  assert.equal(await store.getCachedCall('user:alice', 'k'), null);
  assert.equal(await store.getCachedCall('user:bob', 'k'), null);
  assert.deepEqual(await store.cacheStats(), { entries: 0, bytes: 0 });
});
