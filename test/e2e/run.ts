// End to end in a real VS Code: code-server in headless Chromium (playwright-core) with the packaged .vsix installed.
// `npm run test:e2e` — installs what it needs on first run (cached in ~/.cache/fieldwork-e2e), prints `N passed, N failed`.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Frame, type Page } from 'playwright-core';
import { API_KEY_FILE } from '../../src/api/data-dir';
import { freePort, installCodeServer, installExtension, startCodeServer, writeSettings, type Profile } from './code-server';
import { Workbench } from './vscode-page';
import { atPanelWidth, NARROWEST, noSideScroll } from './fit';
import { fromLog, stop, stopLocalServers } from './profile';
import { makeWorkspace } from './workspace';

const repo = join(__dirname, '..', '..');
const artifacts = join(repo, 'test-artifacts');
const only = process.argv.slice(2);
const figures: string[] = [];
const started = Date.now();
const log = (line: string): void => console.log(`[e2e ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}`);

async function main(): Promise<number> {
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  log('installing code-server and chromium (cached after the first run)');
  const codeServer = installCodeServer(repo);
  log('packaging the extension');
  const pack = spawnSync('npm', ['run', '-s', 'package'], { cwd: repo, encoding: 'utf8' });
  if (pack.status !== 0) throw new Error(`npm run package failed: ${pack.stdout}${pack.stderr}`);
  const vsix = join(repo, 'fieldwork.vsix');
  figures.push(`.vsix size: ${(statSync(vsix).size / 1048576).toFixed(2)} MB`);

  const root = mkdtempSync(join(tmpdir(), 'fieldwork-e2e-'));
  const profile: Profile = { userData: join(root, 'user-data'), extensions: join(root, 'extensions') };
  const workspace = join(root, 'workspace');
  makeWorkspace(repo, workspace);
  writeSettings(profile, {});
  log('installing the .vsix into code-server');
  installExtension(codeServer, profile, vsix);

  // A "team server" for the API-key scenario: the bundled server, started as users start it.
  const teamData = join(root, 'team-server');
  const teamPort = await freePort();
  const team = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', join(repo, 'dist/fieldwork.js'), 'serve', '--port', String(teamPort), '--data-dir', teamData],
    { stdio: 'ignore' },
  );

  const server = await startCodeServer(codeServer, profile, workspace, {
    ...process.env,
    PATH: `${join(repo, 'node_modules/.bin')}:${process.env.PATH}`,
    FIELDWORK_DEV: '1',
  });
  log(`code-server at ${server.url}`);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const wb = new Workbench(page);
  /** Light, then dark (and high contrast when asked): the same view in each theme. */
  const shoot = async (name: string, options: { highContrast?: boolean } = {}): Promise<void> => {
    await page.screenshot({ path: join(artifacts, `${name}-light.png`) });
    await wb.theme('Dark Modern', 'dark');
    await page.screenshot({ path: join(artifacts, `${name}-dark.png`) });
    if (options.highContrast) {
      await wb.theme('Dark High Contrast', 'high-contrast');
      await page.screenshot({ path: join(artifacts, `${name}-high-contrast.png`) });
    }
    await wb.theme('Light Modern', 'light');
  };

  /** No sideways scroll at the panel's opening width (half the window), nor at 400 px, shot there in light and dark. */
  const fits = async (panel: Frame, where: string, shot: string): Promise<void> => {
    figures.push(`${where}: no sideways scroll in a ${await noSideScroll(panel, where)} px panel`);
    await atPanelWidth(page, panel, NARROWEST, async () => {
      figures.push(`${where}: no sideways scroll in a ${await noSideScroll(panel, where)} px panel`);
      await shoot(`${shot}-${NARROWEST}px`);
    });
  };

  let passed = 0;
  let failed = 0;
  const scenario = async (name: string, body: () => Promise<void>): Promise<void> => {
    if (only.length > 0 && !only.some((o) => name.includes(o))) return;
    log(`▶ ${name}`);
    const t = Date.now();
    try {
      await body();
      passed++;
      log(`✔ ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    } catch (error) {
      failed++;
      log(`✘ ${name}: ${error instanceof Error ? error.message : String(error)}`);
      await page.screenshot({ path: join(artifacts, `FAILED-${name.replace(/\W+/g, '-')}.png`) }).catch(() => undefined);
    }
  };

  try {
    await page.goto(server.url, { timeout: 180_000 });
    await wb.ready();
    // The settings start on Light Modern already; this also proves the palette works before any scenario runs.
    await wb.theme('Light Modern', 'light');

    await scenario('run a survey from its CodeLens', async () => {
      await wb.openFile('coffee.survey.yaml');
      const lens = wb.codeLens('Run remotely');
      await lens.waitFor({ timeout: 120_000 });
      await lens.click();
      const view = await wb.showJobsView();
      await wb.jobRow(view, 'Coffee habits').waitFor({ timeout: 120_000 });
      const panel = await wb.webview('h2:has-text("Coffee habits")', 120_000);
      await wb.waitForText(panel, '#job-status', 'completed', 180_000);
      await wb.jobRow(view, /Coffee habits.*completed/).waitFor({ timeout: 60_000 });
      await page.keyboard.press('Escape');
      // The per-model table shows what the job did, not dashes.
      const calls = await panel.locator('#estimate-table tbody tr', { hasText: 'test' }).first().locator('td').nth(1).textContent();
      if (!/\d/.test(calls ?? '')) throw new Error(`the per-model table's calls read "${calls}"`);
      await fits(panel, 'overview', '01-run-overview');
      await shoot('01-run-overview');
      await panel.locator('#tab-results').click();
      await panel.locator('#results-count', { hasText: /results$/ }).waitFor({ timeout: 60_000 });
      await fits(panel, 'results', '02-run-results');
      // A linear scale: every point in the file's order, with its label, whether or not anyone chose it.
      const scale = panel.locator('.chart[data-question="fair_price"]');
      await scale.locator('svg').waitFor({ timeout: 30_000 });
      const points = await scale.locator('text.category').allTextContents();
      if (points.length !== 5 || !points.every((p, i) => p.startsWith(String(i + 1))) || !points[0]!.includes('Far too') || !points[4]!.includes('A bargain')) {
        throw new Error(`the linear scale's points read ${JSON.stringify(points)}`);
      }
      if (!/mean [\d.]+ ± [\d.]+/.test((await scale.textContent()) ?? '')) throw new Error('the linear scale has no mean ± standard error');
      if ((await panel.locator('.chart[data-question="why"] rect').count()) > 0) throw new Error('free text is drawn as bars');
      await scale.scrollIntoViewIfNeeded();
      await shoot('09-linear-scale');
      await panel.evaluate('window.scrollTo(0, 0)');
      const shown = await panel.locator('#results-count').textContent();
      if (!/^\d/.test(shown ?? '') || Number((shown ?? '0').replace(/\D.*/, '')) === 0) throw new Error(`results count says "${shown}"`);
      await panel.locator('.chart svg rect').first().waitFor({ timeout: 30_000 });
      // The answer column is on screen even in this half-width panel.
      const [answerLeft, width] = (await panel.evaluate(
        `[document.querySelector('.result-header button[data-key="answer"]').getBoundingClientRect().left, document.documentElement.clientWidth]`,
      )) as [number, number];
      if (answerLeft + 40 > width) throw new Error(`the answer column starts at ${answerLeft} of ${width} px`);
      figures.push(`results table in a ${width} px panel: the answer column starts at ${Math.round(answerLeft)} px`);
      await wb.codeLens('Last run').waitFor({ timeout: 60_000 });
      await shoot('02-run-results', { highContrast: true });
    });

    await scenario('run an eval from its CodeLens: metrics with error bars, wrong samples', async () => {
      await wb.closeEditors();
      await wb.openFile('arithmetic.eval.yaml');
      // Estimate first: 8 samples × 3 epochs = 24 calls; then run from the CodeLens, and the estimate's panel follows the job.
      const estimateLens = wb.codeLens('Estimate cost');
      await estimateLens.waitFor({ timeout: 120_000 });
      await estimateLens.click();
      const estimate = await wb.webview('button:has-text("Run arithmetic.eval.yaml")', 120_000);
      await estimate.locator('#estimate-table tbody tr', { hasText: 'test' }).filter({ hasText: '24' }).waitFor({ timeout: 60_000 });
      await wb.codeLens('Run remotely').click();
      const panel = await wb.webview('h2:has-text("Arithmetic")', 120_000);
      await wb.waitForText(panel, '#job-status', /completed|partially failed/, 180_000);
      await page.keyboard.press('Escape');
      await panel.locator('#tab-results').click();
      const metricsRow = panel.locator('#metrics-table tbody tr', { hasText: 'test' }).first();
      await metricsRow.waitFor({ timeout: 60_000 });
      const cells = await metricsRow.locator('td').allTextContents();
      if (!/%$/.test(cells[3] ?? '') || !/%$/.test(cells[4] ?? '') || Number(cells[5]) !== 8) throw new Error(`metrics row says ${JSON.stringify(cells)}`);
      await panel.locator('.metrics-chart svg rect.metric-bar').first().waitFor({ timeout: 30_000 });
      if ((await panel.locator('.metrics-chart svg line.error-bar').count()) < 3) throw new Error('the metric bar has no error bar');
      // 8 samples × 3 epochs; the test model answers at chance, so some are wrong and the filter shows only those.
      await panel.locator('#samples-count', { hasText: 'of 24 samples' }).waitFor({ timeout: 60_000 });
      const verdicts = await panel.locator('#samples-table tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-verdict')));
      if (verdicts.length === 0 || verdicts.includes('right')) throw new Error(`the wrong-or-failed filter shows ${JSON.stringify(verdicts)}`);
      const first = await panel.locator('#samples-table tbody tr').first().locator('td').allTextContents();
      if (!/What is/.test(first[1] ?? '') || (first[2] ?? '') === '' || !/\d/.test(first[4] ?? ''))
        throw new Error(`a sample row reads ${JSON.stringify(first)}`);
      await fits(panel, 'eval samples', '08-eval-results');
      // No cell breaks a word: each sample row is a few lines at most.
      const tallest = (await panel
        .locator('#samples-table tbody tr.sample-row')
        .evaluateAll((rows) => Math.max(...rows.map((r) => r.getBoundingClientRect().height)))) as number;
      if (tallest > 90) throw new Error(`a sample row is ${tallest} px tall`);
      await panel.locator('#samples-table tbody tr.sample-row').first().click();
      await panel.locator('#samples-table tr.sample-detail dt', { hasText: 'output' }).waitFor({ timeout: 10_000 });
      await shoot('08-eval-results', { highContrast: true });
      await panel.locator('#samples-filter').selectOption('all');
      await panel.locator('#samples-count', { hasText: '24 of 24 samples' }).waitFor({ timeout: 10_000 });
    });

    await scenario('estimate from the command palette', async () => {
      await wb.closeEditors();
      await wb.openFile('coffee.survey.yaml');
      await wb.command('Fieldwork: Estimate Cost');
      const panel = await wb.webview('#estimate-table');
      await panel.locator('#estimate-table tbody tr', { hasText: 'test' }).waitFor({ timeout: 120_000 });
      await panel.locator('button', { hasText: 'Run coffee.survey.yaml' }).waitFor();
      await fits(panel, 'estimate', '03-estimate');
      await shoot('03-estimate');
    });

    await scenario('results arrive while a slow job runs', async () => {
      await wb.closeEditors();
      await wb.openFile('live.survey.yaml');
      const lens = wb.codeLens('Run remotely');
      await lens.waitFor();
      // Feedback at once, before the server is reached (the times are figures, not tests).
      const clicked = Date.now();
      await lens.click();
      const seen = (locator: ReturnType<Page['locator']>): Promise<string> =>
        locator
          .first()
          .waitFor({ timeout: 10_000 })
          .then(
            () => `${Date.now() - clicked} ms`,
            () => 'not seen within 10 s',
          );
      const [statusBar, toast] = await Promise.all([
        seen(page.locator('.statusbar-item', { hasText: 'Fieldwork: running live.survey.yaml' })),
        seen(page.locator('.notifications-toasts', { hasText: 'Fieldwork: running live.survey.yaml' })),
      ]);
      figures.push(`after a click on Run remotely: the status bar said so in ${statusBar}, the progress notification in ${toast}`);
      const panel = await wb.webview('h2:has-text("Live survey")', 120_000);
      await page.keyboard.press('Escape');
      await panel.locator('#tab-results').click();
      // The fast model's interviews land while the slow model's are still being asked.
      await panel.locator('.result-row').first().waitFor({ timeout: 60_000 });
      await panel.locator('#results-count', { hasText: /so far$/ }).waitFor({ timeout: 5_000 });
      const status = await panel.locator('#job-status').textContent();
      if (status !== 'running') throw new Error(`the first row came only when the job was ${status}`);
      await panel.locator('.chart[data-question="score"] svg').waitFor({ timeout: 10_000 });
      await shoot('10-live-results');
      // The count loses its "so far" only when the job has ended and every row is in.
      await panel.locator('#results-count', { hasText: /^12 results$/ }).waitFor({ timeout: 120_000 });
      const ended = await panel.locator('#job-status').textContent();
      if (ended !== 'completed') throw new Error(`the job ended ${ended}`);
    });

    await scenario('compare two runs: two models of one job, per question with a test and n', async () => {
      const panel = await wb.webview('h2:has-text("Live survey")', 60_000);
      await panel.locator('#tab-overview').click();
      await panel.locator('#compare-button').click();
      await wb.pick('fast vs slow');
      const score = panel.locator('.compare-question[data-question="score"]');
      await score.waitFor({ timeout: 60_000 });
      const says = (await score.locator('.test').textContent()) ?? '';
      if (!/^n = 3 \/ 3 · ((chi-square|welch-t) -?[\d.]+ \(df [\d.]+\), p [=<] [\d.]+|too few answers to test)$/.test(says))
        throw new Error(`the comparison of score says "${says}"`);
      await fits(panel, 'compare', '13-compare');
      await shoot('13-compare');
    });

    await scenario('cancel a running job from the tree', async () => {
      await wb.closeEditors();
      await wb.openFile('slow.survey.yaml');
      await wb.codeLens('Run remotely').click();
      const view = await wb.showJobsView();
      const row = wb.jobRow(view, /Slow survey.*running/);
      await row.waitFor({ timeout: 120_000 });
      // The row's inline action (the context menu holds the same command).
      await row.hover();
      await row.locator('.action-label[aria-label="Cancel Job"]').click();
      await wb.jobRow(view, /Slow survey.*cancelled/).waitFor({ timeout: 120_000 });
      await shoot('04-cancelled');
    });

    await scenario('a broken survey shows its error in Problems at the right line', async () => {
      await wb.closeEditors();
      await wb.openFile('broken.survey.yaml');
      await page.keyboard.press('Control+Shift+M');
      const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'question_options' }).first();
      await problem.waitFor({ timeout: 120_000 });
      const text = (await problem.textContent()) ?? '';
      if (!/Ln 7/.test(text)) throw new Error(`the problem is not at line 7: "${text}"`);
      await page.locator('.squiggly-error').first().waitFor({ timeout: 60_000 });
      await shoot('05-problems');
      await page.keyboard.press('Control+Shift+M');
    });

    await scenario('a "Did you mean" problem is fixed by its quick fix', async () => {
      await wb.closeEditors();
      await wb.openFile('typo.survey.yaml');
      await page.locator('.squiggly-error').first().waitFor({ timeout: 120_000 });
      await page.locator('.view-line span', { hasText: 'multiple_choise' }).first().click();
      await page.keyboard.press('Control+.');
      await page.locator('.action-widget', { hasText: 'Change to "multiple_choice"' }).first().waitFor({ timeout: 30_000 });
      await page.keyboard.press('Enter');
      await page.locator('.view-line', { hasText: 'question_type: multiple_choice' }).waitFor({ timeout: 30_000 });
      await page.locator('.squiggly-error').first().waitFor({ state: 'detached', timeout: 30_000 });
      await shoot('11-quick-fix');
    });

    await scenario('100,000 results in the panel', async () => {
      await wb.closeEditors();
      const t = Date.now();
      await wb.command('Fieldwork: Open Synthetic Results for a Performance Check');
      const panel = await wb.webview('#results-count', 120_000);
      await panel.locator('#results-count', { hasText: '100,000 results' }).waitFor({ timeout: 180_000 });
      await panel.locator('.result-row').first().waitFor();
      const ms = Date.now() - t;
      figures.push(`panel showed 100,000 results ${ms} ms after the command (palette, panel creation, transfer, render)`);
      const sortStart = Date.now();
      await panel.locator('.result-header button', { hasText: /^answer$/ }).click();
      await panel.locator('.result-header button[data-sorted="asc"]').waitFor({ timeout: 60_000 });
      figures.push(`sorting 100,000 rows by answer: ${Date.now() - sortStart} ms`);
      await panel.locator('#results-filter').fill('rarely');
      // "100,000 of 100,000" would match before the filter has run: wait for fewer.
      await panel.locator('#results-count', { hasText: /^(?!100,000 of)[\d,]+ of 100,000 results$/ }).waitFor({ timeout: 60_000 });
      await shoot('06-100k-results');
    });

    await scenario('the API key set in its input box survives a reload', async () => {
      await wb.closeEditors();
      const key = readFileSync(join(teamData, API_KEY_FILE), 'utf8').trim();
      await wb.command('Fieldwork: Switch Server…');
      await wb.answer('Team server');
      await wb.answer(`http://127.0.0.1:${teamPort}`);
      const view = await wb.showJobsView();
      await view.locator('.welcome-view-content', { hasText: 'No API key' }).waitFor({ timeout: 60_000 });
      await wb.command('Fieldwork: Set API Key');
      await wb.answer(key);
      await view.locator('.welcome-view-content', { hasText: 'No jobs yet' }).waitFor({ timeout: 60_000 });
      await page.reload({ timeout: 180_000 });
      await wb.ready();
      const after = await wb.showJobsView();
      await after.locator('.welcome-view-content', { hasText: 'No jobs yet' }).waitFor({ timeout: 60_000 });
      await shoot('07-key-after-reload');
    });

    await scenario('a new survey file in a folder that had none gets its CodeLens', async () => {
      // A window on a folder with no survey: nothing activates the extension until a survey file is opened.
      const folder = join(root, 'no-surveys-yet');
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'notes.md'), '# Notes\n');
      await page.goto(`${server.url.replace(/\/?$/, '/')}?folder=${encodeURIComponent(folder)}`, { timeout: 180_000 });
      await page.locator('.monaco-workbench').waitFor({ timeout: 180_000 });
      await page.locator('.statusbar').waitFor({ timeout: 120_000 });
      writeFileSync(
        join(folder, 'fresh.survey.yaml'),
        'name: Fresh\nmodels: [test]\nquestions:\n  - { question_name: q, question_type: yes_no, question_text: "Tea?" }\n',
      );
      await wb.openFile('fresh.survey.yaml');
      await wb.codeLens('Run remotely').waitFor({ timeout: 120_000 });
      await page.locator('.statusbar-item', { hasText: 'Fieldwork' }).first().waitFor({ timeout: 60_000 });
      await shoot('12-new-file-codelens');
    });

    const activation = fromLog(profile.userData, /activated in (.+)$/m);
    if (activation) figures.push(`activation: ${activation}`);
    // How soon Run's feedback left the extension host after the command began, as the extension logs it.
    const feedback = fromLog(profile.userData, /^\S+ \S+ \[info\] (run live\.survey\.yaml: feedback sent .+)$/m);
    if (feedback) figures.push(`extension log: ${feedback}`);
  } finally {
    await browser.close().catch(() => undefined);
    stop(server.process);
    stop(team);
    stopLocalServers(profile.userData);
    if (!process.env.FIELDWORK_E2E_KEEP) rmSync(root, { recursive: true, force: true });
  }
  for (const figure of figures) log(`figure: ${figure}`);
  log(`screenshots in ${artifacts}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
