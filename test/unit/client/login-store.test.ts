import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveConnection } from '../../../src/client/connection';
import { AuthError } from '../../../src/client/errors';
import { configFilePath, readLogin, removeLogin, saveLogin, type Keychain } from '../../../src/client/login-store';

function tempEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'fieldwork-config-')), ...extra };
}

function fakeKeychain(): Keychain & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    getPassword: async (service, account) => entries.get(`${service}/${account}`) ?? null,
    setPassword: async (service, account, password) => void entries.set(`${service}/${account}`, password),
    deletePassword: async (service, account) => entries.delete(`${service}/${account}`),
  };
}

describe('stored login', () => {
  it('falls back to a 0600 config file under XDG_CONFIG_HOME when there is no keychain', async () => {
    const env = tempEnv();
    const saved = await saveLogin('https://fieldwork.example', 'fw_key_1', { env, keychain: null });
    assert.equal(saved.storage, 'file');
    assert.equal(saved.path, join(env.XDG_CONFIG_HOME!, 'fieldwork', 'config.json'));
    assert.equal(statSync(saved.path).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(readFileSync(saved.path, 'utf8')), {
      server_url: 'https://fieldwork.example',
      key_storage: 'file',
      api_key: 'fw_key_1',
    });
    assert.deepEqual(await readLogin({ env, keychain: null }), { url: 'https://fieldwork.example', apiKey: 'fw_key_1', storage: 'file' });
    assert.deepEqual(await removeLogin({ env, keychain: null }), { url: 'https://fieldwork.example' });
    assert.equal(existsSync(saved.path), false);
    assert.equal(await readLogin({ env, keychain: null }), null);
    assert.equal(await removeLogin({ env, keychain: null }), null);
  });

  it('keeps the key in the keychain and only the URL in the file when a keychain works', async () => {
    const env = tempEnv();
    const keychain = fakeKeychain();
    const saved = await saveLogin('https://fieldwork.example', 'fw_key_2', { env, keychain });
    assert.equal(saved.storage, 'keychain');
    assert.equal(keychain.entries.get('fieldwork/https://fieldwork.example'), 'fw_key_2');
    const file = readFileSync(configFilePath(env), 'utf8');
    assert.ok(!file.includes('fw_key_2'));
    assert.equal((await readLogin({ env, keychain }))?.apiKey, 'fw_key_2');
    await removeLogin({ env, keychain });
    assert.equal(keychain.entries.size, 0);
  });

  it('uses the file when the keychain fails (no keychain daemon)', async () => {
    const env = tempEnv();
    const broken: Keychain = { ...fakeKeychain(), setPassword: async () => Promise.reject(new Error('no D-Bus')) };
    assert.equal((await saveLogin('http://h', 'k', { env, keychain: broken })).storage, 'file');
  });

  it('treats keytar as optional: without it, FIELDWORK_NO_KEYCHAIN or not, the file is used', async () => {
    const env = tempEnv({ FIELDWORK_NO_KEYCHAIN: '1' });
    assert.equal((await saveLogin('http://h', 'k', { env })).storage, 'file');
  });
});

describe('resolveConnection', () => {
  it('prefers the environment', async () => {
    const env = tempEnv({ FIELDWORK_SERVER_URL: 'http://env', FIELDWORK_API_KEY: 'env-key' });
    await saveLogin('http://stored', 'stored-key', { env, keychain: null });
    assert.deepEqual(await resolveConnection({ env, keychain: null }), { kind: 'remote', baseUrl: 'http://env', apiKey: 'env-key', source: 'env' });
  });

  it('uses the stored login, then an embedded server', async () => {
    const env = tempEnv();
    assert.deepEqual(await resolveConnection({ env, keychain: null }), { kind: 'embedded' });
    await saveLogin('http://stored', 'stored-key', { env, keychain: null });
    assert.deepEqual(await resolveConnection({ env, keychain: null }), { kind: 'remote', baseUrl: 'http://stored', apiKey: 'stored-key', source: 'login' });
  });

  it('uses the stored key for --server when it is the stored server, and refuses a server without a key', async () => {
    const env = tempEnv();
    await saveLogin('http://stored/', 'stored-key', { env, keychain: null });
    assert.equal(((await resolveConnection({ env, keychain: null, server: 'http://stored' })) as { apiKey: string }).apiKey, 'stored-key');
    await assert.rejects(resolveConnection({ env, keychain: null, server: 'http://other' }), AuthError);
  });
});
