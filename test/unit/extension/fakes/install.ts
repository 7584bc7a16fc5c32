// Resolves `vscode` to the fake API of this folder for the test process: import this first in a test of the
// extension's surfaces, before any module that imports `vscode`. (The project's .ts files load as CommonJS, in the
// order of their imports.)
import { registerHooks } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const fake = pathToFileURL(join(__dirname, 'vscode.ts')).href;

registerHooks({
  resolve: (specifier, context, nextResolve) => (specifier === 'vscode' ? { url: fake, shortCircuit: true } : nextResolve(specifier, context)),
});
