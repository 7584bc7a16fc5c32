// Bundles the CLI (which embeds the job server) into dist/fieldwork.js.
// `node esbuild.config.mjs [--quiet] [--watch]`
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

const quiet = process.argv.includes('--quiet');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions} */
const cli = {
  entryPoints: { fieldwork: 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  // keytar is an optional native module: loaded at run time when present, never bundled.
  external: ['keytar'],
  banner: { js: '#!/usr/bin/env node' },
  define: { __FIELDWORK_VERSION__: JSON.stringify(version) },
  logLevel: quiet ? 'warning' : 'info',
};

if (watch) {
  const ctx = await esbuild.context(cli);
  await ctx.watch();
} else {
  await esbuild.build(cli);
}
