// API keys and the data directory's files, with the bundled CLI and a real server: revoking, listing, refusing
// blank users and directories without Fieldwork data, and files only their owner can read.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthError, FieldworkClient } from '../../src/client';
import { runCli, serve } from '../support/processes';

const env = { FIELDWORK_SERVER_URL: '', FIELDWORK_API_KEY: '' };
const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

describe('keys and data directory files', () => {
  let home: string;

  before(() => {
    home = mkdtempSync(join(tmpdir(), 'fieldwork-keys-'));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  test('keys revoke while the server runs: the revoked key gets 401 on its next request, others still work', { timeout: 60_000 }, async () => {
    const dataDir = join(home, 'revoke');
    const server = await serve(dataDir);
    try {
      const created = await runCli(['keys', 'create', '--user', 'alice', '--data-dir', dataDir], env);
      assert.equal(created.code, 0, created.stderr);
      const aliceKey = created.stdout.trim();
      const alice = new FieldworkClient({ baseUrl: server.url, apiKey: aliceKey, retries: 0 });
      assert.equal((await alice.health()).user, 'alice');

      const listed = await runCli(['keys', 'list', '--json', '--data-dir', dataDir], env);
      assert.equal(listed.code, 0, listed.stderr);
      const keys = JSON.parse(listed.stdout) as { id: string; user: string; last_used_at: string | null; revoked_at: string | null }[];
      assert.deepEqual(keys.map((key) => key.user).sort(), ['alice', 'local']);
      assert.ok(keys.find((key) => key.user === 'alice')?.last_used_at, 'the last use is recorded');
      const table = await runCli(['keys', 'list', '--data-dir', dataDir], env);
      for (const text of [listed.stdout, table.stdout]) {
        assert.ok(!text.includes(aliceKey), 'the key is never shown again');
        assert.ok(!text.includes(createHash('sha256').update(aliceKey).digest('hex')), 'nor its hash');
      }

      const revoked = await runCli(['keys', 'revoke', 'alice', '--data-dir', dataDir], env);
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.match(revoked.stdout, /Revoked key_\w+ .* of user "alice"/);
      await assert.rejects(alice.health(), (error: unknown) => error instanceof AuthError && error.status === 401);
      const local = new FieldworkClient({ baseUrl: server.url, apiKey: server.apiKey, retries: 0 });
      assert.equal((await local.health()).user, 'local', "the directory's own key still works");

      const after = JSON.parse((await runCli(['keys', 'list', '--json', '--data-dir', dataDir], env)).stdout) as typeof keys;
      assert.ok(after.find((key) => key.user === 'alice')?.revoked_at, 'the list shows it revoked');
      const again = await runCli(['keys', 'revoke', 'alice', '--data-dir', dataDir], env);
      assert.equal(again.code, 2);
      assert.match(again.stderr, /no active key has the id or user "alice"/);
    } finally {
      await server.stop();
    }
  });

  test('an empty or blank user name is refused with what to pass', async () => {
    const dataDir = join(home, 'blank');
    const init = await runCli(['keys', 'create', '--user', 'ok', '--init', '--data-dir', dataDir], env);
    assert.equal(init.code, 0, init.stderr);
    for (const user of ['', '   ', '\t']) {
      const { code, stdout, stderr } = await runCli(['keys', 'create', '--user', user, '--data-dir', dataDir], env);
      assert.equal(code, 2, `user ${JSON.stringify(user)}: ${stderr}`);
      assert.equal(stdout, '', 'no key is printed');
      assert.match(stderr, /user name is empty: pass --user NAME/);
    }
    const list = JSON.parse((await runCli(['keys', 'list', '--json', '--data-dir', dataDir], env)).stdout) as { user: string }[];
    assert.deepEqual(
      list.map((key) => key.user),
      ['ok'],
    );
  });

  test('the database, its WAL, the api-key and owner files are 0600, also in a directory made beforehand', { timeout: 60_000 }, async () => {
    const dataDir = join(home, 'srv-fieldwork');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const server = await serve(dataDir);
    try {
      const files = ['fieldwork.db', 'fieldwork.db-wal', 'fieldwork.db-shm', 'api-key', 'owner.json'];
      for (const file of files) assert.equal(mode(join(dataDir, file)), '600', `${file} is private`);
    } finally {
      await server.stop();
    }
    // A database left readable by an older version is narrowed on the next start.
    chmodSync(join(dataDir, 'fieldwork.db'), 0o644);
    chmodSync(join(dataDir, 'api-key'), 0o644);
    const again = await serve(dataDir);
    try {
      for (const file of readdirSync(dataDir)) assert.equal(mode(join(dataDir, file)), '600', `${file} is private after a restart`);
    } finally {
      await again.stop();
    }
  });

  test('a --data-dir without Fieldwork data is an error, not a new empty database', async () => {
    const dataDir = join(home, 'typo');
    const commands = [
      ['keys', 'create', '--user', 'bob', '--data-dir', dataDir],
      ['keys', 'list', '--data-dir', dataDir],
      ['keys', 'revoke', 'bob', '--data-dir', dataDir],
      ['cache', 'stats', '--data-dir', dataDir],
      ['cache', 'clear', '--data-dir', dataDir],
    ];
    for (const args of commands) {
      const { code, stderr } = await runCli(args, env);
      assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
      assert.ok(stderr.includes(`no Fieldwork data in ${dataDir}: run \`fieldwork serve --data-dir ${dataDir}\` to create one`), stderr);
      assert.equal(existsSync(join(dataDir, 'fieldwork.db')), false, `${args.join(' ')} created nothing`);
    }
    assert.match((await runCli(commands[0]!, env)).stderr, /or pass --init/);

    const created = await runCli([...commands[0]!, '--init'], env);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^fw_/);
    assert.equal(mode(join(dataDir, 'fieldwork.db')), '600');
  });
});
