// A job server of its own for a test file: started before its tests on a fresh data directory, with a client that
// holds the server's own key, and stopped (its directory removed) after them.
import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/server/server';
import { FieldworkClient } from '../../src/client';

export interface TestServer {
  readonly server: RunningServer;
  readonly client: FieldworkClient;
  readonly dataDir: string;
}

/** Registers the file's before/after hooks; the fields are there once `before` ran. */
export function useTestServer(prefix: string): TestServer {
  const held = {} as { server: RunningServer; client: FieldworkClient; dataDir: string };
  before(async () => {
    held.dataDir = mkdtempSync(join(tmpdir(), `fieldwork-${prefix}-`));
    held.server = await startServer({ dataDir: held.dataDir, port: 0 });
    held.client = new FieldworkClient({ baseUrl: held.server.url, apiKey: held.server.apiKey });
  });
  after(async () => {
    await held.client.close();
    await held.server.close();
    rmSync(held.dataDir, { recursive: true, force: true });
  });
  return held;
}
