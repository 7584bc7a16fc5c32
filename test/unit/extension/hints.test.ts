import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inVsCodeTerms } from '../../../src/extension/log/hints';

test('errors meant for the terminal name the setting and the command in VS Code', () => {
  const unreachable = inVsCodeTerms(
    'cannot reach the Fieldwork server at http://x:1 (ECONNREFUSED) — start it with `fieldwork serve` or check FIELDWORK_SERVER_URL',
  );
  assert.equal(
    unreachable,
    'cannot reach the Fieldwork server at http://x:1 (ECONNREFUSED) — check the "fieldwork.server" setting, or set it to "local" to use a server on this machine',
  );
  assert.match(
    inVsCodeTerms('the server rejected the API key (401: no) — set FIELDWORK_API_KEY or run `fieldwork login`'),
    /run "Fieldwork: Set API Key" for this server$/,
  );
  assert.doesNotMatch(
    inVsCodeTerms('no API key for http://x — set FIELDWORK_API_KEY or run `fieldwork login --server http://x`'),
    /FIELDWORK_API_KEY|fieldwork login/,
  );
});
