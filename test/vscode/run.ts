// `npm run test:vscode`: the extension in a desktop VS Code downloaded by @vscode/test-electron. Needs network access
// to update.code.visualstudio.com; on machines without it, `npm run test:e2e` (code-server in Chromium) is the suite.
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';

const repo = join(__dirname, '..', '..');

runTests({
  extensionDevelopmentPath: repo,
  extensionTestsPath: join(__dirname, 'suite.js'),
  launchArgs: [join(repo, 'examples'), '--disable-extensions', '--disable-workspace-trust'],
}).catch((error: unknown) => {
  console.error('test:vscode failed (it needs to download VS Code):', error);
  process.exit(1);
});
