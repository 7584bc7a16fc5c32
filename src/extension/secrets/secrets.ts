// Keys live in SecretStorage only: the team server's API key (per server URL) and provider keys for the local server.
// They are read when first needed, never at activation, and never reach settings, logs or the webview.
import * as vscode from 'vscode';

/** Provider keys the local server reads from its environment. */
export const PROVIDER_KEY_NAMES = ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'ALEPH_ALPHA_API_KEY'] as const;

export class Secrets {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly context: vscode.ExtensionContext) {
    context.subscriptions.push(
      this.changed,
      context.secrets.onDidChange((e) => {
        if (e.key.startsWith('fieldwork.')) this.changed.fire();
      }),
    );
  }

  apiKey(serverUrl: string): Thenable<string | undefined> {
    return this.context.secrets.get(apiKeyName(serverUrl));
  }

  setApiKey(serverUrl: string, key: string): Thenable<void> {
    return this.context.secrets.store(apiKeyName(serverUrl), key.trim());
  }

  clearApiKey(serverUrl: string): Thenable<void> {
    return this.context.secrets.delete(apiKeyName(serverUrl));
  }

  /** The provider keys that are set, as environment variables for the local server. */
  async providerEnvironment(): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    for (const name of this.providerKeyNames()) {
      const value = await this.context.secrets.get(providerKeyName(name));
      if (value) env[name] = value;
    }
    return env;
  }

  async setProviderKey(name: string, value: string): Promise<void> {
    await this.context.secrets.store(providerKeyName(name), value.trim());
    const names = new Set(this.providerKeyNames());
    names.add(name);
    // Only the names are remembered outside SecretStorage, to know which secrets to read.
    await this.context.globalState.update('fieldwork.providerKeyNames', [...names]);
  }

  providerKeyNames(): string[] {
    const stored = this.context.globalState.get<string[]>('fieldwork.providerKeyNames') ?? [];
    return [...new Set([...PROVIDER_KEY_NAMES, ...stored])];
  }
}

function apiKeyName(serverUrl: string): string {
  return `fieldwork.apiKey:${serverUrl.replace(/\/+$/, '')}`;
}

function providerKeyName(name: string): string {
  return `fieldwork.providerKey:${name}`;
}
