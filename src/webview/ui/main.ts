// The job panel in the webview: tabs Overview, Log, Results (for an eval: metrics and samples), Export. It says `ready`, takes the host's snapshot,
// then applies deltas. Every message from the host is parsed; unknown ones are logged and dropped.
import { HostMessage, parseMessage, type CallProgress, type EstimateView, type PanelMessage, type ResultRow } from '../messages';
import type { Job } from '../../api/job';
import type { Metric } from '../../api/metrics';
import { KIND_VIEW } from '../../api/kind-view';
import { h } from './dom';
import { CompareView } from './compare-view';
import { EvalView } from './eval-view';
import { LogView } from './log-view';
import { OverviewView } from './overview';
import { ResultsView } from './results-view';

interface VsCodeApi {
  postMessage(message: PanelMessage): void;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const send = (message: PanelMessage): void => vscode.postMessage(message);

let job: Job | null = null;
let estimate: EstimateView | null = null;
let calls: CallProgress = { callsMade: null, callsExpected: null };
const overview = new OverviewView(send);
const log = new LogView();
const results = new ResultsView();
const evalView = new EvalView();
const resultsTab = h('section', { class: 'results-tab' }, results.element, evalView.element);
let metrics: Metric[] = [];

const compare = new CompareView();
type Tab = 'overview' | 'log' | 'results' | 'compare' | 'export';
const exportView = h(
  'section',
  { class: 'export' },
  h('p', {}, 'Save every result of this job to a file.'),
  ...(['csv', 'json', 'jsonl'] as const).map((format) => {
    const button = h('button', { class: 'primary' }, `Export ${format.toUpperCase()}`);
    button.addEventListener('click', () => send({ type: 'export', format }));
    return button;
  }),
);
const views: Record<Tab, HTMLElement> = { overview: overview.element, log: log.element, results: resultsTab, compare: compare.element, export: exportView };
const tabs = h('nav', { class: 'tabs', role: 'tablist' });
const buttons = new Map<Tab, HTMLButtonElement>();
for (const tab of Object.keys(views) as Tab[]) {
  const button = h('button', { role: 'tab', id: `tab-${tab}`, 'data-tab': tab }, tab[0]!.toUpperCase() + tab.slice(1));
  button.addEventListener('click', () => show(tab));
  buttons.set(tab, button);
  tabs.append(button);
}
const banner = h('div', { class: 'banner', hidden: '' });
const app = document.getElementById('app')!;
app.removeAttribute('aria-busy');
app.replaceChildren(banner, tabs, ...Object.values(views));
buttons.get('compare')!.hidden = true;

function show(tab: Tab): void {
  for (const [name, view] of Object.entries(views)) view.hidden = name !== tab;
  for (const [name, button] of buttons) button.setAttribute('aria-selected', String(name === tab));
}

function renderOverview(rows: readonly ResultRow[] = []): void {
  overview.render(job, estimate, rows, calls);
  const isEval = (job ? KIND_VIEW[job.kind].metrics : false) || rows.some((row) => row.sample);
  results.element.hidden = isEval;
  evalView.element.hidden = !isEval;
  for (const tab of ['log', 'results', 'export'] as const) buttons.get(tab)!.hidden = job === null && results.size === 0;
  if (job) vscode.setState({ jobId: job.id });
}

let resultRows: ResultRow[] = [];
/** While rows arrive, the views that redraw whole (charts, samples, overview) redraw at most this often. */
const ROWS_REDRAW_MS = 400;
let rowsTimer: ReturnType<typeof setTimeout> | undefined;

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const parsed = parseMessage(HostMessage, event.data);
  if (!parsed.ok) {
    console.warn(`fieldwork: dropped a message from the host: ${parsed.reason}`);
    return;
  }
  const message = parsed.message;
  switch (message.type) {
    case 'snapshot': {
      const started = performance.now();
      job = message.job;
      estimate = message.estimate;
      resultRows = message.results;
      calls = message.progress;
      results.setQuestions(message.questions);
      log.set(message.log);
      results.set(resultRows, message.resultsComplete);
      metrics = message.metrics;
      evalView.setMetrics(metrics);
      evalView.setRows(resultRows);
      renderOverview(resultRows);
      if (resultRows.length > 0 && !job) show('results');
      requestAnimationFrame(() => send({ type: 'rendered', rows: resultRows.length, ms: performance.now() - started }));
      return;
    }
    case 'job':
      job = message.job;
      overview.submitting = false;
      renderOverview(resultRows);
      return;
    case 'log':
      log.append(message.lines);
      return;
    case 'results':
      // Rows land while the job runs: the table follows at once, the charts, samples and per-model figures soon after.
      if (message.reset) resultRows = [];
      for (const row of message.rows) resultRows.push(row);
      if (message.reset) results.set(resultRows, message.complete);
      else results.append([], message.complete);
      if (message.complete) {
        clearTimeout(rowsTimer);
        rowsTimer = undefined;
        evalView.setRows(resultRows);
        renderOverview(resultRows);
      } else
        rowsTimer ??= setTimeout(() => {
          rowsTimer = undefined;
          evalView.setRows(resultRows);
          renderOverview(resultRows);
        }, ROWS_REDRAW_MS);
      return;
    case 'comparison':
      compare.set(message.comparison);
      buttons.get('compare')!.hidden = false;
      show('compare');
      return;
    case 'questions':
      results.setQuestions(message.questions);
      return;
    case 'progress':
      calls = { callsMade: message.callsMade, callsExpected: message.callsExpected };
      renderOverview(resultRows);
      return;
    case 'metrics':
      metrics = message.metrics;
      evalView.setMetrics(metrics);
      return;
    case 'estimate':
      estimate = message.estimate;
      renderOverview(resultRows);
      show('overview');
      return;
    case 'error':
      overview.submitting = false;
      renderOverview(resultRows);
      banner.textContent = message.message;
      banner.hidden = false;
      return;
  }
});

show('overview');
send({ type: 'ready' });
