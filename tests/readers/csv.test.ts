import { csvTable, plainNumber, type NumberRule } from '../../lambda/readers/csv';

/** Every row of a table as its cells, and each cell read as a number under `rule` (the error text if refused). */
function rows(text: string, rule: NumberRule = 'any') {
  const table = csvTable(text, 0, 1, 't.csv');
  const out: { line: number; cells: string[]; numbers: (number | string)[] }[] = [];
  table.forEachRow((row) => {
    const cells = table.header.map((_, i) => row.cell(i));
    const numbers = table.header.map((_, i) => {
      try {
        return row.number(i, rule);
      } catch (e) {
        return (e as Error).message;
      }
    });
    out.push({ line: row.line, cells, numbers });
  });
  return { header: table.header, rows: out };
}

describe('the CSV table under the readers', () => {
  // The quote-free layout is split at commas; any quote sends the table through csv-parse. Both must agree.
  const both = (text: string) => [text, text.replace('a', '"a"')];

  it('reads CRLF line ends, skips empty lines and keeps each row’s own line number', () => {
    for (const text of both('a,b\r\n1,2\r\n\r\n3,4\r\n')) {
      expect(rows(text)).toEqual({
        header: ['a', 'b'],
        rows: [
          { line: 2, cells: ['1', '2'], numbers: [1, 2] },
          { line: 4, cells: ['3', '4'], numbers: [3, 4] },
        ],
      });
    }
    expect(rows('a,b\n1,2\n\n3,4').rows.map((r) => r.line)).toEqual([2, 4]);
  });

  it('trims the header, and reads an empty or blank cell as missing (NaN)', () => {
    for (const text of [' a , b \n1,\n,  \n', '"a ", b \n1,\n,  \n']) {
      const table = rows(text);
      expect(table.header).toEqual(['a', 'b']);
      expect(table.rows.map((r) => r.numbers)).toEqual([
        [1, NaN],
        [NaN, NaN],
      ]);
    }
  });

  it('holds each cell to its rule, naming the file, line, column, header and value', () => {
    const text = 'a,b,c\n-1,0,2\n';
    expect(rows(text, 'any').rows[0]!.numbers).toEqual([-1, 0, 2]);
    expect(rows(text, 'nonNegative').rows[0]!.numbers).toEqual([
      't.csv: line 2, column 1 (a): "-1" is negative',
      0,
      2,
    ]);
    expect(rows(text, 'positive').rows[0]!.numbers).toEqual([
      't.csv: line 2, column 1 (a): "-1" is not positive',
      't.csv: line 2, column 2 (b): "0" is not positive',
      2,
    ]);
  });

  it('refuses a row of another width in the quoted layout too, naming the line and both widths', () => {
    expect(() => rows('"a","b"\n1,2\n1,2,3\n')).toThrow(
      't.csv: line 3 has 3 cells where the header has 2: a row cut short or run together (a file cut mid-row?)',
    );
  });
});

describe('a plain number', () => {
  it.each([
    ['.5', 0.5],
    ['.25', 0.25],
    ['-.25', -0.25],
    ['1e-3', 0.001],
    ['1E+2', 100],
    [' 7 ', 7],
    ['3.', 3],
  ])('reads %j as %d', (text, value) => {
    expect(plainNumber(text)).toBe(value);
  });

  it.each(['.', '.e1', '1e', '1,5', '0x1', 'e5', '.a'])('refuses %j', (text) => {
    expect(plainNumber(text)).toBeNull();
  });
});
