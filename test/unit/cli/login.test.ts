import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loginCommand, logoutCommand } from '../../../src/cli/commands/login';
import { reportFailure } from '../../../src/cli/failure';
import { json, problem, startWireServer, type WireServer } from '../client/wire-server';
import { fakeCli } from './fake-cli';

const KEY = 'fw_login_key_123456789';

describe('fieldwork login / logout (config-file fallback)', () => {
  let server: WireServer;

  before(async () => {
    server = await startWireServer();
    server.route('GET /v1/health', (req, res) =>
      req.headers.authorization === `Bearer ${KEY}`
        ? json(res, 200, { status: 'ok', version: '0.1.0', user: 'ada', jobs_running: 0 })
        : problem(res, 401, 'unknown key'),
    );
  });
  after(async () => {
    await server.close();
  });

  function env(): NodeJS.ProcessEnv {
    return { XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'fieldwork-login-')), FIELDWORK_NO_KEYCHAIN: '1' };
  }

  it('checks the key with the server, stores it in a 0600 file, and says where', async () => {
    const cli = fakeCli(env());
    assert.equal(await loginCommand(cli, { server: server.url, key: KEY }), 0);
    const path = join(cli.env.XDG_CONFIG_HOME!, 'fieldwork', 'config.json');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { server_url: server.url, key_storage: 'file', api_key: KEY });
    assert.match(cli.stdoutText(), /Logged in to .* as ada/);
    assert.ok(cli.stdoutText().includes(path));
    assert.ok(!cli.stdoutText().includes(KEY));

    const out = fakeCli(cli.env);
    assert.equal(await logoutCommand(out), 0);
    assert.match(out.stdoutText(), /Logged out/);
    assert.equal(existsSync(path), false);
    const again = fakeCli(cli.env);
    await logoutCommand(again);
    assert.match(again.stdoutText(), /no stored login/);
  });

  it('reads the key from stdin when it is piped', async () => {
    const cli = fakeCli(env(), `${KEY}\n`);
    assert.equal(await loginCommand(cli, { server: server.url }), 0);
    assert.match(readFileSync(join(cli.env.XDG_CONFIG_HOME!, 'fieldwork', 'config.json'), 'utf8'), new RegExp(KEY));
  });

  it('stores nothing when the server rejects the key, and exits 3 without the key in the message', async () => {
    const cli = fakeCli(env());
    const error = await loginCommand(cli, { server: server.url, key: 'fw_wrong_key_987654321' }).catch((e: unknown) => e);
    assert.equal(reportFailure(cli, error), 3);
    assert.match(cli.stderrText(), /rejected this key/);
    assert.ok(!cli.stderrText().includes('fw_wrong_key_987654321'));
    assert.equal(existsSync(join(cli.env.XDG_CONFIG_HOME!, 'fieldwork', 'config.json')), false);
  });
});
