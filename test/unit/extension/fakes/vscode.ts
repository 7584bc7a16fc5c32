// A small hand-written stand-in for the `vscode` module: the parts of the API the extension's surfaces use, with what
// they were asked recorded in `fake` and the user's answers (input boxes, picks, message buttons) scripted there.
// Loaded in place of `vscode` by ./install.ts.
import { EventEmitter as NodeEmitter } from 'node:events';
import { posix } from 'node:path';

export class Disposable {
  private done = false;
  constructor(private readonly onDispose: () => unknown) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((d) => d.dispose()));
  }
  dispose(): void {
    if (this.done) return;
    this.done = true;
    this.onDispose();
  }
}

export type Event<T> = (listener: (value: T) => unknown, thisArg?: unknown, disposables?: Disposable[]) => Disposable;

export class EventEmitter<T> {
  private readonly emitter = new NodeEmitter();
  readonly event: Event<T> = (listener, thisArg, disposables) => {
    const bound = (value: T): unknown => listener.call(thisArg, value);
    this.emitter.on('event', bound);
    const disposable = new Disposable(() => this.emitter.off('event', bound));
    disposables?.push(disposable);
    return disposable;
  };
  fire(value: T): void {
    this.emitter.emit('event', value);
  }
  dispose(): void {
    this.emitter.removeAllListeners();
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
    readonly query = '',
  ) {}
  static file(path: string): Uri {
    return new Uri('file', path);
  }
  static parse(value: string): Uri {
    const url = new URL(value);
    return new Uri(url.protocol.replace(/:$/, ''), decodeURIComponent(url.pathname), url.search.replace(/^\?/, ''));
  }
  static from(parts: { scheme: string; path?: string; query?: string }): Uri {
    return new Uri(parts.scheme, parts.path ?? '/', parts.query ?? '');
  }
  static joinPath(base: Uri, ...segments: string[]): Uri {
    return new Uri(base.scheme, posix.join(base.path, ...segments), base.query);
  }
  get fsPath(): string {
    return this.path;
  }
  with(change: { path?: string; query?: string }): Uri {
    return new Uri(this.scheme, change.path ?? this.path, change.query ?? this.query);
  }
  toString(): string {
    return `${this.scheme}://${encodeURI(this.path)}${this.query ? `?${this.query}` : ''}`;
  }
}

export class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: ThemeColor,
  ) {}
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: string;
  iconPath?: ThemeIcon;
  contextValue?: string;
  command?: { command: string; title: string; arguments?: unknown[] };
  constructor(readonly label: string) {}
}

export enum ProgressLocation {
  SourceControl = 1,
  Window = 10,
  Notification = 15,
}
export enum ViewColumn {
  Active = -1,
  Beside = -2,
  One = 1,
}
export enum ConfigurationTarget {
  Global = 1,
  Workspace = 2,
}
export enum ExtensionMode {
  Production = 1,
  Development = 2,
  Test = 3,
}

export interface ShownMessage {
  level: 'info' | 'warning' | 'error';
  text: string;
  items: string[];
}

export class FakeWebview {
  html = '';
  options: unknown = {};
  readonly cspSource = 'https://webview.example';
  /** Every message the host posted, in order. */
  readonly posted: { type: string; [field: string]: unknown }[] = [];
  private readonly received = new EventEmitter<unknown>();
  readonly onDidReceiveMessage = this.received.event;
  private readonly postedEmitter = new EventEmitter<void>();
  asWebviewUri(uri: Uri): Uri {
    return uri;
  }
  postMessage(message: { type: string }): Promise<boolean> {
    this.posted.push(message);
    this.postedEmitter.fire();
    return Promise.resolve(true);
  }
  /** A message from the panel's script to the host. */
  send(message: unknown): void {
    this.received.fire(message);
  }
  /** Settles with the first posted message that `matches`, among those posted so far or later. */
  waitFor<T extends { type: string }>(matches: (message: { type: string; [field: string]: unknown }) => boolean): Promise<T> {
    const found = this.posted.find(matches);
    if (found) return Promise.resolve(found as unknown as T);
    return new Promise((resolve) => {
      const listener = this.postedEmitter.event(() => {
        const hit = this.posted.find(matches);
        if (!hit) return;
        listener.dispose();
        resolve(hit as unknown as T);
      });
    });
  }
}

export class FakeWebviewPanel {
  readonly webview = new FakeWebview();
  private readonly disposed = new EventEmitter<void>();
  readonly onDidDispose = this.disposed.event;
  isDisposed = false;
  reveals = 0;
  constructor(
    readonly viewType: string,
    public title: string,
  ) {}
  reveal(): void {
    this.reveals++;
  }
  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.disposed.fire();
  }
}

export class FakeTreeView {
  visible = true;
  private readonly visibility = new EventEmitter<{ visible: boolean }>();
  readonly onDidChangeVisibility = this.visibility.event;
  constructor(
    readonly id: string,
    readonly options: { treeDataProvider: unknown },
  ) {}
  dispose(): void {}
}

const configChanged = new EventEmitter<{ affectsConfiguration(section: string): boolean }>();

