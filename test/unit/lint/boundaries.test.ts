// The architecture's boundaries are lint rules: a planted import that crosses one fails `npm run lint`, and an
// import the map allows passes. ESLint reads eslint.config.mjs as `npm run lint` does; the planted text is linted
// as if it were a file inside the folder (nothing is written to disk).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ESLint } from 'eslint';
import { ROOT } from '../../support/processes';

let eslint: ESLint;

before(() => {
  eslint = new ESLint({ cwd: ROOT });
});

/** The boundary messages for `source` linted as the file at `filePath` (relative to the repository). */
async function boundaryErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  assert.ok(result, `ESLint linted ${filePath}`);
  const fatal = result.messages.filter((message) => message.fatal);
  assert.deepEqual(fatal, [], `${filePath} parses`);
  return result.messages.filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

const planted = (specifier: string) => `import { thing } from '${specifier}';\nexport const used = thing;\n`;

/** [the file it is planted in, an import its folder must never make, an import the map allows from there] */
const BOUNDARIES: Array<{ rule: string; file: string; forbidden: string[]; allowed: string[] }> = [
  {
    rule: 'the client never imports the server',
    file: 'src/client/planted.ts',
    forbidden: ['../server/server', '../server/store/store', './../server'],
    allowed: ['../api', './transport'],
  },
  {
    rule: 'the client never imports the server, also from a folder inside it',
    file: 'src/client/deeper/planted.ts',
    forbidden: ['../../server/jobs/job-service'],
    allowed: ['../../api', '../server'],
  },
  {
    rule: 'the format imports nothing of ours',
    file: 'src/format/planted.ts',
    forbidden: ['../api', '../client/client', '../server/data-dir'],
    allowed: ['./parse', 'yaml', '../random/seeded-random'],
  },
  {
    rule: 'the format knows no transport',
    file: 'src/format/eval/planted.ts',
    forbidden: ['undici', 'node:http', 'hono'],
    allowed: ['../schema', 'node:path'],
  },
  {
    rule: 'the server knows no editor',
    file: 'src/server/jobs/planted.ts',
    forbidden: ['../../extension/extension', '../../webview/messages', '../../client', '../../cli/program', 'vscode'],
    allowed: ['../../api', '../../format', '../store/store'],
  },
  {
    rule: 'the /v1 routes do not import /api/v0',
    file: 'src/server/http/planted.ts',
    forbidden: ['../edsl/routes', '../../server/edsl/auth'],
    allowed: ['../store/store', '../../edsl/import'],
  },
  {
    rule: 'the extension reaches the server only through the client',
    file: 'src/extension/commands/planted.ts',
    forbidden: ['../../server/server', '../../server/data-dir'],
    allowed: ['../../client', '../../webview/messages', 'vscode'],
  },
  {
    rule: 'the panel sees messages only',
    file: 'src/webview/ui/planted.ts',
    forbidden: ['../../server/http/app', '../../client', '../../format', 'vscode'],
    allowed: ['../messages', '../../api'],
  },
  {
    rule: 'the seeded random generator is a leaf',
    file: 'src/random/planted.ts',
    forbidden: ['../format', '../mock-provider/random'],
    allowed: ['./seeded-random'],
  },
  {
    rule: 'the HTTP API schemas import nothing of ours',
    file: 'src/api/planted.ts',
    forbidden: ['../format', '../server/store/store', '../client/errors'],
    allowed: ['./job', 'zod'],
  },
];

for (const { rule, file, forbidden, allowed } of BOUNDARIES) {
  describe(rule, () => {
    for (const specifier of forbidden) {
      test(`${file}: import '${specifier}' fails the lint`, async () => {
        const errors = await boundaryErrors(file, planted(specifier));
        assert.equal(errors.length, 1, `one boundary error for '${specifier}', got ${JSON.stringify(errors)}`);
        assert.match(errors[0]!, /docs\/architecture\.md/, 'the message points to the map');
      });
    }
    for (const specifier of allowed) {
      test(`${file}: import '${specifier}' passes`, async () => {
        assert.deepEqual(await boundaryErrors(file, planted(specifier)), []);
      });
    }
  });
}

test('the boundaries apply under src/ only: a test may import any folder', async () => {
  assert.deepEqual(await boundaryErrors('test/unit/planted.test.ts', planted('../../src/server/server')), []);
});
