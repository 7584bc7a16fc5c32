// The connection to a team server, against the fake vscode API and a real server: it asks SecretStorage for the
// server's key when first needed, says "no key" where the welcome view can see it, and reconnects when the key or the
// setting changes.
import './fakes/install';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { MissingKeyError, ServerConnection } from '../../../src/extension/connection/connection';
import { Secrets } from '../../../src/extension/secrets/secrets';
import { useTestServer } from '../../support/test-server';
import { fakeContext, type FakeContext } from './fakes/context';
import { memoryLog, type MemoryLog } from './fakes/log';
import { fake, workspace } from './fakes/vscode';

const team = useTestServer('ext-connection');

describe('the connection to a team server', () => {
  let ctx: FakeContext;
  let log: MemoryLog;
  let connection: ServerConnection;

  beforeEach(() => {
    fake.reset();
    fake.settings.set('fieldwork.server', `${team.server.url}/`);
    ctx = fakeContext();
    log = memoryLog();
    connection = new ServerConnection(ctx.context, new Secrets(ctx.context), log);
  });
  afterEach(() => {
    connection.dispose();
    ctx.dispose();
  });

  it('asks SecretStorage for the key of the configured server, and says what to do when there is none', async () => {
    await assert.rejects(connection.client(), (error: unknown) => {
      assert.ok(error instanceof MissingKeyError);
      assert.match(error.message, /No API key is set for http:\/\/127\.0\.0\.1:\d+\. Run "Fieldwork: Set API Key"/);
      return true;
    });
    assert.deepEqual(ctx.secrets.reads, [`fieldwork.apiKey:${team.server.url}`]);
    assert.equal(connection.state, 'no-key');
    assert.equal(fake.contexts.get('fieldwork.connection'), 'no-key');
  });

  it('reconnects with the key once it is stored, and reaches the server with it', async () => {
    await assert.rejects(connection.client(), MissingKeyError);
    let targetChanges = 0;
    connection.onDidChangeTarget(() => targetChanges++);
    await ctx.secrets.store(`fieldwork.apiKey:${team.server.url}`, team.server.apiKey);
    assert.equal(targetChanges, 1);
    assert.equal(connection.state, 'idle');
    const client = await connection.client();
    assert.equal(connection.state, 'connected');
    assert.equal(fake.contexts.get('fieldwork.connection'), 'connected');
    assert.deepEqual((await client.listJobs({ limit: 1 })).jobs, []);
    assert.equal(await connection.client(), client, 'one client while nothing changes');
    assert.ok(!log.text().includes(team.server.apiKey), 'the key never reaches the log');
  });

  it('drops the client when the server setting changes', async () => {
    await ctx.secrets.store(`fieldwork.apiKey:${team.server.url}`, team.server.apiKey);
    const first = await connection.client();
    let targetChanges = 0;
    connection.onDidChangeTarget(() => targetChanges++);
    await workspace.getConfiguration('fieldwork').update('server', 'https://other.example.org');
    assert.equal(targetChanges, 1);
    assert.deepEqual(connection.target, { kind: 'remote', url: 'https://other.example.org' });
    await assert.rejects(connection.client(), MissingKeyError, 'no key is stored for the new server');
    assert.equal(ctx.secrets.reads.at(-1), 'fieldwork.apiKey:https://other.example.org');
    assert.ok(first);
  });
});
