// Bundles the CLI (which embeds the job server) into dist/fieldwork.js (and the server's spec worker into
// dist/format-worker.js), the VS Code extension into dist/extension.js
// (what activation needs) and dist/extension-core.js (the spec parser, the client, zod: required on first use), and
// the job panel's webview script into dist/webview.js. `--production` minifies them all (for `npm run package`).
// `node esbuild.config.mjs [--quiet] [--watch] [--production]`
// With --quiet (the npm scripts that build before they run something), bundles that are newer than every source are
// left as they are: `npm run fieldwork` would otherwise spend most of its time rebuilding an unchanged CLI.
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

const quiet = process.argv.includes('--quiet');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {import('esbuild').BuildOptions} */
const cli = {
  // The server parses submitted files in worker threads, which load their own bundle (src/server/format-pool).
  entryPoints: { fieldwork: 'src/cli/main.ts', 'format-worker': 'src/server/format-pool/worker.ts' },
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
const root = fileURLToPath(new URL('.', import.meta.url));
/** Written after a build, dated when it started; says whether the bundles are minified. */
const stamp = join(root, 'dist', '.build-stamp');

/**
 * The newest modification time of what the bundles are made of: the sources (and their folders, which change when a
 * file is removed), the dependencies' lock file and this configuration.
 */
function newestInput() {
  let newest = 0;
  const visit = (path) => {
    const stat = statSync(path);
    newest = Math.max(newest, stat.mtimeMs);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(join(root, 'src'));
  for (const file of ['package.json', 'package-lock.json', 'tsconfig.json', 'esbuild.config.mjs']) {
    if (existsSync(join(root, file))) newest = Math.max(newest, statSync(join(root, file)).mtimeMs);
  }
  return newest;
}

/** True when every bundle exists, was built in this mode, and no input changed since its build started. */
function upToDate() {
  try {
    if (JSON.parse(readFileSync(stamp, 'utf8')).production !== production) return false;
    const outputs = builds.flatMap((options) => Object.keys(options.entryPoints).map((name) => join(root, options.outdir, `${name}.js`)));
    if (!outputs.every((file) => existsSync(file))) return false;
    return newestInput() < statSync(stamp).mtimeMs;
  } catch {
    return false;
  }
}

if (quiet && !watch && upToDate()) process.exit(0);
// Loaded only when it builds: importing esbuild is a good part of a check that finds nothing to do.
const esbuild = await import('esbuild');
if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  const started = new Date();
  await Promise.all(builds.map((options) => esbuild.build(options)));
  // Dated at the start: a source saved while the build ran is newer than the stamp, so the next run builds again.
  writeFileSync(stamp, `${JSON.stringify({ production })}\n`);
  utimesSync(stamp, started, started);
}
