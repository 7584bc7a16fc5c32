// The server the extension talks to: `fieldwork.server` = "local" (the shared local server, started on demand) or a
// team server's URL (its key from SecretStorage). Hands out one FieldworkClient and tracks whether it is reachable;
// nothing here touches the network until a feature asks for the client.
import * as vscode from 'vscode';
import type { FieldworkClient } from '../../client';
import { core } from '../lazy';
import type { Log } from '../log/log';
import type { Secrets } from '../secrets/secrets';
import { ensureLocalServer, findLocalServer, stopLocalServer } from './local-server';

export type ServerTarget = { kind: 'local' } | { kind: 'remote'; url: string };

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'no-key' | 'unreachable' | 'no-runtime';

/** Thrown when a team server is configured but no key is stored for it. */
export class MissingKeyError extends Error {
  constructor(readonly serverUrl: string) {
    super(`No API key is set for ${serverUrl}. Run "Fieldwork: Set API Key" (or import it from a .env file).`);
  }
}

export function readTarget(): ServerTarget {
  const value = (vscode.workspace.getConfiguration('fieldwork').get<string>('server') ?? 'local').trim();
  return value === '' || value === 'local' ? { kind: 'local' } : { kind: 'remote', url: value.replace(/\/+$/, '') };
}

export class ServerConnection implements vscode.Disposable {
  private current: Promise<FieldworkClient> | null = null;
  private stateValue: ConnectionState = 'idle';
  private readonly stateChanged = new vscode.EventEmitter<ConnectionState>();
  readonly onDidChangeState = this.stateChanged.event;
  private readonly targetChanged = new vscode.EventEmitter<void>();
  /** The server or its key changed: views reload. */
  readonly onDidChangeTarget = this.targetChanged.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly secrets: Secrets,
    private readonly log: Log,
  ) {
    this.disposables.push(
      this.stateChanged,
      this.targetChanged,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('fieldwork.server')) this.reset();
      }),
      secrets.onDidChange(() => this.reset()),
    );
  }

  get target(): ServerTarget {
    return readTarget();
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** "local server" or the team server's URL, for messages. */
  describe(): string {
    const target = this.target;
    return target.kind === 'local' ? 'the local server' : target.url;
  }

  /** The client, connecting (and starting the local server) on first use. */
  client(): Promise<FieldworkClient> {
    this.current ??= this.connect().catch((error: unknown) => {
      this.current = null;
      throw error;
    });
    return this.current;
  }

  /** Marks the server reachable or not after a call a feature made. */
  report(ok: boolean): void {
    this.setState(ok ? 'connected' : 'unreachable');
  }

  reset(): void {
    const previous = this.current;
    this.current = null;
    void previous?.then((c) => c.close()).catch(() => undefined);
    this.setState('idle');
    this.targetChanged.fire();
  }

  async restartLocalServer(): Promise<void> {
    this.current = null;
    await stopLocalServer(this.context.globalStorageUri.fsPath);
    this.reset();
    await this.client();
  }

  /** Whether a local server is already running, without starting one. */
  async localServerRunning(): Promise<boolean> {
    return (await findLocalServer(this.context.globalStorageUri.fsPath)) !== null;
  }

  private async connect(): Promise<FieldworkClient> {
    const target = this.target;
    this.setState('connecting');
    try {
      if (target.kind === 'remote') {
        const apiKey = await this.secrets.apiKey(target.url);
        if (!apiKey) throw new MissingKeyError(target.url);
        const client = new (core().FieldworkClient)({ baseUrl: target.url, apiKey, userAgent: 'fieldwork-vscode/0.1.0' });
        await client.health();
        this.setState('connected');
        return client;
      }
      const server = await ensureLocalServer({
        storageDir: this.context.globalStorageUri.fsPath,
        bundlePath: this.context.asAbsolutePath('dist/fieldwork.js'),
        env: await this.secrets.providerEnvironment(),
        idleExitSeconds: Math.max(1, vscode.workspace.getConfiguration('fieldwork').get<number>('localServer.idleMinutes') ?? 10) * 60,
        nodePath: vscode.workspace.getConfiguration('fieldwork').get<string>('localServer.nodePath')?.trim() || undefined,
        log: (line) => this.log.info(line),
      });
      this.setState('connected');
      return new (core().FieldworkClient)({ baseUrl: server.url, apiKey: server.apiKey, userAgent: 'fieldwork-vscode/0.1.0' });
    } catch (error) {
      this.setState(error instanceof MissingKeyError ? 'no-key' : error?.constructor?.name === 'NoRuntimeError' ? 'no-runtime' : 'unreachable');
      throw error;
    }
  }

  private setState(state: ConnectionState): void {
    if (state === this.stateValue) return;
    this.stateValue = state;
    void vscode.commands.executeCommand('setContext', 'fieldwork.connection', state);
    this.stateChanged.fire(state);
  }

  dispose(): void {
    void this.current?.then((c) => c.close()).catch(() => undefined);
    for (const d of this.disposables) d.dispose();
  }
}
