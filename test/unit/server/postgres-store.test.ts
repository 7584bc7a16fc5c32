// The PostgreSQL store against a real server (test/support/postgres.ts): the store's contract, its migrations, and
// what only a networked store has to get right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openPostgresStore } from '../../../src/server/store/postgres/store';
import { migratePostgres, PG_MIGRATIONS } from '../../../src/server/store/postgres/schema';
import { openPool } from '../../../src/server/store/postgres/pool';
import { freshDatabase } from '../../support/postgres';
import { storeContract } from './store-contract';
import { newJob } from './store-fixtures';

storeContract(async (t) => {
  const url = await freshDatabase();
  let current = await openPostgresStore(url);
  t.after(() => current.close());
  return {
    store: current,
    reopen: async () => {
      await current.close();
      current = await openPostgresStore(url);
      return current;
    },
  };
});

test('migrations run once however many stores start at once on an empty database', async (t) => {
  const url = await freshDatabase();
  const pools = Array.from({ length: 4 }, () => openPool(url));
  t.after(() => Promise.all(pools.map((pool) => pool.end())).then(() => {}));
  const reports = await Promise.all(pools.map((pool) => migratePostgres(pool)));
  const applied = reports.flatMap((report) => report.applied);
  assert.deepEqual(
    applied.sort(),
    PG_MIGRATIONS.map((_, i) => i + 1),
    'each version applied by exactly one of them',
  );
  assert.ok(reports.every((report) => report.version === PG_MIGRATIONS.length));
  const { rows } = await pools[0]!.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
  assert.deepEqual(
    rows.map((row) => row.version),
    PG_MIGRATIONS.map((_, i) => i + 1),
  );
  assert.deepEqual((await migratePostgres(pools[1]!)).applied, [], 'a later start finds nothing to do');
});

test('a database newer than this server is refused with a message that says to upgrade', async () => {
  const url = await freshDatabase();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  await client.query('INSERT INTO schema_migrations VALUES ($1, $2)', [PG_MIGRATIONS.length + 1, new Date().toISOString()]);
  await client.end();
  await assert.rejects(openPostgresStore(url), /newer than this server knows.*Upgrade the server/);
});

test('events appended at once by many writers come back in id order with none missing', async (t) => {
  const url = await freshDatabase();
  const store = await openPostgresStore(url);
  t.after(() => store.close());
  await store.insertJob(newJob('job_1'));
  const written = await Promise.all(Array.from({ length: 200 }, (_, i) => store.appendEvent({ job_id: 'job_1', type: 'progress', message: `${i}` })));
  const ids = written.map((event) => event.id);
  assert.deepEqual(
    ids,
    [...ids].sort((a, b) => a - b),
    'ids follow the order of the calls',
  );
  assert.deepEqual(
    (await store.eventsAfter('job_1', 0, 1000)).map((event) => event.message),
    written.map((event) => event.message),
  );
});
