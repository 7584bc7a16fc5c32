// What a run leaves in the VS Code profile and beside it: the Fieldwork log channel's files, and the processes it
// started (code-server, the team server, the extension's local server).
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The first group of `pattern` (e.g. "activated in X ms …") in each window's Fieldwork log channel file. */
export function fromLog(dir: string, pattern: RegExp): string | null {
  const found: string[] = [];
  for (const file of walk(join(dir, 'logs'))) {
    if (!/Fieldwork\.log$/.test(file)) continue;
    const match = pattern.exec(readFileSync(file, 'utf8'));
    if (match?.[1]) found.push(match[1]);
  }
  return found.length > 0 ? found.join('; ') : null;
}

function* walk(dir: string): Generator<string> {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

/** The extension's local server outlives windows on purpose; the test stops the one it caused. */
export function stopLocalServers(userData: string): void {
  for (const file of walk(join(userData, 'User', 'globalStorage'))) {
    if (!file.endsWith('server.json')) continue;
    try {
      const { pid } = JSON.parse(readFileSync(file, 'utf8')) as { pid: number };
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

export function stop(child: ChildProcess): void {
  if (child.exitCode === null) child.kill('SIGTERM');
}
