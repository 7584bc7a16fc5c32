// The client's errors end with what a terminal user should do (an environment variable, a CLI command). In VS Code
// the same fix is a setting or a command: the hint is reworded to name those. No vscode import.
const HINTS: [RegExp, string][] = [
  [
    / — start it with `fieldwork serve` or check FIELDWORK_SERVER_URL/g,
    ' — check the "fieldwork.server" setting, or set it to "local" to use a server on this machine',
  ],
  [/ — set FIELDWORK_API_KEY or run `fieldwork login(?: --server [^`]*)?`/g, ' — run "Fieldwork: Set API Key" for this server'],
];

export function inVsCodeTerms(message: string): string {
  return HINTS.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), message);
}
