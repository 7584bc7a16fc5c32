// Rule conditions between EDSL's style and Fieldwork's. EDSL writes `{{ q0.answer }} == 'yes' and {{ scenario.x }} > 3`
// (Jinja placeholders, Python's and/or/not/True/False/None); Fieldwork's rules are CEL: `q0.answer == 'yes' && scenario.x > 3`.
// Both directions work on tokens, so nothing inside a quoted string is ever changed.

type Token = { kind: 'string' | 'word' | 'other'; text: string };

const WORD = /[A-Za-z_][A-Za-z0-9_.]*/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let other = '';
  const flush = (): void => {
    if (other !== '') tokens.push({ kind: 'other', text: other });
    other = '';
  };
  let at = 0;
  while (at < text.length) {
    const char = text[at]!;
    if (char === '"' || char === "'") {
      let end = at + 1;
      while (end < text.length && text[end] !== char) end += text[end] === '\\' ? 2 : 1;
      flush();
      tokens.push({ kind: 'string', text: text.slice(at, end + 1) });
      at = end + 1;
      continue;
    }
    WORD.lastIndex = at;
    const word = WORD.exec(text);
    if (word && (at === 0 || !/[0-9]/.test(text[at - 1]!))) {
      flush();
      tokens.push({ kind: 'word', text: word[0] });
      at += word[0].length;
      continue;
    }
    other += char;
    at++;
  }
  flush();
  return tokens;
}

const PYTHON_TO_CEL: Record<string, string> = { and: '&&', or: '||', not: '!', True: 'true', False: 'false', None: 'null' };
const CEL_TO_PYTHON: Record<string, string> = { true: 'True', false: 'False', null: 'None' };

/**
 * An EDSL condition as a Fieldwork rule. `{{ q0 }}`, `{{ q0.answer }}` and a bare `q0` all mean q0's answer; `{{ scenario.x }}`
 * and `{{ agent.x }}` keep their names.
 */
export function edslToCel(expression: string, questionNames: ReadonlySet<string>): string {
  const unbraced = expression.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g, (_, name: string) => (questionNames.has(name) ? `${name}.answer` : name));
  return tokenize(unbraced)
    .map((token) => {
      if (token.kind !== 'word') return token.text;
      if (questionNames.has(token.text)) return `${token.text}.answer`;
      const cel = PYTHON_TO_CEL[token.text];
      if (cel === undefined) return token.text;
      return token.text === 'not' ? '!' : cel;
    })
    .join('')
    .replace(/!\s+/g, '!')
    .trim();
}

/** A Fieldwork rule as an EDSL condition: names in `{{ }}`, CEL's operators as Python's. */
export function celToEdsl(rule: string, questionNames: ReadonlySet<string>): string {
  return tokenize(rule)
    .map((token) => {
      if (token.kind === 'string') return token.text;
      if (token.kind === 'word') {
        const python = CEL_TO_PYTHON[token.text];
        if (python !== undefined) return python;
        const root = token.text.split('.')[0]!;
        if (questionNames.has(root) || root === 'scenario' || root === 'agent') return `{{ ${token.text} }}`;
        return token.text;
      }
      return token.text
        .replace(/&&/g, ' and ')
        .replace(/\|\|/g, ' or ')
        .replace(/!(?!=)/g, ' not ');
    })
    .join('')
    .replace(/ {2,}/g, ' ')
    .trim();
}
