// The extension's connection to a real test server as a team server: its URL in `fieldwork.server`, its key in the
// fake SecretStorage.
import { ServerConnection } from '../../../../src/extension/connection/connection';
import { Secrets } from '../../../../src/extension/secrets/secrets';
import type { TestServer } from '../../../support/test-server';
import { fakeContext, type FakeContext } from './context';
import { memoryLog, type MemoryLog } from './log';
import { fake } from './vscode';

export interface Connected {
  ctx: FakeContext;
  log: MemoryLog;
  secrets: Secrets;
  connection: ServerConnection;
  dispose(): void;
}

export async function connectedTo(team: TestServer, options: { key?: string } = {}): Promise<Connected> {
  fake.settings.set('fieldwork.server', team.server.url);
  const ctx = fakeContext();
  await ctx.secrets.store(`fieldwork.apiKey:${team.server.url}`, options.key ?? team.server.apiKey);
  const log = memoryLog();
  const secrets = new Secrets(ctx.context);
  const connection = new ServerConnection(ctx.context, secrets, log);
  return {
    ctx,
    log,
    secrets,
    connection,
    dispose: () => {
      connection.dispose();
      ctx.dispose();
    },
  };
}
