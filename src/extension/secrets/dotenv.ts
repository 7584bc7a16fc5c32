// The server key from a workspace .env file, for "Import API Key from .env". No vscode import.
/** `FIELDWORK_API_KEY=…` from a .env file's text (quotes and `export ` allowed), or undefined. */
export function apiKeyFromDotEnv(text: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?FIELDWORK_API_KEY\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    let value = match[1] ?? '';
    const quoted = /^(['"])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2] ?? '';
    else value = value.replace(/\s+#.*$/, '');
    if (value) return value;
  }
  return undefined;
}
