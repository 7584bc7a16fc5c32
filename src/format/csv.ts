// A small RFC 4180 CSV reader: comma separated, fields may be "quoted", "" inside quotes is a quote, and quoted
// fields may hold commas and line breaks. Lines end in LF or CRLF. A UTF-8 byte order mark is ignored.

export interface CsvRow {
  /** 1-based line the record starts on. */
  line: number;
  fields: string[];
}

export type CsvResult = { ok: true; rows: CsvRow[] } | { ok: false; line: number; message: string };

export function parseCsv(text: string): CsvResult {
  const rows: CsvRow[] = [];
  let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (at < text.length) {
    const startLine = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (text[at] === '"') {
        const quoteLine = line;
        at++;
        for (;;) {
          if (at >= text.length) {
            return { ok: false, line: quoteLine, message: 'a quoted field is never closed: add the closing "' };
          }
          const char = text[at] as string;
          if (char === '"') {
            if (text[at + 1] === '"') {
              field += '"';
              at += 2;
              continue;
            }
            at++;
            break;
          }
          if (char === '\n') line++;
          field += char;
          at++;
        }
        const next = text[at];
        if (next !== undefined && next !== ',' && next !== '\n' && !(next === '\r' && text[at + 1] === '\n')) {
          return {
            ok: false,
            line,
            message: `unexpected ${JSON.stringify(next)} after a closing quote; write "" for a quote inside a quoted field`,
          };
        }
      } else {
        const start = at;
        while (at < text.length && text[at] !== ',' && text[at] !== '\n' && !(text[at] === '\r' && text[at + 1] === '\n')) {
          if (text[at] === '"') {
            return { ok: false, line, message: 'a quote inside an unquoted field; quote the whole field and write "" for the quote' };
          }
          at++;
        }
        field = text.slice(start, at);
      }
      fields.push(field);
      if (text[at] === ',') {
        at++;
        continue;
      }
      if (text[at] === '\r') at++;
      if (text[at] === '\n') {
        at++;
        line++;
      }
      break;
    }
    // A blank line is not a record.
    if (!(fields.length === 1 && fields[0] === '')) rows.push({ line: startLine, fields });
  }
  return { ok: true, rows };
}
