import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommanderError } from 'commander';
import { buildProgram, type Handlers } from '../../../src/cli/program';

type Call = [string, ...unknown[]];

async function parsed(args: string[]): Promise<{ calls: Call[]; exitCode: number }> {
  const calls: Call[] = [];
  const handlers = new Proxy({} as Handlers, {
    get:
      (_target, name) =>
      async (...a: unknown[]) => {
        calls.push([String(name), ...a]);
        return 7;
      },
  });
  const outcome = { exitCode: 0 };
  const program = buildProgram(handlers, { outcome, defaultDataDir: '/data', output: { writeOut: () => {}, writeErr: () => {} } });
  await program.parseAsync(['node', 'fieldwork', ...args]);
  return { calls, exitCode: outcome.exitCode };
}

async function usageError(args: string[]): Promise<string> {
  let errors = '';
  const handlers = new Proxy({} as Handlers, { get: () => async () => 0 });
  const program = buildProgram(handlers, {
    outcome: { exitCode: 0 },
    defaultDataDir: '/data',
    output: { writeOut: () => {}, writeErr: (text) => void (errors += text) },
  });
  await assert.rejects(program.parseAsync(['node', 'fieldwork', ...args]), CommanderError);
  return errors;
}

describe('command line', () => {
  it('serve: defaults and options', async () => {
    assert.deepEqual((await parsed(['serve'])).calls, [['serve', { port: 8787, host: '127.0.0.1', dataDir: '/data', maxInterviews: undefined }]]);
    const { calls, exitCode } = await parsed(['serve', '--port', '0', '--host', '0.0.0.0', '--data-dir', '/d', '--max-interviews', '10']);
    assert.deepEqual(calls, [['serve', { port: 0, host: '0.0.0.0', dataDir: '/d', maxInterviews: 10 }]]);
    assert.deepEqual((await parsed(['serve', '--max-body-mb', '200'])).calls, [
      ['serve', { port: 8787, host: '127.0.0.1', dataDir: '/data', maxInterviews: undefined, maxBodyMb: 200 }],
    ]);
    assert.equal(exitCode, 7, 'the exit code of the handler is the exit code of the command');
  });

  it('serve: rejects a bad port', async () => {
    assert.match(await usageError(['serve', '--port', '70000']), /port/);
  });

  it('keys create: needs --user', async () => {
    assert.deepEqual((await parsed(['keys', 'create', '--user', 'ada'])).calls, [['keysCreate', { user: 'ada', dataDir: '/data', init: false }]]);
    assert.deepEqual((await parsed(['keys', 'create', '--user', 'ada', '--init'])).calls, [['keysCreate', { user: 'ada', dataDir: '/data', init: true }]]);
    assert.match(await usageError(['keys', 'create']), /--user/);
  });

  it('keys list and keys revoke', async () => {
    assert.deepEqual((await parsed(['keys', 'list', '--json'])).calls, [['keysList', { dataDir: '/data', json: true }]]);
    assert.deepEqual((await parsed(['keys', 'revoke', 'ada', '--data-dir', '/d'])).calls, [['keysRevoke', 'ada', { dataDir: '/d' }]]);
    assert.match(await usageError(['keys', 'revoke']), /name-or-id/);
  });

  it('run: file and flags', async () => {
    assert.deepEqual((await parsed(['run', 's.survey.yaml'])).calls, [
      ['run', 's.survey.yaml', { json: false, detach: false, fresh: false, quiet: false, server: undefined }],
    ]);
    assert.deepEqual((await parsed(['run', 's.yaml', '--json', '--detach', '--fresh', '--quiet', '--server', 'http://x'])).calls, [
      ['run', 's.yaml', { json: true, detach: true, fresh: true, quiet: true, server: 'http://x' }],
    ]);
    assert.match(await usageError(['run']), /missing required argument 'file'/);
  });

  it('estimate', async () => {
    assert.deepEqual((await parsed(['estimate', 's.yaml', '--json'])).calls, [['estimate', 's.yaml', { json: true, server: undefined }]]);
  });

  it('jobs list: statuses and limit are checked', async () => {
    assert.deepEqual((await parsed(['jobs', 'list', '--status', 'running,queued', '--limit', '5', '--json'])).calls, [
      ['jobsList', { status: ['running', 'queued'], limit: 5, json: true, server: undefined }],
    ]);
    assert.match(await usageError(['jobs', 'list', '--status', 'running,done']), /unknown status "done"/);
    assert.match(await usageError(['jobs', 'list', '--limit', '0']), /1 or more/);
    assert.match(await usageError(['jobs', 'list', '--limit', '201']), /200/);
  });

  it('jobs show, cancel, retry, logs', async () => {
    assert.deepEqual((await parsed(['jobs', 'show', 'j1', '--json'])).calls, [['jobsShow', 'j1', { json: true, server: undefined }]]);
    assert.deepEqual((await parsed(['jobs', 'cancel', 'j1'])).calls, [['jobsCancel', 'j1', { server: undefined }]]);
    assert.deepEqual((await parsed(['jobs', 'retry', 'j1', '--server', 'http://s'])).calls, [['jobsRetry', 'j1', { server: 'http://s' }]]);
    assert.deepEqual((await parsed(['jobs', 'logs', 'j1', '--follow'])).calls, [['jobsLogs', 'j1', { follow: true, server: undefined }]]);
    assert.match(await usageError(['jobs', 'show']), /missing required argument 'id'/);
  });

  it('jobs results: jsonl by default, formats checked', async () => {
    assert.deepEqual((await parsed(['jobs', 'results', 'j1'])).calls, [['jobsResults', 'j1', { format: 'jsonl', output: undefined, server: undefined }]]);
    assert.deepEqual((await parsed(['jobs', 'results', 'j1', '--format', 'csv', '--output', 'r.csv'])).calls, [
      ['jobsResults', 'j1', { format: 'csv', output: 'r.csv', server: undefined }],
    ]);
    assert.match(await usageError(['jobs', 'results', 'j1', '--format', 'xml']), /xml/);
  });

  it('login and logout', async () => {
    assert.deepEqual((await parsed(['login', '--server', 'http://s', '--key', 'k'])).calls, [['login', { server: 'http://s', key: 'k' }]]);
    assert.deepEqual((await parsed(['login'])).calls, [['login', { server: undefined, key: undefined }]]);
    assert.deepEqual((await parsed(['logout'])).calls, [['logout']]);
  });

  it('rejects unknown commands and options', async () => {
    assert.match(await usageError(['frobnicate']), /unknown command/);
    assert.match(await usageError(['run', 'x', '--wat']), /unknown option/);
  });

  it('parses mock-provider: limits, enforcement mode and config file', async () => {
    const { calls } = await parsed(['mock-provider', '--port', '0', '--rpm', '60', '--tpm', '6000', '--mode', 'window-10s', '--config', 'mock.json']);
    assert.deepEqual(calls, [['mockProvider', { port: 0, rpm: 60, tpm: 6000, mode: 'window-10s', stripHeaders: false, config: 'mock.json' }]]);
    assert.match(await usageError(['mock-provider', '--mode', 'hourly']), /invalid|Allowed choices/i);
  });

  it('parses mock-provider: a preset or a random provider, not both', async () => {
    assert.equal(((await parsed(['mock-provider', '--preset', 'sliding-gateway'])).calls[0]?.[1] as { preset?: string }).preset, 'sliding-gateway');
    assert.equal(((await parsed(['mock-provider', '--random-provider', '7'])).calls[0]?.[1] as { randomProvider?: number }).randomProvider, 7);
    assert.match(await usageError(['mock-provider', '--preset', 'acme']), /invalid|Allowed choices/i);
    assert.match(await usageError(['mock-provider', '--preset', 'azure', '--random-provider', '1']), /cannot be used with/i);
  });
});
