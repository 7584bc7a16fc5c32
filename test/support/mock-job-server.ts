// A job server on a fresh data dir whose one service, `mock`, is the mock provider over loopback: for tests that run
// real jobs against a provider's wire format and limits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/server/server';
import { startMockProvider, type RunningMock } from '../../src/mock-provider/server';
import type { MockConfigInput } from '../../src/mock-provider/config';
import { FieldworkClient } from '../../src/client';

export interface MockJobServer {
  mock: RunningMock;
  server: RunningServer;
  client: FieldworkClient;
  close(): Promise<void>;
}

export async function startMockJobServer(provider: MockConfigInput, name: string): Promise<MockJobServer> {
  const dataDir = mkdtempSync(join(tmpdir(), `fieldwork-${name}-`));
  const mock = await startMockProvider(provider);
  const server = await startServer({
    dataDir,
    port: 0,
    env: {},
    services: { services: [{ name: 'mock', provider: 'openai', base_url: `${mock.url}/v1`, readiness: false }] },
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
  });
  const client = new FieldworkClient({ baseUrl: server.url, apiKey: server.apiKey });
  return {
    mock,
    server,
    client,
    async close() {
      await server.close();
      await mock.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
