// Driving VS Code (code-server) in Chromium: the few workbench gestures the scenarios need, by what a user sees.
// No fixed sleeps: every step waits for what it needs to see, with timeouts generous enough for a cold 2-core machine.
import type { Frame, Locator, Page } from 'playwright-core';

export type ThemeKind = 'light' | 'dark' | 'high-contrast';
/** The class VS Code puts on the workbench, and on a webview's body, for each kind of theme. */
const WORKBENCH_THEME_CLASS: Record<ThemeKind, string> = { light: 'vs', dark: 'vs-dark', 'high-contrast': 'hc-black' };
const WEBVIEW_THEME_CLASS: Record<ThemeKind, string> = { light: 'vscode-light', dark: 'vscode-dark', 'high-contrast': 'vscode-high-contrast' };

export class Workbench {
  constructor(readonly page: Page) {
    page.setDefaultTimeout(60_000);
  }

  /** The workbench is up and the extension has activated (its status-bar item is there). */
  async ready(): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 180_000 });
    await this.page.locator('.statusbar').waitFor({ timeout: 120_000 });
    await this.page.locator('.statusbar-item', { hasText: 'Fieldwork' }).first().waitFor({ timeout: 180_000 });
  }

  /** Switches the color theme and waits until the workbench and every open webview wear it. */
  async theme(name: string, kind: ThemeKind): Promise<void> {
    await this.command('Preferences: Color Theme');
    await this.pick(name);
    await this.page.locator(`.monaco-workbench.${WORKBENCH_THEME_CLASS[kind]}`).waitFor({ timeout: 30_000 });
    for (const frame of this.page.frames()) {
      if (
        frame === this.page.mainFrame() ||
        !(await frame
          .locator('#app')
          .count()
          .catch(() => 0))
      )
        continue;
      await frame
        .locator(`body.${WEBVIEW_THEME_CLASS[kind]}`)
        .waitFor({ timeout: 30_000 })
        .catch(() => undefined);
    }
    // Let the repaint that follows a theme change land before a screenshot.
    await this.page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
  }

  async openFile(name: string): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(name);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
    await row.waitFor({ timeout: 60_000 });
    // A click, not Enter: Enter can land in a webview that still has the keyboard focus.
    await row.click();
    await this.page.locator('.tab.active', { hasText: name }).waitFor({ timeout: 60_000 });
  }

  /** Runs a command from the palette. A command the palette does not list yet is looked for again, for 2 minutes. */
  async command(title: string): Promise<void> {
    // The row whose label is exactly the title: Enter would take whatever ranks first (recently used, similar names).
    const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    const input = this.page.locator('.quick-input-widget input');
    const row = this.page.locator('.quick-input-list .monaco-list-row', { has: this.page.locator('.label-name', { hasText: exact }) }).first();
    const deadline = Date.now() + 120_000;
    for (;;) {
      await this.page.keyboard.press('Escape');
      await this.page.keyboard.press('F1');
      await input.waitFor({ state: 'visible' });
      await input.fill(`>${title}`);
      try {
        await row.waitFor({ timeout: 15_000 });
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
    }
    await row.click();
  }

  /** Types into the quick input a command opened (an input box or a pick). */
  async answer(text: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 60_000 });
    await input.fill(text);
    await this.page.keyboard.press('Enter');
  }

  /** Picks the row of an open quick pick whose label is exactly `label`. */
  async pick(label: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 60_000 });
    await input.fill(label);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
    await row.waitFor({ timeout: 60_000 });
    await this.page.keyboard.press('Enter');
  }

  codeLens(title: string): Locator {
    return this.page.locator('.codelens-decoration a', { hasText: title }).first();
  }

  async showJobsView(): Promise<Locator> {
    const view = this.page.locator('.pane', { has: this.page.locator('.pane-header', { hasText: /jobs/i }) });
    if (
      !(await view
        .locator('.pane-body')
        .isVisible()
        .catch(() => false))
    ) {
      await this.page.locator('.activitybar .action-item a[aria-label^="Fieldwork"]').first().click();
    }
    await view.locator('.pane-body').waitFor({ timeout: 60_000 });
    return view;
  }

  jobRow(view: Locator, text: string | RegExp): Locator {
    return view.locator('.monaco-list-row', { hasText: text }).first();
  }

  /** The webview frame that holds `selector` (webviews are iframes inside iframes). */
  async webview(selector: string, timeoutMs = 60_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const frame of this.page.frames()) {
        if (frame === this.page.mainFrame()) continue;
        if (
          await frame
            .locator(selector)
            .count()
            .catch(() => 0)
        )
          return frame;
      }
      await this.page.waitForTimeout(250);
    }
    throw new Error(`no webview shows ${selector} within ${timeoutMs / 1000} s`);
  }

  async waitForText(frame: Frame, selector: string, text: string | RegExp, timeoutMs = 60_000): Promise<void> {
    await frame.locator(selector, { hasText: text }).first().waitFor({ timeout: timeoutMs });
  }

  async closeEditors(): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.command('View: Close All Editors');
    await this.page.locator('.editor-group-container .tab').first().waitFor({ state: 'detached', timeout: 30_000 });
  }
}
