// `core()`: the heavy modules, required on first use (a survey document to check, a call to the server, a panel).
// esbuild maps `./core` here to the separate bundle dist/extension-core.js; from source (tests) it is core.ts.
import type * as Core from './core';

let loaded: typeof Core | undefined;
let onLoad: ((ms: number) => void) | undefined;

export function core(): typeof Core {
  if (!loaded) {
    const started = performance.now();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- synchronous on purpose, bundled apart (above)
    loaded = require('./core') as typeof Core;
    onLoad?.(performance.now() - started);
  }
  return loaded;
}

/** Whether the heavy modules are loaded yet. */
export function coreLoaded(): boolean {
  return loaded !== undefined;
}

/** Told once, with how long the load took (for the log). */
export function whenCoreLoads(listener: (ms: number) => void): void {
  onLoad = listener;
}

/**
 * Lets VS Code show what was just asked of it (a status-bar message, a progress notification) before the thread is
 * busy: messages to VS Code leave on a timer, so work that follows in the same turn (loading the core, parsing a
 * file) would hold them back until it ends.
 */
export function yieldToVsCode(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
