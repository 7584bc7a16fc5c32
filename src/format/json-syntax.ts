// Where a .json survey file breaks JSON's grammar. The YAML parser that gives us positions accepts JSON's
// superset (trailing commas, missing values), so JSON files are also held to JSON itself, with the place pinned.
// Nesting is bounded before this runs (see depth.ts), so recursion here is shallow.

export interface JsonSyntaxError {
  offset: number;
  message: string;
}

export function jsonSyntaxError(text: string): JsonSyntaxError | null {
  try {
    JSON.parse(text);
    return null;
  } catch {
    // fall through: find the place ourselves, since V8's messages do not always carry one
  }
  let at = 0;
  const fail = (message: string): never => {
    throw { offset: at, message } satisfies JsonSyntaxError;
  };
  const skipSpace = () => {
    while (at < text.length && ' \t\r\n'.includes(text[at] as string)) at++;
  };
  const describe = () => (at >= text.length ? 'the end of the file' : JSON.stringify(text[at]));

  const string = () => {
    at++;
    while (at < text.length) {
      const char = text[at];
      if (char === '"') return void at++;
      if (char === '\\') {
        at++;
        if (text[at] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) fail('bad \\u escape: expected 4 hex digits');
          at += 5;
        } else if (text[at] !== undefined && '"\\/bfnrt'.includes(text[at] as string)) at++;
        else fail(`bad escape \\${text[at] ?? ''} in a string`);
      } else if (char !== undefined && char < ' ') fail('line break or control character inside a string; use \\n');
      else at++;
    }
    fail('string is not closed: add the closing "');
  };

  const value = (): void => {
    skipSpace();
    const char = text[at];
    if (char === '{') {
      at++;
      skipSpace();
      if (text[at] === '}') return void at++;
      for (;;) {
        skipSpace();
        if (text[at] !== '"') fail(`expected a "quoted" key, found ${describe()}`);
        string();
        skipSpace();
        if (text[at] !== ':') fail(`expected ':' after the key, found ${describe()}`);
        at++;
        value();
        skipSpace();
        if (text[at] === ',') {
          at++;
          skipSpace();
          if (text[at] === '}') fail('trailing comma before }: remove it');
          continue;
        }
        if (text[at] === '}') return void at++;
        fail(`expected ',' or '}' after a value, found ${describe()}`);
      }
    }
    if (char === '[') {
      at++;
      skipSpace();
      if (text[at] === ']') return void at++;
      for (;;) {
        value();
        skipSpace();
        if (text[at] === ',') {
          at++;
          skipSpace();
          if (text[at] === ']') fail('trailing comma before ]: remove it');
          continue;
        }
        if (text[at] === ']') return void at++;
        fail(`expected ',' or ']' after a value, found ${describe()}`);
      }
    }
    if (char === '"') return string();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(at, at + 400));
    if (literal) return void (at += literal[0].length);
    fail(`expected a value (text in "double quotes", a number, true, false, null, [ or {), found ${describe()}`);
  };

  try {
    if (text.charCodeAt(0) === 0xfeff) at = 1;
    value();
    skipSpace();
    if (at < text.length) fail(`unexpected ${describe()} after the end of the JSON document`);
    // JSON.parse disagreed but we found nothing: report its message at the start.
    return { offset: 0, message: 'not valid JSON' };
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'offset' in error) return error as JsonSyntaxError;
    return { offset: 0, message: 'not valid JSON' };
  }
}
