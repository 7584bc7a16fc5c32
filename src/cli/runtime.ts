// The local server needs node:sqlite (Node ≥ 22.13). On an older Node, run the same command again with the Node 22
// the package ships in node_modules, when it is there.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RuntimeUnavailableError } from './failure';

export function hasSqlite(): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('node:sqlite');
    return true;
  } catch {
    return false;
  }
}

/** `<package root>/node_modules/node/bin/node`, where the package root is the folder above dist/ (or above src/cli/). */
export function bundledNode(from: string = __dirname): string | undefined {
  let dir = from;
  for (let up = 0; up < 3; up++) {
    dir = dirname(dir);
    const candidate = join(dir, 'node_modules', 'node', 'bin', 'node');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Returns when this process can run a local server; otherwise re-runs the command on Node 22 and exits with its code. */
export async function ensureLocalRuntime(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (hasSqlite()) return;
  const node = bundledNode();
  if (node && env.FIELDWORK_REEXEC !== '1') {
    const code = await rerunWith(node, env);
    process.exit(code);
  }
  throw new RuntimeUnavailableError(
    `a local Fieldwork server needs Node 22.13 or newer (for node:sqlite); this is Node ${process.versions.node} — ` +
      'install a newer Node, or set FIELDWORK_SERVER_URL and FIELDWORK_API_KEY to use a running server',
  );
}

function rerunWith(node: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [...process.argv.slice(1)], { stdio: 'inherit', env: { ...env, FIELDWORK_REEXEC: '1' } });
    // The child gets Ctrl-C from the terminal itself; this process just waits for it. SIGTERM is passed on.
    const ignore = (): void => {};
    const forward = (): void => void child.kill('SIGTERM');
    process.on('SIGINT', ignore);
    process.on('SIGTERM', forward);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal === 'SIGINT' ? 130 : 1));
    });
  });
}
