// Replicas as real processes: `fieldwork serve --database …` from the bundled CLI, N of them on one PostgreSQL
// database, with one service `mock` that is `fieldwork mock-provider` (also a real process). Shared by the fault test
// and the replicas benchmark.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { CLI, serve, type ServeProcess } from './processes';

export interface MockProcess {
  /** http://127.0.0.1:PORT (the OpenAI-compatible API is under /v1). */
  url: string;
  child: ChildProcess;
  stats(): Promise<MockStats>;
  stop(): Promise<void>;
}

const MockStats = z.looseObject({ admitted: z.number(), rejected: z.number() });
export type MockStats = z.infer<typeof MockStats>;

/** `fieldwork mock-provider --config FILE` with this config (limits, latency, …); resolves once it listens. */
export async function startMockProcess(config: Record<string, unknown>): Promise<MockProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldwork-mock-'));
  const file = join(dir, 'mock.json');
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(process.execPath, [CLI, 'mock-provider', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mock-provider did not start in 20 s:\n${output}`)), 20_000);
    child.stdout!.on('data', () => {
      const match = /Mock provider: (http:\/\/127\.0\.0\.1:\d+)\/v1/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mock-provider exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    child,
    stats: async () => MockStats.parse(await (await fetch(`${url}/_mock/stats`)).json()),
    stop: () =>
      new Promise((resolve) => {
        rmSync(dir, { recursive: true, force: true });
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface ReplicaSet {
  replicas: ServeProcess[];
  /** The services file every replica reads. */
  configFile: string;
  stop(): Promise<void>;
}

/** N `serve` processes on one database, each with a data dir of its own, started at once. */
export async function startReplicaProcesses(count: number, database: string, mockUrl: string | null): Promise<ReplicaSet> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldwork-replicas-'));
  const configFile = join(dir, 'services.json');
  const services = mockUrl ? [{ name: 'mock', provider: 'openai', base_url: `${mockUrl}/v1`, readiness: false }] : [];
  writeFileSync(configFile, JSON.stringify({ services }));
  const env = { FIELDWORK_DATABASE_URL: '', FIELDWORK_CONFIG: '', FIELDWORK_SERVER_URL: '', FIELDWORK_API_KEY: '' };
  const replicas = await Promise.all(
    Array.from({ length: count }, (_, i) => serve(join(dir, `replica-${i}`), ['--database', database, '--config', configFile], env)),
  );
  return {
    replicas,
    configFile,
    async stop() {
      await Promise.all(replicas.map((replica) => replica.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The pid in a replica's id (`host/pid/random`, as job_leases.replica names it). */
export function pidOfReplica(id: string): number {
  const pid = Number(id.split('/').at(-2));
  if (!Number.isInteger(pid)) throw new Error(`not a replica id: ${id}`);
  return pid;
}
