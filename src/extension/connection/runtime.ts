// Which Node runs the bundled server: VS Code's own runtime when it has node:sqlite, else a `node` ≥ 22.13 on PATH.
import { execFile } from 'node:child_process';

export interface ServerRuntime {
  command: string;
  /** Added to the server's environment (ELECTRON_RUN_AS_NODE for VS Code's runtime). */
  env: Record<string, string>;
  description: string;
}

export class NoRuntimeError extends Error {}

const PROBE = "require('node:sqlite'); process.stdout.write(process.versions.node)";

export async function findServerRuntime(execPath = process.execPath): Promise<ServerRuntime> {
  const own = await probe(execPath, { ELECTRON_RUN_AS_NODE: '1' });
  if (own) return { command: execPath, env: { ELECTRON_RUN_AS_NODE: '1' }, description: `VS Code's runtime (Node ${own})` };
  const path = await probe('node', {});
  if (path && atLeast(path, [22, 13])) return { command: 'node', env: {}, description: `node ${path} from PATH` };
  throw new NoRuntimeError(
    `The local Fieldwork server needs Node.js 22.13 or newer (for its built-in SQLite), and ${path ? `the node on PATH is ${path}` : 'there is no node on PATH'}` +
      ` while VS Code's own runtime lacks node:sqlite. Install Node.js 22 LTS (https://nodejs.org) and reload the window, set "fieldwork.localServer.nodePath" to one, or set "fieldwork.server" to a team server's URL.`,
  );
}

function probe(command: string, env: Record<string, string>): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(command, ['--disable-warning=ExperimentalWarning', '-e', PROBE], { env: { ...process.env, ...env }, timeout: 10_000 }, (error, stdout) =>
      resolve(error ? null : stdout.trim() || null),
    );
  });
}

export function atLeast(version: string, [major, minor]: [number, number]): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}
