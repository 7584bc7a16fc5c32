// "Fits any width from 400 px up": the panel's page, and every part of it that could scroll on its own, is no wider
// than the panel — checked at the width the panel opens at (half the window) and again with the window narrowed until
// the panel is 400 px wide.
import type { Frame, Page } from 'playwright-core';

export const NARROWEST = 400;

/** What in the panel scrolls sideways (nothing, when it fits). */
async function overflow(panel: Frame): Promise<string[]> {
  return (await panel.evaluate(`(() => {
    const out = [];
    const page = document.documentElement;
    if (page.scrollWidth > page.clientWidth + 1) out.push('page ' + page.scrollWidth + ' > ' + page.clientWidth);
    for (const el of document.querySelectorAll('.table, .virtual-list, .samples, .metrics, .per-model, .charts, .compare')) {
      if (el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1) out.push(el.className + ' ' + el.scrollWidth + ' > ' + el.clientWidth);
    }
    return out;
  })()`)) as string[];
}

/** Throws when the panel scrolls sideways; returns the panel's width. */
export async function noSideScroll(panel: Frame, where: string): Promise<number> {
  const found = await overflow(panel);
  const width = (await panel.evaluate('window.innerWidth')) as number;
  if (found.length > 0) throw new Error(`${where} scrolls sideways in a ${width} px panel: ${found.join('; ')}`);
  return width;
}

/** Waits for the panel's width to settle after the window was resized. */
async function settledWidth(panel: Frame, before: number): Promise<number> {
  await panel.waitForFunction(`window.innerWidth !== ${before}`, undefined, { timeout: 5_000 }).catch(() => undefined);
  // Two frames: the panel's own layout (charts are redrawn to the width) follows the resize.
  await panel.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
  return (await panel.evaluate('window.innerWidth')) as number;
}

/**
 * Narrows the window until the panel is `width` px wide (VS Code keeps the editor split's proportions, so the panel
 * shrinks by a share of what the window loses), runs `body`, then gives the window its size back.
 */
export async function atPanelWidth(page: Page, panel: Frame, width: number, body: () => Promise<void>): Promise<void> {
  const original = page.viewportSize();
  if (!original) throw new Error('the page has no viewport size');
  let viewport = original.width;
  let current = (await panel.evaluate('window.innerWidth')) as number;
  let share = 0.5;
  for (let step = 0; step < 5 && Math.abs(current - width) > 2; step++) {
    const next = Math.round(viewport + (width - current) / share);
    await page.setViewportSize({ width: next, height: original.height });
    const after = await settledWidth(panel, current);
    if (after !== current && next !== viewport) share = (after - current) / (next - viewport);
    viewport = next;
    current = after;
  }
  try {
    if (Math.abs(current - width) > 2) throw new Error(`the panel is ${current} px wide, not ${width}, in a ${viewport} px window`);
    await body();
  } finally {
    await page.setViewportSize(original);
    await settledWidth(panel, current);
  }
}
