// The status-bar item: which server (local or remote, connected or not) and how many jobs run; click opens the jobs.
import * as vscode from 'vscode';
import type { Job } from '../../api';
import { core } from '../lazy';
import type { ServerConnection } from '../connection/connection';
import type { JobsView } from '../jobs/jobs-view';

export function activateStatusBar(context: vscode.ExtensionContext, connection: ServerConnection, jobsView: JobsView): void {
  const item = vscode.window.createStatusBarItem('fieldwork.server', vscode.StatusBarAlignment.Left, 50);
  item.name = 'Fieldwork server';
  item.command = 'fieldwork.showJobsView';
  let running = 0;
  const render = (): void => {
    const target = connection.target;
    const where = target.kind === 'local' ? 'local' : hostOf(target.url);
    const state = connection.state;
    const icon =
      state === 'connected'
        ? target.kind === 'local'
          ? '$(vm-active)'
          : '$(cloud)'
        : state === 'connecting'
          ? '$(loading~spin)'
          : state === 'idle'
            ? '$(vm)'
            : '$(vm-outline)';
    item.text = `${icon} Fieldwork: ${where}${running > 0 ? ` · $(sync~spin) ${running} running` : ''}`;
    const says: Record<typeof state, string> = {
      idle: 'not connected yet (connects when needed)',
      connecting: 'connecting…',
      connected: 'connected',
      'no-key': 'no API key — run "Fieldwork: Set API Key"',
      unreachable: 'unreachable — see the Fieldwork log',
      'no-runtime': 'cannot start: needs Node.js 22.13+',
    };
    item.tooltip = `Fieldwork server: ${connection.describe()} — ${says[state]}${running > 0 ? `\n${running} job(s) running` : ''}\nClick to show the jobs.`;
    item.backgroundColor =
      state === 'no-key' || state === 'unreachable' || state === 'no-runtime' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  };
  render();
  item.show();
  context.subscriptions.push(
    item,
    connection.onDidChangeState(render),
    connection.onDidChangeTarget(render),
    jobsView.onDidChangeJobs((jobs: readonly Job[]) => {
      running = jobs.filter((job) => !core().isFinished(job.status)).length;
      render();
    }),
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
