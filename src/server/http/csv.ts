// RFC 4180 CSV for results: CRLF line ends, fields quoted when they hold a comma, a quote or a line break.
import { RESULT_COLUMNS, type Result } from '../../protocol';

/** One field: strings as they are, absent values empty, anything else (numbers, booleans, lists, objects) as JSON. */
export function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const CSV_HEADER = `${RESULT_COLUMNS.join(',')}\r\n`;

export function csvRow(result: Result): string {
  let row = '';
  for (let i = 0; i < RESULT_COLUMNS.length; i++) {
    if (i > 0) row += ',';
    row += csvField(result[RESULT_COLUMNS[i]!]);
  }
  return `${row}\r\n`;
}
