import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentSecurityPolicy, createNonce, escapeHtml, panelHtml } from '../../../src/extension/panel/html';

describe('the job panel HTML', () => {
  const nonce = createNonce();
  const html = panelHtml({
    cspSource: 'https://file+.vscode-resource.example',
    nonce,
    scriptUri: 'https://x/dist/webview.js',
    styleUri: 'https://x/media/panel.css',
    title: 'Job: <b>"coffee"</b>',
  });

  it('has a strict CSP: nothing by default, the script only by nonce, no inline styles or eval', () => {
    const csp = contentSecurityPolicy('https://src', nonce);
    assert.match(csp, /^default-src 'none'/);
    assert.match(csp, new RegExp(`script-src 'nonce-${nonce.replace(/[+/=]/g, '\\$&')}'`));
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.ok(html.includes('http-equiv="Content-Security-Policy"'));
  });

  it('loads the one script with the nonce and has no inline handlers', () => {
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    assert.equal(scripts.length, 1);
    assert.ok(scripts[0]?.includes(`nonce="${nonce}"`));
    assert.doesNotMatch(html, /\son[a-z]+=/i);
  });

  it('escapes the title', () => {
    assert.ok(html.includes('<title>Job: &lt;b&gt;&quot;coffee&quot;&lt;/b&gt;</title>'));
    assert.equal(escapeHtml(`<'&">`), '&lt;&#39;&amp;&quot;&gt;');
  });

  it('makes a fresh 128-bit nonce each time', () => {
    const nonces = new Set(Array.from({ length: 50 }, createNonce));
    assert.equal(nonces.size, 50);
    assert.equal(Buffer.from(nonce, 'base64').length, 16);
  });
});
