// One version everywhere: the bundle's CLI and the server it runs say package.json's, as the build defined it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, runCli, serve } from '../support/processes';

const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

test("the bundled CLI and its server say package.json's version", async () => {
  const cli = await runCli(['--version']);
  assert.equal(cli.code, 0, cli.stderr);
  assert.equal(cli.stdout.trim(), version, `${CLI} --version`);
  const dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-version-'));
  const server = await serve(dataDir);
  try {
    const health = (await (await fetch(`${server.url}/v1/health`, { headers: { authorization: `Bearer ${server.apiKey}` } })).json()) as { version: string };
    assert.equal(health.version, version);
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
