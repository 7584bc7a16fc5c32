// Commands about the server and its keys: set, clear and import the API key; provider keys; switch server; log.
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { apiKeyFromDotEnv } from '../secrets/dotenv';
import type { Command } from './command';
import type { CommandDeps } from './deps';

export function serverCommands(deps: CommandDeps): Command[] {
  const { connection, secrets, log } = deps;
  /** The URL a key belongs to: the team server, or (for local) the one to switch to. */
  const remoteUrl = async (): Promise<string | undefined> => {
    const target = connection.target;
    if (target.kind === 'remote') return target.url;
    const url = await askUrl();
    if (url) await vscode.workspace.getConfiguration('fieldwork').update('server', url, vscode.ConfigurationTarget.Global);
    return url;
  };
  return [
    {
      id: 'fieldwork.setApiKey',
      failure: 'Could not set the API key',
      execute: async () => {
        const url = await remoteUrl();
        if (!url) return;
        const key = await vscode.window.showInputBox({
          title: `Fieldwork API key for ${url}`,
          prompt: "Stored in VS Code's secret storage, never in settings. Ask your server's admin for a key (`fieldwork keys create`).",
          password: true,
          ignoreFocusOut: true,
          validateInput: (value) => (value.trim().length < 8 ? 'That is too short to be a Fieldwork API key.' : undefined),
        });
        if (!key) return;
        await secrets.setApiKey(url, key);
        log.info(`API key set for ${url}`);
        void vscode.window.showInformationMessage(`Fieldwork: API key saved for ${url}.`);
      },
    },
    {
      id: 'fieldwork.clearApiKey',
      failure: 'Could not clear the API key',
      execute: async () => {
        const target = connection.target;
        if (target.kind !== 'remote') {
          void vscode.window.showInformationMessage('The local server needs no API key: nothing to clear.');
          return;
        }
        await secrets.clearApiKey(target.url);
        void vscode.window.showInformationMessage(`Fieldwork: API key for ${target.url} removed.`);
      },
    },
    {
      id: 'fieldwork.importApiKey',
      failure: 'Could not import the API key from .env',
      execute: async () => {
        const files = await vscode.workspace.findFiles('**/.env', '**/node_modules/**', 20);
        if (files.length === 0) throw new Error('there is no .env file in this workspace; add one with a line FIELDWORK_API_KEY=…');
        for (const file of files) {
          const key = apiKeyFromDotEnv(await readFile(file.fsPath, 'utf8'));
          if (!key) continue;
          const url = await remoteUrl();
          if (!url) return;
          await secrets.setApiKey(url, key);
          void vscode.window.showInformationMessage(`Fieldwork: API key for ${url} imported from ${vscode.workspace.asRelativePath(file)}.`);
          return;
        }
        throw new Error('no .env file in this workspace has a line FIELDWORK_API_KEY=…');
      },
    },
    {
      id: 'fieldwork.setProviderKey',
      failure: 'Could not set the provider key',
      execute: async () => {
        const name = await vscode.window.showQuickPick([...secrets.providerKeyNames(), 'Other…'], { title: 'Which provider key (for the local server)?' });
        if (!name) return;
        const variable =
          name === 'Other…'
            ? await vscode.window.showInputBox({
                title: 'Environment variable name',
                validateInput: (v) => (/^[A-Z][A-Z0-9_]*$/.test(v) ? undefined : 'Use A_NAME_LIKE_THIS.'),
              })
            : name;
        if (!variable) return;
        const value = await vscode.window.showInputBox({
          title: variable,
          password: true,
          ignoreFocusOut: true,
          prompt: "Stored in VS Code's secret storage; given to the local server in its environment.",
        });
        if (!value) return;
        await secrets.setProviderKey(variable, value);
        const restart = await vscode.window.showInformationMessage(
          `Fieldwork: ${variable} saved. The local server reads it when it starts.`,
          'Restart Local Server',
        );
        if (restart) await vscode.commands.executeCommand('fieldwork.restartLocalServer');
      },
    },
    {
      id: 'fieldwork.switchServer',
      failure: 'Could not switch the server',
      execute: async () => {
        const pick = await vscode.window.showQuickPick(
          [
            { label: '$(vm) Local server', description: 'on this machine, started when needed', value: 'local' },
            { label: '$(cloud) Team server…', description: 'a URL', value: 'url' },
          ],
          { title: `Fieldwork server (now: ${connection.describe()})` },
        );
        if (!pick) return;
        const value = pick.value === 'local' ? 'local' : await askUrl();
        if (!value) return;
        await vscode.workspace.getConfiguration('fieldwork').update('server', value, vscode.ConfigurationTarget.Global);
      },
    },
    { id: 'fieldwork.startLocalServer', failure: 'Could not start the local server', execute: () => startLocal(deps) },
    {
      id: 'fieldwork.restartLocalServer',
      failure: 'Could not restart the local server',
      execute: () =>
        vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Restarting the local Fieldwork server…' }, () =>
          connection.restartLocalServer(),
        ),
    },
    { id: 'fieldwork.showLog', failure: 'Could not show the log', execute: () => log.show() },
    { id: 'fieldwork.showJobsView', failure: 'Could not show the jobs', execute: () => vscode.commands.executeCommand('fieldwork.jobs.focus') },
  ];
}

async function startLocal(deps: CommandDeps): Promise<void> {
  if (deps.connection.target.kind !== 'local')
    await vscode.workspace.getConfiguration('fieldwork').update('server', 'local', vscode.ConfigurationTarget.Global);
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Starting the local Fieldwork server' }, () => deps.connection.client());
  await deps.jobsView.refresh();
}

function askUrl(): Thenable<string | undefined> {
  return vscode.window
    .showInputBox({
      title: 'Team server URL',
      placeHolder: 'https://fieldwork.example.org',
      validateInput: (value) => {
        try {
          const url = new URL(value);
          return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : 'Use an http:// or https:// URL.';
        } catch {
          return 'That is not a URL.';
        }
      },
    })
    .then((v) => v?.trim().replace(/\/+$/, ''));
}
