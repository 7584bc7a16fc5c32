// Text and numbers as scorers compare them. Unicode is folded (NFKC: full-width digits, ligatures), whitespace
// collapsed, surrounding quotes and trailing punctuation dropped, so "  Paris. " equals "paris".

export function normalizeText(text: string, ignoreCase = true): string {
  let value = text.normalize('NFKC').replace(/\s+/gu, ' ').trim();
  value = value.replace(/^["'“”‘’«»`]+|["'“”‘’«»`]+$/gu, '').trim();
  value = value.replace(/[.!?,;:。！？]+$/u, '').trim();
  return ignoreCase ? value.toLocaleLowerCase('und') : value;
}

/** SQuAD's answer normalization for F1: lower case, no punctuation, no articles, single spaces. */
export function wordsOf(text: string): string[] {
  return text
    .normalize('NFKC')
    .toLocaleLowerCase('und')
    .replace(/[\p{P}\p{S}]/gu, ' ')
    .replace(/\b(a|an|the)\b/gu, ' ')
    .split(/\s+/u)
    .filter((word) => word !== '');
}

// "1,234.5", "-3", ".5", "1e3"; a leading currency sign or trailing unit is left behind.
const NUMBER = /[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][-+]?\d+)?/gu;

/** Every number in the text, in order: "It is 1,000 km (about -3.5%)" → [1000, -3.5]. */
export function numbersIn(text: string): number[] {
  const numbers: number[] = [];
  for (const match of text.normalize('NFKC').matchAll(NUMBER)) {
    const written = match[0];
    if (!/\d/.test(written)) continue;
    const value = Number(written.replace(/,/g, '').replace('−', '-'));
    if (Number.isFinite(value)) numbers.push(value);
  }
  return numbers;
}

/** The text as one number, if it is one (units and currency signs allowed around it). */
export function asNumber(text: string): number | null {
  const numbers = numbersIn(text);
  return numbers.length === 1 ? numbers[0]! : null;
}

export function clip(text: string, length = 200): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
