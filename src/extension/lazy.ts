// `core()`: the heavy modules, required on first use (a survey document to check, a call to the server, a panel).
// esbuild maps `./core` here to the separate bundle dist/extension-core.js; from source (tests) it is core.ts.
import type * as Core from './core';

let loaded: typeof Core | undefined;

export function core(): typeof Core {
  loaded ??= require('./core') as typeof Core;
  return loaded;
}
