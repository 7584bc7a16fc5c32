// Driving VS Code (code-server) in Chromium: the few workbench gestures the scenarios need, by what a user sees.
import type { Frame, Locator, Page } from 'playwright-core';

export class Workbench {
  constructor(readonly page: Page) {}

  async ready(): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    await this.page.locator('.statusbar').waitFor({ timeout: 60_000 });
  }

  async openFile(name: string): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(name);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 20_000 });
    await this.page.keyboard.press('Enter');
    await this.page.locator('.tab.active', { hasText: name }).waitFor({ timeout: 20_000 });
  }

  async command(title: string): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`>${title}`);
    // The row whose label is exactly the title: Enter would take whatever ranks first (recently used, similar names).
    const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { has: this.page.locator('.label-name', { hasText: exact }) }).first();
    await row.waitFor({ timeout: 20_000 });
    await row.click();
  }

  /** Types into the quick input a command opened (an input box or a pick). */
  async answer(text: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 20_000 });
    await input.fill(text);
    await this.page.keyboard.press('Enter');
  }

  /** Picks the row of an open quick pick whose label is exactly `label`. */
  async pick(label: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 20_000 });
    await input.fill(label);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
    await row.waitFor({ timeout: 20_000 });
    await this.page.keyboard.press('Enter');
  }

  codeLens(title: string): Locator {
    return this.page.locator('.codelens-decoration a', { hasText: title }).first();
  }

  async showJobsView(): Promise<Locator> {
    const view = this.page.locator('.pane', { has: this.page.locator('.pane-header', { hasText: /jobs/i }) });
    if (!(await view.locator('.pane-body').isVisible().catch(() => false))) {
      await this.page.locator('.activitybar .action-item a[aria-label^="Fieldwork"]').first().click();
    }
    await view.locator('.pane-body').waitFor({ timeout: 20_000 });
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
        if (await frame.locator(selector).count().catch(() => 0)) return frame;
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
    await this.page.waitForTimeout(300);
  }
}
