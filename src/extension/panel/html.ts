// The job panel's HTML: a strict CSP (default-src 'none'), the script by nonce, styles from media/. No vscode import,
// so it is unit-tested as plain text.
import { randomBytes } from 'node:crypto';

/** 128 random bits from the CSPRNG, base64: the CSP nonce of one rendering. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

export interface PanelHtmlParts {
  /** `webview.cspSource`: the origin the webview loads local resources from. */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce: string;
  title: string;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return ["default-src 'none'", `style-src ${cspSource}`, `img-src ${cspSource} data:`, `font-src ${cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
}

export function panelHtml(parts: PanelHtmlParts): string {
  const attr = (value: string): string => escapeHtml(value);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(parts.cspSource, parts.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(parts.styleUri)}">
<title>${escapeHtml(parts.title)}</title>
</head>
<body>
<div id="app" aria-busy="true"><p class="muted">Loading…</p></div>
<script nonce="${attr(parts.nonce)}" src="${attr(parts.scriptUri)}"></script>
</body>
</html>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
