// Bundles the CLI (which embeds the job server) into dist/fieldwork.js, the VS Code extension into dist/extension.js
// (what activation needs) and dist/extension-core.js (the spec parser, the client, zod: required on first use), and
// the job panel's webview script into dist/webview.js. `--production` minifies them all (for `npm run package`).
// `node esbuild.config.mjs [--quiet] [--watch] [--production]`
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

const quiet = process.argv.includes('--quiet');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {import('esbuild').BuildOptions} */
const cli = {
  entryPoints: { fieldwork: 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: production,
  sourcemap: production ? false : 'linked',
  // keytar is an optional native module: loaded at run time when present, never bundled.
  external: ['keytar'],
  banner: { js: '#!/usr/bin/env node' },
  define: { __FIELDWORK_VERSION__: JSON.stringify(version) },
  logLevel: quiet ? 'warning' : 'info',
};

/** `require('./core')` in src/extension/lazy.ts stays a run-time require of the other bundle. */
/** @type {import('esbuild').Plugin} */
const lazyCore = {
  name: 'lazy-core',
  setup(build) {
    build.onResolve({ filter: /^\.\/core$/ }, (args) =>
      args.importer.endsWith('lazy.ts') && args.kind === 'require-call' ? { path: './extension-core.js', external: true } : undefined,
    );
  },
};

/** The extension host side: CommonJS, `vscode` supplied by VS Code. It never bundles the server. */
/** @type {import('esbuild').BuildOptions} */
const extension = {
  entryPoints: { extension: 'src/extension/extension.ts', 'extension-core': 'src/extension/core.ts' },
  plugins: [lazyCore],
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: production,
  sourcemap: production ? false : 'linked',
  external: ['vscode', 'keytar'],
  // When the bundle started and finished loading: activate() logs the load time beside its own.
  banner: { js: 'globalThis.__fieldworkLoadStart ??= performance.now();' },
  footer: { js: 'globalThis.__fieldworkLoaded ??= performance.now();' },
  define: { __FIELDWORK_VERSION__: JSON.stringify(version) },
  logLevel: quiet ? 'warning' : 'info',
};

/** The job panel: a browser script loaded by nonce in the webview. */
/** @type {import('esbuild').BuildOptions} */
const webview = {
  entryPoints: { webview: 'src/webview/ui/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'browser',
  target: 'es2022',
  format: 'iife',
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: quiet ? 'warning' : 'info',
};

const builds = [cli, extension, webview];
if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
