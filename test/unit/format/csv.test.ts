import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from '../../../src/format/csv';

const rows = (text: string) => {
  const result = parseCsv(text);
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result.rows;
};

describe('parseCsv (RFC 4180)', () => {
  test('splits fields at commas and records at line ends', () => {
    assert.deepEqual(rows('a,b,c\n1,2,3\n'), [
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', '2', '3'] },
    ]);
  });

  test('accepts CRLF line ends and a missing final line end', () => {
    assert.deepEqual(
      rows('a,b\r\n1,2\r\n3,4').map((row) => row.fields),
      [
        ['a', 'b'],
        ['1', '2'],
        ['3', '4'],
      ],
    );
  });

  test('reads quoted fields with commas, escaped quotes and line breaks', () => {
    const parsed = rows('name,note\n"Smith, J.","said ""hi"""\n"multi\nline",x\nlast,"a\r\nb"\n');
    assert.deepEqual(
      parsed.map((row) => row.fields),
      [
        ['name', 'note'],
        ['Smith, J.', 'said "hi"'],
        ['multi\nline', 'x'],
        ['last', 'a\r\nb'],
      ],
    );
    assert.deepEqual(
      parsed.map((row) => row.line),
      [1, 2, 3, 5],
    );
  });

  test('keeps empty fields and skips blank lines; ignores a byte order mark', () => {
    assert.deepEqual(
      rows('\uFEFFa,b,c\n,,\n\n1,,3\n').map((row) => row.fields),
      [
        ['a', 'b', 'c'],
        ['', '', ''],
        ['1', '', '3'],
      ],
    );
  });

  test('reports an unclosed quote at the line it opens', () => {
    assert.deepEqual(parseCsv('a,b\n1,2\n"open,3\n4,5\n'), {
      ok: false,
      line: 3,
      message: 'a quoted field is never closed: add the closing "',
    });
  });

  test('reports text after a closing quote and quotes inside bare fields', () => {
    const after = parseCsv('a\n"x"y\n');
    assert.ok(!after.ok && after.line === 2 && /after a closing quote/.test(after.message));
    const inside = parseCsv('a\nx"y\n');
    assert.ok(!inside.ok && inside.line === 2 && /quote inside an unquoted field/.test(inside.message));
  });
});
