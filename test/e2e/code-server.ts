// code-server: install (test/e2e/setup.sh, cached outside the checkout), install the .vsix, start, stop.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export function installCodeServer(repo: string): string {
  const setup = spawnSync('bash', [join(repo, 'test/e2e/setup.sh')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (setup.status !== 0) throw new Error('test/e2e/setup.sh failed');
  return setup.stdout.trim().split('\n').pop() ?? '';
}

export interface Profile {
  userData: string;
  extensions: string;
}

export const QUIET_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'chat.disableAIFeatures': true,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'workbench.tips.enabled': false,
  'workbench.colorTheme': 'Default Light Modern',
  'window.commandCenter': false,
  'editor.minimap.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

export function writeSettings(profile: Profile, settings: Record<string, unknown>): void {
  mkdirSync(join(profile.userData, 'User'), { recursive: true });
  writeFileSync(join(profile.userData, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2));
}

export function installExtension(codeServer: string, profile: Profile, vsix: string): void {
  const result = spawnSync(
    process.execPath,
    [
      join(codeServer, 'out/node/entry.js'),
      '--extensions-dir',
      profile.extensions,
      '--user-data-dir',
      profile.userData,
      '--install-extension',
      vsix,
      '--force',
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0 || !/successfully installed/i.test(result.stdout + result.stderr)) {
    throw new Error(`installing ${vsix} failed: ${result.stdout}${result.stderr}`);
  }
}

export async function startCodeServer(
  codeServer: string,
  profile: Profile,
  folder: string,
  env: NodeJS.ProcessEnv,
): Promise<{ url: string; process: ChildProcess; output: () => string }> {
  const port = await freePort();
  let output = '';
  const child = spawn(
    process.execPath,
    [
      join(codeServer, 'out/node/entry.js'),
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--user-data-dir',
      profile.userData,
      '--extensions-dir',
      profile.extensions,
      folder,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 180_000; // a cold 2-core CI machine
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited: ${output}`);
    try {
      const reply = await fetch(`${url}healthz`);
      if (reply.ok) return { url, process: child, output: () => output };
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`code-server did not start: ${output}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
