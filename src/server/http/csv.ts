// RFC 4180 CSV for results: CRLF line ends, fields quoted when they hold a comma, a quote or a line break.
import { EVAL_RESULT_COLUMNS, RESULT_COLUMNS, type Result } from '../../api';

/** One field: strings as they are, absent values empty, anything else (numbers, booleans, lists, objects) as JSON. */
export function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** How a job's results are written as CSV: the header line, and one line per result. */
export interface ResultCsv {
  header: string;
  row: (result: Result) => string;
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

/**
 * An eval's CSV: the result columns, the sample's (EVAL_RESULT_COLUMNS), each scorer's value as `score.<name>`
 * (easy to average in a spreadsheet), then all of `scores` as JSON (answers and explanations too).
 */
export function evalCsv(scorers: readonly string[]): ResultCsv {
  const header = [...RESULT_COLUMNS, ...EVAL_RESULT_COLUMNS, ...scorers.map((name) => `score.${name}`), 'scores'].map(csvField).join(',');
  return {
    header: `${header}\r\n`,
    row: (result) => {
      let row = csvRow(result).slice(0, -2);
      row += `,${csvField(result.sample_id)},${csvField(result.epoch)},${csvField(result.input)},${csvField(result.target)},${csvField(result.raw)}`;
      for (const name of scorers) row += `,${csvField(result.scores?.[name]?.value)}`;
      return `${row},${csvField(result.scores)}\r\n`;
    },
  };
}
