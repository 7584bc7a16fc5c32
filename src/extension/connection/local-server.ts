// Starts (or reuses) the one local server all windows share: data and a state file in the extension's global storage,
// a launch lock so two windows do not start two servers, and a detached process that outlives a window reload.
// The server stops itself when idle (`serve --idle-exit-after`). No vscode import: tested as plain Node.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { API_KEY_FILE } from '../../api/data-dir';
import { core } from '../lazy';
import { findServerRuntime } from './runtime';

export interface LocalServerOptions {
  /** The extension's global storage folder. */
  storageDir: string;
  /** dist/fieldwork.js inside the extension. */
  bundlePath: string;
  /** Provider keys and the like, for the server's environment. */
  env: Record<string, string>;
  idleExitSeconds: number;
  /** `fieldwork.localServer.nodePath`: a Node ≥ 22.13 to run the server with, instead of looking for one. */
  nodePath?: string | undefined;
  log: (line: string) => void;
}

export interface LocalServer {
  url: string;
  apiKey: string;
  pid: number | null;
}

interface StateFile {
  url: string;
  pid: number;
}

const LOCK_STALE_MS = 30_000;
/** The extension's own files beside the server's: where the server listens, and who is starting one. */
const STATE_FILE = 'server.json';
const LAUNCH_LOCK_FILE = 'launch.lock';

export function localServerDir(storageDir: string): string {
  return join(storageDir, 'server');
}

/** The running local server if there is a healthy one. */
export async function findLocalServer(storageDir: string): Promise<LocalServer | null> {
  const dir = localServerDir(storageDir);
  let state: StateFile;
  let apiKey: string;
  try {
    state = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as StateFile;
    apiKey = readFileSync(join(dir, API_KEY_FILE), 'utf8').trim();
  } catch {
    return null;
  }
  const client = new (core().FieldworkClient)({ baseUrl: state.url, apiKey, retries: 0, timeoutMs: 3000 });
  try {
    await client.health();
    return { url: state.url, apiKey, pid: state.pid };
  } catch {
    return null;
  } finally {
    void client.close();
  }
}

export async function ensureLocalServer(opts: LocalServerOptions): Promise<LocalServer> {
  const dir = localServerDir(opts.storageDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const running = await findLocalServer(opts.storageDir);
    if (running) return running;
    const release = tryLock(join(dir, LAUNCH_LOCK_FILE));
    if (!release) {
      await sleep(300); // another window is starting it
      continue;
    }
    try {
      const again = await findLocalServer(opts.storageDir);
      return again ?? (await launch(dir, opts));
    } finally {
      release();
    }
  }
  throw new Error('the local server did not start within a minute; see the Fieldwork log');
}

async function launch(dir: string, opts: LocalServerOptions): Promise<LocalServer> {
  const runtime = opts.nodePath
    ? { command: opts.nodePath, env: {}, description: `${opts.nodePath} (fieldwork.localServer.nodePath)` }
    : await findServerRuntime();
  const port = await freePort();
  const logFile = join(dir, 'server.log');
  const out = openSync(logFile, 'a');
  opts.log(`starting the local server with ${runtime.description} on port ${port} (log: ${logFile})`);
  const child = spawn(
    runtime.command,
    [
      '--disable-warning=ExperimentalWarning',
      opts.bundlePath,
      'serve',
      '--port',
      String(port),
      '--data-dir',
      dir,
      '--idle-exit-after',
      String(opts.idleExitSeconds),
    ],
    { detached: true, stdio: ['ignore', out, out], env: { ...process.env, ...opts.env, ...runtime.env }, windowsHide: true },
  );
  closeSync(out);
  let exited: string | null = null;
  child.once('exit', (code, signal) => (exited = `exited with ${signal ?? code}`));
  child.once('error', (error) => (exited = error.message));
  child.unref();
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  while (Date.now() - started < 30_000) {
    if (exited) throw new Error(`the local server ${exited}: ${tail(logFile)}`);
    try {
      const apiKey = readFileSync(join(dir, API_KEY_FILE), 'utf8').trim();
      const client = new (core().FieldworkClient)({ baseUrl: url, apiKey, retries: 0, timeoutMs: 2000 });
      try {
        await client.health();
      } finally {
        void client.close();
      }
      writeFileSync(join(dir, STATE_FILE), JSON.stringify({ url, pid: child.pid ?? 0 } satisfies StateFile), { mode: 0o600 });
      opts.log(`local server ready at ${url} after ${Date.now() - started} ms`);
      return { url, apiKey, pid: child.pid ?? null };
    } catch {
      await sleep(150);
    }
  }
  child.kill();
  throw new Error(`the local server did not answer within 30 s: ${tail(logFile)}`);
}

/** Stops the local server (for "Restart Local Server"); running jobs resume when it starts again. */
export async function stopLocalServer(storageDir: string): Promise<boolean> {
  const running = await findLocalServer(storageDir);
  if (!running?.pid) return false;
  try {
    process.kill(running.pid, 'SIGTERM');
  } catch {
    return false;
  }
  for (let i = 0; i < 50 && (await findLocalServer(storageDir)); i++) await sleep(100);
  rmSync(join(localServerDir(storageDir), STATE_FILE), { force: true });
  return true;
}

function tryLock(path: string): (() => void) | null {
  try {
    closeSync(openSync(path, 'wx'));
  } catch {
    try {
      if (Date.now() - statSync(path).mtimeMs > LOCK_STALE_MS) rmSync(path, { force: true });
    } catch {
      // gone meanwhile
    }
    return null;
  }
  return () => rmSync(path, { force: true });
}

function freePort(): Promise<number> {
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

function tail(file: string): string {
  try {
    const text = readFileSync(file, 'utf8').trim().split('\n').slice(-5).join(' | ');
    return text || '(no output)';
  } catch {
    return '(no log)';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
