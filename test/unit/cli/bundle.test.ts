// The built command, run as a user runs it: `node dist/fieldwork.js …`.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';

const root = resolve(__dirname, '../../..');
const bin = join(root, 'dist', 'fieldwork.js');

function fieldwork(args: string[], env: NodeJS.ProcessEnv = {}, node: string = process.execPath): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(node, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    timeout: 60_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A home of its own for each test: no stored login, no data dir shared with the user's. */
function isolated(): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'fieldwork-bundle-'));
  return { XDG_CONFIG_HOME: join(dir, 'config'), FIELDWORK_DATA_DIR: join(dir, 'data'), FIELDWORK_NO_KEYCHAIN: '1' };
}

describe('dist/fieldwork.js', () => {
  before(() => {
    execFileSync(process.execPath, ['esbuild.config.mjs', '--quiet'], { cwd: root, stdio: 'inherit' });
  });

  it('shows help with every command', () => {
    const { code, stdout } = fieldwork(['--help']);
    assert.equal(code, 0);
    for (const command of ['serve', 'keys', 'run', 'estimate', 'jobs', 'login', 'logout']) assert.match(stdout, new RegExp(`\\b${command}\\b`));
  });

  it('a usage error exits 2', () => {
    const { code, stderr } = fieldwork(['frobnicate']);
    assert.equal(code, 2);
    assert.match(stderr, /unknown command/);
  });

  it('run with a bad survey prints one issue per line, exits 2, no stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldwork-bad-'));
    const file = join(dir, 'bad.survey.yaml');
    writeFileSync(
      file,
      'name: Bad\nquestions:\n  - question_name: q1\n    question_type: multiple_choice\n    question_text: Pick one\n  - question_name: q1\n    question_type: yes_no\n    question_text: Again\n',
    );
    // A server that does not exist: the file must be rejected before any connection.
    const { code, stdout, stderr } = fieldwork(['run', file], { ...isolated(), FIELDWORK_SERVER_URL: 'http://127.0.0.1:9', FIELDWORK_API_KEY: 'k' });
    assert.equal(code, 2, stderr);
    assert.equal(stdout, '');
    const lines = stderr.trim().split('\n');
    assert.ok(lines.length >= 1);
    for (const line of lines) assert.match(line, /^.*bad\.survey\.yaml:\d+:\d+ \S/);
    assert.doesNotMatch(stderr, /\n\s+at /);
  });

  it('run with a missing file exits 2', () => {
    const { code, stderr } = fieldwork(['run', 'no-such.survey.yaml'], isolated());
    assert.equal(code, 2);
    assert.match(stderr, /cannot read no-such\.survey\.yaml: no such file/);
  });

  it('cannot reach the server: exit 3', () => {
    const { code, stderr } = fieldwork(['jobs', 'list'], {
      ...isolated(),
      FIELDWORK_SERVER_URL: 'http://127.0.0.1:9',
      FIELDWORK_API_KEY: 'fw_secret_abcdefgh',
    });
    assert.equal(code, 3);
    assert.match(stderr, /^fieldwork: cannot reach the Fieldwork server at http:\/\/127\.0\.0\.1:9/);
    assert.doesNotMatch(stderr, /fw_secret_abcdefgh/);
  });

  it('run with no server configured uses an embedded local server, and --json prints the final job', () => {
    const env = isolated();
    const { code, stdout, stderr } = fieldwork(['run', 'examples/coffee.survey.yaml', '--json'], env);
    assert.equal(code, 0, stderr);
    const job = JSON.parse(stdout);
    assert.equal(job.status, 'completed');
    assert.equal(job.progress.interviews_total, 12);
    assert.ok(existsSync(join(env.FIELDWORK_DATA_DIR!, 'api-key')));
    assert.doesNotMatch(stderr, /ExperimentalWarning/);

    // The same data dir, the jobs list shows the job.
    const list = fieldwork(['jobs', 'list', '--json'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(JSON.parse(list.stdout).jobs[0].id, job.id);
  });

  it('serve prints the URL and where the key is, and stops on SIGINT', async () => {
    const env = isolated();
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const deadline = Date.now() + 20_000;
    while (!/API key: in /.test(stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.match(stdout, /Fieldwork server: http:\/\/127\.0\.0\.1:\d+/);
    assert.ok(stdout.includes(`API key: in ${join(env.FIELDWORK_DATA_DIR!, 'api-key')}`));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    assert.equal(await exited, 0);
  });

  it('keys create prints a new key once (--init: the data directory is new)', () => {
    const env = isolated();
    const { code, stdout, stderr } = fieldwork(['keys', 'create', '--user', 'grace', '--init'], env);
    assert.equal(code, 0, stderr);
    assert.match(stdout.trim(), /^\S{16,}$/);
    assert.match(stderr, /shown only this once/);
  });

  const oldNode = '/usr/bin/node';
  const oldNodeLacksSqlite = existsSync(oldNode) && spawnSync(oldNode, ['-e', "require('node:sqlite')"]).status !== 0;
  it('on a Node without node:sqlite, runs again with the bundled Node 22', { skip: !oldNodeLacksSqlite && 'no older Node here' }, () => {
    const { code, stdout, stderr } = fieldwork(['keys', 'create', '--user', 'old', '--init'], isolated(), oldNode);
    assert.equal(code, 0, stderr);
    assert.match(stdout.trim(), /^\S{16,}$/);
  });
});
