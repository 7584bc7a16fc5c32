// A real PostgreSQL server for tests: Debian's `postgresql` package, installed when missing (as the end-to-end suite
// installs Chromium), and one cluster per test process in a temp dir, on loopback, on a port of its own. The server
// refuses to run as root, so as root the cluster belongs to the `postgres` user the package creates.
// Each test gets a database of its own.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PostgresCluster {
  /** postgres://… of the cluster's `postgres` database, as its superuser. */
  adminUrl: string;
  port: number;
  dir: string;
  binDir: string;
  /** Stops the server at once (as a crash would), and starts it again on the same port and data. */
  stop(): void;
  start(): void;
}

let cluster: Promise<PostgresCluster> | null = null;

/** The cluster of this test process, started on first use and stopped when the process exits. */
export function postgresCluster(): Promise<PostgresCluster> {
  cluster ??= startCluster();
  return cluster;
}

/** A new empty database for one test; it goes with the cluster when the test process exits. Returns its URL. */
export async function freshDatabase(): Promise<string> {
  const { adminUrl } = await postgresCluster();
  const name = `fw_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  return adminUrl.replace(/\/postgres$/, `/${name}`);
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function binDirectory(): string {
  const root = '/usr/lib/postgresql';
  const find = (): string | null => {
    if (!existsSync(root)) return null;
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
      .sort((a, b) => Number(b) - Number(a));
    return versions[0] ? join(root, versions[0], 'bin') : null;
  };
  const found = find();
  if (found) return found;
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const run = (args: string[]): void => {
    const [command, ...rest] = [...sudo, ...args];
    execFileSync(command!, rest, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  };
  process.stderr.write("[postgres] installing Debian's postgresql package\n");
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'postgresql']);
  const installed = find();
  if (!installed) throw new Error('apt-get installed postgresql, but no server binary is under /usr/lib/postgresql/*/bin');
  return installed;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startCluster(): Promise<PostgresCluster> {
  const binDir = binDirectory();
  const dir = mkdtempSync(join(tmpdir(), 'fieldwork-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? postgresUser() : null;
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chmodSync(dir, 0o700);
  }
  /** Runs a server tool as the cluster's owner. */
  const tool = (name: string, args: string[]): void => {
    const command = join(binDir, name);
    const result = owner
      ? spawnSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8', cwd: dir })
      : spawnSync(command, args, { encoding: 'utf8', cwd: dir });
    if (result.status !== 0) throw new Error(`${name} failed (${result.status}): ${result.stderr || result.stdout}`);
  };
  tool('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200`;
  const start = (): void => tool('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  const stop = (): void => tool('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
  start();
  process.on('exit', () => {
    try {
      stop();
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return { adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`, port, dir, binDir, stop, start };
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error("running as root, but there is no `postgres` user to run the server as: install Debian's postgresql package");
  }
}