/** What the extension asked of VS Code, and what the user answers next. */
export const fake = {
  messages: [] as ShownMessage[],
  statusBar: [] as string[],
  /** Commands run with executeCommand, `setContext` included. */
  executed: [] as { command: string; args: unknown[] }[],
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  /** Settings by full name, e.g. `fieldwork.server`. */
  settings: new Map<string, unknown>(),
  contexts: new Map<string, unknown>(),
  panels: [] as FakeWebviewPanel[],
  treeViews: [] as FakeTreeView[],
  /** The next answers of input boxes, quick picks and message buttons, first in first out (none: dismissed). */
  inputBoxAnswers: [] as (string | undefined)[],
  quickPickAnswers: [] as unknown[],
  messageAnswers: [] as (string | undefined)[],
  /** Input boxes shown, with their options. */
  inputBoxes: [] as { title?: string; password?: boolean }[],
  workspaceFiles: [] as Uri[],
  trusted: true,
  reset(): void {
    for (const list of [
      this.messages,
      this.statusBar,
      this.executed,
      this.panels,
      this.treeViews,
      this.inputBoxAnswers,
      this.quickPickAnswers,
      this.messageAnswers,
      this.inputBoxes,
      this.workspaceFiles,
    ])
      list.length = 0;
    this.commands.clear();
    this.settings.clear();
    this.contexts.clear();
    this.trusted = true;
  },
};

function show(level: ShownMessage['level']) {
  return (text: string, ...rest: unknown[]): Promise<string | undefined> => {
    const items = rest.filter((item): item is string => typeof item === 'string');
    fake.messages.push({ level, text, items });
    const answer = fake.messageAnswers.shift();
    return Promise.resolve(answer !== undefined && items.includes(answer) ? answer : undefined);
  };
}

const cancellation = { isCancellationRequested: false, onCancellationRequested: () => new Disposable(() => undefined) };

export const window = {
  showInformationMessage: show('info'),
  showWarningMessage: show('warning'),
  showErrorMessage: show('error'),
  setStatusBarMessage(text: string): Disposable {
    fake.statusBar.push(text);
    return new Disposable(() => undefined);
  },
  showInputBox(options: { title?: string; password?: boolean; validateInput?: (value: string) => string | undefined } = {}): Promise<string | undefined> {
    fake.inputBoxes.push({ title: options.title, password: options.password });
    const answer = fake.inputBoxAnswers.shift();
    // An answer the box would not accept is never returned: the user would have to correct it first.
    if (answer !== undefined && options.validateInput?.(answer)) return Promise.resolve(undefined);
    return Promise.resolve(answer);
  },
  showQuickPick<T>(items: T[] | Promise<T[]>): Promise<unknown> {
    return Promise.resolve(items).then((list) => {
      const answer = fake.quickPickAnswers.shift();
      return typeof answer === 'function' ? (answer as (items: T[]) => unknown)(list) : answer;
    });
  },
  withProgress<R>(_options: unknown, task: (progress: { report(value: unknown): void }, token: typeof cancellation) => Promise<R>): Promise<R> {
    return task({ report: () => undefined }, cancellation);
  },
  showSaveDialog: (): Promise<Uri | undefined> => Promise.resolve(undefined),
  showTextDocument: (): Promise<unknown> => Promise.resolve(undefined),
  createWebviewPanel(viewType: string, title: string): FakeWebviewPanel {
    const panel = new FakeWebviewPanel(viewType, title);
    fake.panels.push(panel);
    return panel;
  },
  registerWebviewPanelSerializer: (): Disposable => new Disposable(() => undefined),
  createTreeView(id: string, options: { treeDataProvider: unknown }): FakeTreeView {
    const view = new FakeTreeView(id, options);
    fake.treeViews.push(view);
    return view;
  },
  createOutputChannel(): { info(m: string): void; warn(m: string): void; error(m: string): void; show(): void; dispose(): void } {
    const noop = (): void => undefined;
    return { info: noop, warn: noop, error: noop, show: noop, dispose: noop };
  },
  activeTextEditor: undefined as unknown,
};

export const workspace = {
  getConfiguration(section: string) {
    return {
      get<T>(key: string, fallback?: T): T | undefined {
        const name = `${section}.${key}`;
        return fake.settings.has(name) ? (fake.settings.get(name) as T) : fallback;
      },
      update(key: string, value: unknown): Promise<void> {
        const name = `${section}.${key}`;
        fake.settings.set(name, value);
        configChanged.fire({ affectsConfiguration: (s: string) => name === s || name.startsWith(`${s}.`) });
        return Promise.resolve();
      },
    };
  },
  onDidChangeConfiguration: configChanged.event,
  findFiles: (): Promise<Uri[]> => Promise.resolve([...fake.workspaceFiles]),
  asRelativePath: (uri: Uri | string): string => (typeof uri === 'string' ? uri : uri.fsPath),
  registerTextDocumentContentProvider: (): Disposable => new Disposable(() => undefined),
  openTextDocument: (): Promise<unknown> => Promise.resolve({}),
  textDocuments: [] as unknown[],
  workspaceFolders: undefined as unknown,
  get isTrusted(): boolean {
    return fake.trusted;
  },
  fs: { writeFile: (): Promise<void> => Promise.resolve() },
};

export const commands = {
  registerCommand(id: string, callback: (...args: unknown[]) => unknown): Disposable {
    if (fake.commands.has(id)) throw new Error(`command ${id} is already registered`);
    fake.commands.set(id, callback);
    return new Disposable(() => fake.commands.delete(id));
  },
  executeCommand(command: string, ...args: unknown[]): Promise<unknown> {
    fake.executed.push({ command, args });
    if (command === 'setContext') {
      fake.contexts.set(String(args[0]), args[1]);
      return Promise.resolve(undefined);
    }
    const registered = fake.commands.get(command);
    return Promise.resolve(registered ? registered(...args) : undefined);
  },
};

export const env = {
  clipboard: {
    text: '',
    writeText(text: string): Promise<void> {
      this.text = text;
      return Promise.resolve();
    },
  },
};
export const languages = { setTextDocumentLanguage: (document: unknown): Promise<unknown> => Promise.resolve(document) };
