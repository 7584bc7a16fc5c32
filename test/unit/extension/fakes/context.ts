// A fake ExtensionContext: SecretStorage and mementos in memory, storage in a temporary folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import { EventEmitter, ExtensionMode, Uri } from './vscode';

export class FakeSecretStorage {
  readonly values = new Map<string, string>();
  /** Keys read, in order: what the extension asked SecretStorage for. */
  readonly reads: string[] = [];
  private readonly changed = new EventEmitter<{ key: string }>();
  readonly onDidChange = this.changed.event;
  get(key: string): Promise<string | undefined> {
    this.reads.push(key);
    return Promise.resolve(this.values.get(key));
  }
  store(key: string, value: string): Promise<void> {
    this.values.set(key, value);
    this.changed.fire({ key });
    return Promise.resolve();
  }
  delete(key: string): Promise<void> {
    this.values.delete(key);
    this.changed.fire({ key });
    return Promise.resolve();
  }
}

export class FakeMemento {
  private readonly values = new Map<string, unknown>();
  get<T>(key: string, fallback?: T): T | undefined {
    return this.values.has(key) ? (this.values.get(key) as T) : fallback;
  }
  update(key: string, value: unknown): Promise<void> {
    this.values.set(key, value);
    return Promise.resolve();
  }
  keys(): string[] {
    return [...this.values.keys()];
  }
}

export interface FakeContext {
  readonly context: vscode.ExtensionContext;
  readonly secrets: FakeSecretStorage;
  readonly subscriptions: { dispose(): unknown }[];
  dispose(): void;
}

export function fakeContext(): FakeContext {
  const secrets = new FakeSecretStorage();
  const subscriptions: { dispose(): unknown }[] = [];
  const storage = mkdtempSync(join(tmpdir(), 'fieldwork-fake-vscode-'));
  const extensionPath = join(__dirname, '..', '..', '..', '..');
  const context = {
    subscriptions,
    secrets,
    globalState: new FakeMemento(),
    workspaceState: new FakeMemento(),
    extensionUri: Uri.file(extensionPath),
    extensionPath,
    globalStorageUri: Uri.file(storage),
    extensionMode: ExtensionMode.Test,
    asAbsolutePath: (relative: string) => join(extensionPath, relative),
  };
  return {
    context: context as unknown as vscode.ExtensionContext,
    secrets,
    subscriptions,
    dispose: () => {
      subscriptions.splice(0).forEach((d) => d.dispose());
      rmSync(storage, { recursive: true, force: true });
    },
  };
}
