// Reading the pieces of a model's reply: where the answer ends and the comment begins, and the JSON-ish lists and
// maps models write (`["a", "b"]`, `['a', 'b']`, `a, b`, `{"a": 60}`, `a: 60, b: 40`), repaired before validation.

export interface ReplyParts {
  answer: string;
  comment: string | null;
}

/**
 * The answer is the first line; the rest is the comment. A structured answer (starting with `[` or `{`) may span
 * lines and ends at its closing bracket. A reply wrapped in a ``` fence is unwrapped first.
 */
export function splitReply(raw: string, structured: boolean): ReplyParts {
  let text = raw.trim();
  let trailing = '';
  if (text.startsWith('```')) {
    const open = text.indexOf('\n');
    const close = open < 0 ? -1 : text.indexOf('```', open);
    if (close >= 0) {
      trailing = text.slice(close + 3).trim();
      text = text.slice(open + 1, close).trim();
    }
  }
  let answer: string;
  let rest: string;
  const first = text[0];
  const end = structured && (first === '[' || first === '{') ? closingBracket(text) : -1;
  if (end >= 0) {
    answer = text.slice(0, end + 1);
    rest = text.slice(end + 1);
  } else {
    const newline = text.indexOf('\n');
    answer = newline < 0 ? text : text.slice(0, newline);
    rest = newline < 0 ? '' : text.slice(newline + 1);
  }
  const comment = [rest.trim(), trailing].filter(Boolean).join('\n');
  return { answer: answer.trim(), comment: comment === '' ? null : comment };
}

/** Index of the bracket closing the one at 0, skipping quoted text; -1 when unbalanced. */
function closingBracket(text: string): number {
  let depth = 0;
  let quote: string | null = null;
  for (let at = 0; at < text.length; at++) {
    const char = text[at];
    if (quote) {
      if (char === '\\') at++;
      else if (char === quote) quote = null;
    } else if (char === '"') quote = char;
    else if (char === '[' || char === '{') depth++;
    else if (char === ']' || char === '}') {
      depth--;
      if (depth === 0) return at;
    }
  }
  return -1;
}

/** Surrounding quotes, backticks, markdown emphasis and a final period, as models add them to a bare answer. */
export function unwrap(text: string): string {
  let value = text.trim();
  for (;;) {
    const before = value;
    value = value.replace(/^\*\*(.*)\*\*$/s, '$1').replace(/^[*_](.*)[*_]$/s, '$1');
    value = value
      .replace(/^"(.*)"$/s, '$1')
      .replace(/^'(.*)'$/s, '$1')
      .replace(/^`(.*)`$/s, '$1');
    value = value.replace(/[.!]$/, '').trim();
    if (value === before) return value;
  }
}

const PLAIN_NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const GROUPED_NUMBER = /^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;

/** "42", "42.5", "-3", "1,000", "1e3" (also quoted or with a final period) as a number; null otherwise. */
export function parseNumber(text: string): number | null {
  const value = unwrap(text).replace(/^\$/, '');
  if (GROUPED_NUMBER.test(value)) return Number(value.replace(/,/g, ''));
  if (!PLAIN_NUMBER.test(value)) return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

export interface ListItems {
  items: unknown[];
  /** True when the items were written without quotes (`a, b`): commas may then belong to an item. */
  bare: boolean;
}

/** A JSON-ish list; null when the text cannot be read as one. */
export function parseList(text: string): ListItems | null {
  const value = text.trim();
  if (value.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (Array.isArray(parsed)) return { items: parsed, bare: false };
    } catch {
      // repaired below
    }
    if (!value.endsWith(']')) return null;
    return splitItems(value.slice(1, -1));
  }
  if (value.startsWith('{')) return null;
  return splitItems(value);
}

/** Items separated by commas, each "double", 'single' quoted or bare. */
function splitItems(text: string): ListItems | null {
  if (text.trim() === '') return { items: [], bare: false };
  const segments = splitTopLevel(text, ',');
  if (!segments) return null;
  let bare = false;
  const items = segments.map((segment) => {
    const quoted = unquote(segment);
    if (quoted !== null) return quoted;
    bare = true;
    return segment.trim();
  });
  return { items, bare };
}

/**
 * `text` cut at `separators` outside quotes. A quote opens quoted text only at the start of a piece (or after
 * `:` / `=`), so apostrophes in bare words (`Don't know`) are just letters. Null when a quote is never closed.
 */
function splitTopLevel(text: string, separators: string): string[] | null {
  const pieces: string[] = [];
  let start = 0;
  let quote: string | null = null;
  let pieceStart = true;
  for (let at = 0; at < text.length; at++) {
    const char = text[at] as string;
    if (quote) {
      if (char === '\\') at++;
      else if (char === quote) quote = null;
      continue;
    }
    if ((char === '"' || char === "'") && pieceStart) {
      quote = char;
      continue;
    }
    if (separators.includes(char)) {
      pieces.push(text.slice(start, at));
      start = at + 1;
      pieceStart = true;
      continue;
    }
    if (char === ':' || char === '=') pieceStart = true;
    else if (!/\s/.test(char)) pieceStart = false;
  }
  if (quote) return null;
  pieces.push(text.slice(start));
  return pieces;
}

/** The text of a fully quoted piece ("…" read as JSON, '…' with \' escapes); null when it is not quoted. */
function unquote(piece: string): string | null {
  const value = piece.trim();
  if (value.length < 2) return null;
  const quote = value[0];
  if ((quote !== '"' && quote !== "'") || value[value.length - 1] !== quote) return null;
  const inner = value.slice(1, -1);
  if (quote === "'") return inner.replace(/\\'/g, "'");
  try {
    return JSON.parse(value) as string;
  } catch {
    return inner;
  }
}

/** A JSON-ish map of keys to values (`{"a": 60}`, `{'a': 60}`, `a: 60, b: 40`); null when unreadable. */
export function parseMap(text: string): Map<string, unknown> | null {
  const value = text.trim();
  if (value.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return new Map(Object.entries(parsed));
    } catch {
      // repaired below
    }
    if (!value.endsWith('}')) return null;
    return splitEntries(value.slice(1, -1));
  }
  if (value.startsWith('[')) return null;
  return splitEntries(value);
}

function splitEntries(text: string): Map<string, unknown> | null {
  const entries = new Map<string, unknown>();
  const pieces = splitTopLevel(text, ',\n');
  if (!pieces) return null;
  for (const piece of pieces) {
    if (piece.trim() === '') continue;
    const parts = splitTopLevel(piece, ':=');
    if (!parts || parts.length < 2) return null;
    const rawValue = (parts.pop() as string).trim();
    const rawKey = parts.join(':');
    const key = unquote(rawKey) ?? unwrap(rawKey);
    entries.set(key, parseNumber(rawValue) ?? unquote(rawValue) ?? unwrap(rawValue));
  }
  return entries;
}

/** How options are compared: case, runs of spaces and spacing around commas do not tell them apart. */
export function looseKey(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/\s*,\s*/g, ', ');
}
