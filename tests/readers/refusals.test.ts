import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../lambda/errors';
import { looksLikeCboeCsv, parseCboeCsv } from '../../lambda/readers/cboe-csv';
import { parseChainText, fileInput } from '../../lambda/readers/detect';
import type { ParseOptions } from '../../lambda/readers/common';
import { readFixture } from '../helpers';
import { controlCharacters } from '../reliability/printable';

/**
 * When a chain is refused whole (docs/methodology.md §3), each case made from a damaged copy of a real
 * recorded chain: the error is one InputError line naming the file, the line and column where there is one,
 * and the value as written.
 */

const SPX = readFixture('cboe_SPX_2023-09-14.csv');
const SPY = readFixture('cboe_SPY_2025-06-06.json');
const BTC_CSV = readFixture('deribit_BTC_2024-03-12.csv');
const BTC_JSON = readFixture('deribit_BTC_2026-03-13.json');

const read = (text: string, origin: string, opts: Partial<ParseOptions> = {}) =>
  parseChainText(text, { origin, ...opts });
/** The error a reading ends in, or null when it reads. */
function refusal(text: string, origin: string, opts: Partial<ParseOptions> = {}): InputError | null {
  try {
    read(text, origin, opts);
    return null;
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
}
const message = (text: string, origin: string, opts: Partial<ParseOptions> = {}) =>
  refusal(text, origin, opts)?.message;

/** The text with one line (numbered from 1) rewritten. */
function editLine(text: string, line: number, edit: (line: string) => string): string {
  const lines = text.split('\n');
  lines[line - 1] = edit(lines[line - 1]!);
  return lines.join('\n');
}
/** The text with one cell (columns from 1) of one line replaced. */
function setCell(text: string, line: number, column: number, value: string): string {
  return editLine(text, line, (l) => {
    const cells = l.split(',');
    cells[column - 1] = value;
    return cells.join(',');
  });
}
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

/** SPXW 2023-09-15 4500: the call's IV, Gamma and Open Interest are columns 8, 10 and 11; the put's 19, 21, 22. */
const ROW = lineOf(SPX, 'SPXW230915C04500000');
/** BTC-29MAR24-70000-C in the Deribit CSV; mark_iv is column 9, open_interest column 13. */
const BTC_ROW = lineOf(BTC_CSV, 'BTC-29MAR24-70000-C');

describe('a cell that is present must be a plain number', () => {
  it.each(['NaN', 'Infinity', '-Infinity', '0x10', '0b1', '12abc', '1.2.3', '--1', '1e', 'n/a'])(
    'refuses open interest %j in a Cboe CSV, naming the file, line, column and value',
    (value) => {
      expect(message(setCell(SPX, ROW, 11, value), 'spx.csv')).toBe(
        `spx.csv: line ${ROW}, column 11 (Open Interest): ${JSON.stringify(value)} is not a plain number`,
      );
    },
  );

  it('refuses a thousands separator in a quoted cell ("1,234"), read by the general CSV parser', () => {
    expect(message(setCell(SPX, ROW, 22, '"1,234"'), 'spx.csv')).toBe(
      `spx.csv: line ${ROW}, column 22 (Open Interest): "1,234" is not a plain number`,
    );
  });

  it('refuses an unquoted thousands separator as a row with a cell too many', () => {
    expect(message(setCell(SPX, ROW, 11, '1,234'), 'spx.csv')).toBe(
      `spx.csv: line ${ROW} has 23 cells where the header has 22: a row cut short or run together (a file cut mid-row?)`,
    );
  });

  it('names 1e999 as written, not as the Infinity it reads as', () => {
    expect(message(setCell(SPX, ROW, 8, '1e999'), 'spx.csv')).toBe(
      `spx.csv: line ${ROW}, column 8 (IV): "1e999" is beyond any number`,
    );
    const json = SPY.replace('"iv":0.1276,"open_interest":102061', '"iv":1e999,"open_interest":102061');
    expect(message(json, 'spy.json')).toBe(
      'spy.json: not a valid Cboe delayed-quotes response: data.options[2446].iv is 1e999: Invalid input: expected number, received Infinity',
    );
  });

  it('refuses a negative count or volatility, as the JSON schemas do', () => {
    expect(message(setCell(SPX, ROW, 11, '-5'), 'spx.csv')).toBe(
      `spx.csv: line ${ROW}, column 11 (Open Interest): "-5" is negative`,
    );
    expect(message(setCell(BTC_CSV, BTC_ROW, 9, '-40'), 'btc.csv')).toBe(
      `btc.csv: line ${BTC_ROW}, column 9 (mark_iv): "-40" is negative`,
    );
  });

  it('refuses a Deribit CSV cell the same way', () => {
    expect(message(setCell(BTC_CSV, BTC_ROW, 13, '1,235.0'), 'btc.csv')).toMatch(/has 21 cells/);
    expect(message(setCell(BTC_CSV, BTC_ROW, 9, 'NaN'), 'btc.csv')).toBe(
      `btc.csv: line ${BTC_ROW}, column 9 (mark_iv): "NaN" is not a plain number`,
    );
  });

  it('reads an empty cell as missing, for the filters to count, and nothing else changes', () => {
    const plain = read(SPX, 'spx.csv').contracts;
    const emptied = read(setCell(SPX, ROW, 11, ''), 'spx.csv').contracts;
    const index = plain.findIndex(
      (c) =>
        c.root === 'SPXW' && c.strike === 4500 && c.type === 'call' && c.expiry === Date.UTC(2023, 8, 15, 20),
    );
    expect(plain[index]!.openInterest).toBe(9955);
    expect(emptied[index]!.openInterest).toBeNaN();
    expect(emptied.filter((_, i) => i !== index)).toEqual(plain.filter((_, i) => i !== index));
  });

  it('ignores a cell it does not read (Delta), whatever it holds', () => {
    expect(read(setCell(SPX, ROW, 9, 'n/a'), 'spx.csv').contracts).toEqual(read(SPX, 'spx.csv').contracts);
  });

  it('reads Bid and Ask strictly: they check the spot against the chain (docs/methodology.md §3)', () => {
    expect(() => read(setCell(SPX, ROW, 5, 'n/a'), 'spx.csv')).toThrow(
      new InputError('spx.csv: line 648, column 5 (Bid): "n/a" is not a plain number'),
    );
    expect(() => read(setCell(SPX, ROW, 17, '-0.05'), 'spx.csv')).toThrow(
      /column 17 \(Ask\): "-0.05" is negative/,
    );
  });
});

describe('a row with fewer cells than the header (a file cut mid-row)', () => {
  /** The file cut after `bytes`, and the line and cell count of its last, partial row. */
  function cut(text: string, bytes: number) {
    const head = text.slice(0, bytes);
    const lines = head.split('\n');
    return { head, line: lines.length, cells: lines.at(-1)!.split(',').length };
  }

  it('refuses the SPX download cut at 700,000 bytes (once +$22.2bn published as complete)', () => {
    const { head, line, cells } = cut(SPX, 700_000);
    expect(cells).toBeLessThan(22);
    expect(message(head, 'spx.csv')).toBe(
      `spx.csv: line ${line} has ${cells} cells where the header has 22: a row cut short or run together (a file cut mid-row?)`,
    );
  });

  it('refuses a Deribit CSV cut mid-row', () => {
    const { head, line, cells } = cut(BTC_CSV, 100_000);
    expect(cells).toBeLessThan(20);
    expect(message(head, 'btc.csv')).toMatch(
      new RegExp(`^btc\\.csv: line ${line} has ${cells} cells where the header has 20`),
    );
  });

  it('refuses a row missing one cell inside a quoted table too', () => {
    const damaged = editLine(setCell(SPX, ROW, 22, '"9955"'), ROW + 1, (l) =>
      l.split(',').slice(1).join(','),
    );
    expect(message(damaged, 'spx.csv')).toBe(
      `spx.csv: line ${ROW + 1} has 21 cells where the header has 22: a row cut short or run together (a file cut mid-row?)`,
    );
  });
});

describe('the Cboe CSV header and the lines before it', () => {
  const HEADER = lineOf(SPX, 'Expiration Date,Calls');

  it('finds the header among the first 40 lines and no further', () => {
    expect(HEADER).toBe(4);
    expect(read('\n'.repeat(36) + SPX, 'spx.csv').contracts).toHaveLength(19920);
    expect(message('\n'.repeat(37) + SPX, 'spx.csv')).toBe(
      'spx.csv: unknown format: expected a Cboe delayed-quotes JSON, a Cboe "Download CSV", a Deribit book summary or snapshot (JSON or CSV), Bybit option tickers, OKX or Binance option answers (JSON)',
    );
    expect(looksLikeCboeCsv(BTC_CSV)).toBe(false);
    expect(() =>
      parseCboeCsv('Standard & Poors 500 Index,Last: 4505.1\n1,2\n', { origin: 'spx.csv' }),
    ).toThrow(new InputError('spx.csv: no "Expiration Date,Calls,..." header line'));
  });

  it('refuses a side without one of the columns it reads, even when the other side has it', () => {
    const noPutGamma = editLine(SPX, HEADER, (l) => l.replace(/Gamma,Open Interest$/, 'Theta,Open Interest'));
    expect(message(noPutGamma, 'spx.csv')).toBe('spx.csv: the header has no "Gamma" column for puts');
    const noCallIv = editLine(SPX, HEADER, (l) => l.replace('Volume,IV,', 'Volume,Vol,'));
    expect(message(noCallIv, 'spx.csv')).toBe('spx.csv: the header has no "IV" column for calls');
  });

  it('refuses a header naming a side twice, or with no Strike column to end the call side', () => {
    const twice = editLine(SPX, HEADER, (l) => l.replace('Puts', 'Calls'));
    expect(message(twice, 'spx.csv')).toBe('spx.csv: the header has "Calls" twice');
    const noStrike = editLine(SPX, HEADER, (l) => l.replace('Strike', 'Strikes'));
    expect(message(noStrike, 'spx.csv')).toBe(
      'spx.csv: the header has "IV" twice for calls (columns 8 and 19)',
    );
  });

  it('reads a row with one side blank as the other side alone', () => {
    const original = read(SPX, 'spx.csv').contracts;
    // The call of the row: SPXW 4500 expiring on 2023-09-15 (20:00 UTC is 16:00 New York).
    const call = original.filter(
      (c) =>
        c.root === 'SPXW' && c.strike === 4500 && c.type === 'call' && c.expiry === Date.UTC(2023, 8, 15, 20),
    );
    expect(call).toHaveLength(1);
    for (const blank of ['', '  ']) {
      expect(read(setCell(SPX, ROW, 2, blank), 'spx.csv').contracts).toEqual(
        original.filter((c) => c !== call[0]),
      );
    }
  });

  it('reads the spot with spaces around it, and refuses a file without a "Last:" spot or with a negative IV', () => {
    const spaced = editLine(SPX, 2, (l) => l.replace('Last: 4505.1001,', 'Last:  4505.1001  ,'));
    expect(read(spaced, 'spx.csv').spot).toBe(4505.1001);
    expect(
      message(
        editLine(SPX, 2, (l) => l.replace('Last:', 'Final:')),
        'spx.csv',
      ),
    ).toBe('spx.csv: the "Last:" value (spot) before the header is not a positive number (got NaN)');
    expect(message(setCell(SPX, ROW, 8, '-0.2'), 'spx.csv')).toBe(
      `spx.csv: line ${ROW}, column 8 (IV): "-0.2" is negative`,
    );
  });
});

describe('a duplicated header column', () => {
  it('refuses a Cboe CSV whose call side names Gamma twice, rather than pick one', () => {
    const damaged = editLine(SPX, 4, (l) => l.replace('Delta,Gamma', 'Gamma,Gamma'));
    expect(message(damaged, 'spx.csv')).toBe(
      'spx.csv: the header has "Gamma" twice for calls (columns 9 and 10)',
    );
  });

  it('refuses a Deribit CSV naming mark_iv twice (the last one used to win silently)', () => {
    const damaged = editLine(BTC_CSV, 1, (l) => l.replace('mark_iv,volume', 'mark_iv,mark_iv'));
    expect(message(damaged, 'btc.csv')).toBe('btc.csv: the header has "mark_iv" twice (columns 9 and 10)');
  });
});

describe('two contracts with the same key (root, expiry, strike, type)', () => {
  it('refuses the SPX download with its rows repeated (once counted exactly double)', () => {
    const lines = SPX.trimEnd().split('\n');
    const doubled = [...lines, ...lines.slice(4)].join('\n');
    expect(message(doubled, 'spx.csv')).toBe(
      `spx.csv: the SPXW call 1200 expiring 2023-09-14 appears twice (line 5 and line ${lines.length + 1}): its open interest would count twice`,
    );
  });

  it('refuses a Cboe JSON option listed twice', () => {
    const doc = JSON.parse(SPY) as { data: { options: unknown[] } };
    doc.data.options.push(doc.data.options[2446]);
    expect(message(JSON.stringify(doc), 'spy.json')).toBe(
      'spy.json: the SPY call 600 expiring 2025-06-20 appears twice (data.options[2446] and data.options[9072]): its open interest would count twice',
    );
  });

  it('refuses a Deribit row listed twice, in JSON and in CSV', () => {
    const doc = JSON.parse(BTC_JSON) as { result: unknown[] };
    doc.result.push(doc.result[0]);
    expect(message(JSON.stringify(doc), 'btc.json')).toBe(
      'btc.json: the BTC call 100000 expiring 2026-12-25 appears twice (result[0] and result[964]): its open interest would count twice',
    );
    const lines = BTC_CSV.trimEnd().split('\n');
    const csv = [...lines, lines[BTC_ROW - 1]].join('\n');
    expect(message(csv, 'btc.csv')).toBe(
      `btc.csv: the BTC call 70000 expiring 2024-03-29 appears twice (line ${BTC_ROW} and line ${lines.length + 1}): its open interest would count twice`,
    );
  });
});

describe('a snapshot outside any market: before 2000, or more than a day after the run', () => {
  const SPX_AS_OF = Date.parse('2023-09-14T20:31:00Z');
  const HOUR = 3600_000;

  it('refuses a CSV Date line of 1990', () => {
    const damaged = editLine(SPX, 3, () => '"Date: January 5, 1990 at 4:00 PM EST",Bid: 4483.25');
    expect(message(damaged, 'spx.csv')).toBe(
      'spx.csv: line 3, "Date: January 5, 1990 at 4:00 PM EST" is 1990-01-05T21:00:00.000Z, before 2000-01-01; pass --as-of with the snapshot instant',
    );
  });

  it('refuses --as-of 0001-01-01 for every format', () => {
    const ancient = new Date('0001-01-01T00:00:00Z').getTime();
    for (const [text, origin] of [
      [SPX, 'spx.csv'],
      [SPY, 'spy.json'],
      [BTC_JSON, 'btc.json'],
    ] as const) {
      expect(message(text, origin, { asOf: ancient })).toBe(
        `${origin}: --as-of is 0001-01-01T00:00:00.000Z, before 2000-01-01`,
      );
    }
  });

  it('accepts a snapshot up to a day after the moment of the run, and refuses one beyond', () => {
    expect(read(SPX, 'spx.csv', { now: SPX_AS_OF - 23 * HOUR }).asOf).toBe(SPX_AS_OF);
    expect(message(SPX, 'spx.csv', { now: SPX_AS_OF - 25 * HOUR })).toBe(
      'spx.csv: line 3, "Date: September 14, 2023 at 4:31 PM EDT" is 2023-09-14T20:31:00.000Z, more than a day after this run (2023-09-13T19:31:00.000Z): a corrupt timestamp or a wrong clock; pass --as-of with the snapshot instant',
    );
  });

  it('refuses a Cboe JSON timestamp of 1999 and Deribit creation times of 1998', () => {
    const spy = SPY.replace('"timestamp":"2025-06-08 12:49:38"', '"timestamp":"1999-12-31 23:59:59"');
    expect(message(spy, 'spy.json')).toMatch(
      /^spy\.json: "timestamp" is 1999-12-31T23:59:59\.000Z, before 2000-01-01/,
    );
    const btc = BTC_JSON.replace(/"creation_timestamp":\d+/g, '"creation_timestamp":900000000000');
    expect(message(btc, 'btc.json')).toMatch(
      /^btc\.json: the latest creation_timestamp is 1998-07-09T16:00:00\.000Z, before 2000-01-01/,
    );
  });
});

describe('the chain as a whole', () => {
  it('names an --as-of that is no instant at all, or far beyond what a date can hold, as written', () => {
    expect(message(SPX, 'spx.csv', { asOf: NaN })).toBe('spx.csv: --as-of is NaN, before 2000-01-01');
    expect(message(SPX, 'spx.csv', { asOf: 1e20, now: Date.UTC(2026, 0, 1) })).toBe(
      'spx.csv: --as-of is 100000000000000000000, more than a day after this run (2026-01-01T00:00:00.000Z): a corrupt timestamp or a wrong clock',
    );
  });

  it('refuses a live answer for another underlying than the one asked, and names the chain as asked', () => {
    expect(read(SPY, 'https://x/QQQ.json', { asked: 'SPY' }).symbol).toBe('SPY');
    expect(message(SPY, 'https://x/QQQ.json', { asked: 'QQQ' })).toBe(
      'https://x/QQQ.json: the answer is a chain of SPY, not of QQQ as asked: refused, so that it is never published as QQQ',
    );
    // Two underlyings in one answer, one of them the one asked: still refused.
    const mixed = SPY.replace('"option":"SPY250609C00400000"', '"option":"ZZZ250609C00400000"');
    expect(message(mixed, 'https://x/SPY.json', { asked: 'SPY' })).toBe(
      'https://x/SPY.json: the answer is a chain of SPY, ZZZ, not of SPY as asked: refused, so that it is never published as SPY',
    );
  });

  it('refuses a CSV with a header and no rows, and JSON that does not parse, naming the file', () => {
    const header = SPX.split('\n').slice(0, 4).join('\n');
    expect(message(header, 'spx.csv')).toBe('spx.csv: the chain has no option contracts');
    expect(message('{"data": {"options": [', 'spy.json')).toMatch(/^spy\.json: invalid JSON \(.+\)$/);
  });
});

describe('the spot on the Last: line', () => {
  it('reads 4.5051e3 as the plain number it is, 4505.1, never 4.5051', () => {
    const damaged = editLine(SPX, 2, (l) => l.replace('Last: 4505.1001', 'Last: 4.5051e3'));
    expect(read(damaged, 'spx.csv').spot).toBe(4505.1);
  });

  it.each(['4.505,10', '4,505.10'])('refuses %s, whose comma is not a plain number', (value) => {
    const damaged = editLine(SPX, 2, (l) => l.replace('Last: 4505.1001', `Last: ${value}`));
    expect(message(damaged, 'spx.csv')).toBe(
      `spx.csv: line 2, "Last: ${value}": the spot is not a plain number`,
    );
  });
});

describe('the 250,000-contract cap, counted while reading', () => {
  const head = SPX.split('\n').slice(0, 4).join('\n');
  /** A Cboe row of the 2023-09-15 weekly series at a strike unique to `i`. */
  const row = (i: number) => {
    const strike = String(i).padStart(8, '0');
    return `Fri Sep 15 2023,SPXW230915C${strike},0,0,1,2,0,0.2,0.5,0.001,10,${i / 1000},SPXW230915P${strike},0,0,1,2,0,0.2,-0.5,0.001,10`;
  };

  it('stops at the row holding contract 250,001, never reading the rows after it', () => {
    const rows = Array.from({ length: 125_001 }, (_, i) => row(i + 1));
    // A broken row after the limit: a reader that parsed everything before counting would report it.
    const text = [head, ...rows, 'Fri Sep 15 2023,SPXW', ...rows.slice(0, 10)].join('\n');
    expect(message(text, 'big.csv')).toBe(
      `big.csv: line ${4 + 125_001}: more than 250000 contracts: not a real chain`,
    );
  });

  it('stops at row 250,001 even when rows hold no contract', () => {
    const empty = 'Fri Sep 15 2023,,0,0,1,2,0,0.2,0.5,0.001,10,1,,0,0,1,2,0,0.2,-0.5,0.001,10';
    const text = [head, ...Array<string>(250_001).fill(empty), 'x'].join('\n');
    expect(message(text, 'empty.csv')).toBe(
      `empty.csv: line ${4 + 250_001}: more than 250000 rows: not a real chain`,
    );
  });
});

describe('one underlying per chain', () => {
  it('refuses a chain holding two underlyings, naming both', () => {
    const doc = JSON.parse(SPY) as { data: { options: { option: string }[] } };
    doc.data.options.push({ ...doc.data.options[2446]!, option: 'QQQ250620C00600000' });
    expect(message(JSON.stringify(doc), 'spy.json')).toBe(
      'spy.json: the chain holds several underlyings (QQQ, SPY); pass --symbol to name one',
    );
  });

  it('refuses a Deribit row whose base_currency is not its instrument base', () => {
    const doc = JSON.parse(BTC_JSON) as { result: { base_currency: string }[] };
    doc.result[3]!.base_currency = 'ETH';
    expect(message(JSON.stringify(doc), 'btc.json')).toMatch(
      /^btc\.json: result\[3\]: base_currency "ETH" does not match the instrument "BTC-/,
    );
  });

  it('refuses an underlying from the data that could not name a folder or URL', () => {
    const doc = JSON.parse(SPY) as { data: { options: { option: string }[] } };
    for (const o of doc.data.options) o.option = o.option.replace(/^SPY/, '..');
    expect(message(JSON.stringify(doc), 'spy.json')).toBe(
      'spy.json: the underlying ".." is not a ticker symbol; pass --symbol to name it',
    );
    expect(read(JSON.stringify(doc), 'spy.json', { symbol: 'SPY' }).symbol).toBe('SPY');
  });
});

describe('text from the input is printed on one line', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'gamma-names-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('escapes a newline and an ANSI escape in a file name, for a bad file and a missing one', async () => {
    const path = join(dir, 'evil\u001b[31m\nSPY (cboe, stage fetch): failed.csv');
    writeFileSync(path, 'not a chain\n');
    const input = fileInput(path);
    expect(input.label).toBe(path.replace('\u001b', '\\u001b').replace('\n', '\\n'));
    const bad = await input.load().catch((e: Error) => e);
    const missing = await fileInput(`${path}.gone`)
      .load()
      .catch((e: Error) => e);
    for (const error of [bad, missing] as Error[]) {
      expect(controlCharacters(error.message)).toEqual([]);
      expect(error.message).toContain('evil\\u001b[31m\\nSPY (cboe');
    }
  });

  it('escapes C1 controls and line separators quoted from a cell, which JSON.stringify leaves raw', () => {
    const error = refusal(setCell(SPX, ROW, 2, 'SPXW\u2028\u009b31m'), 'spx.csv');
    expect(error?.message).toBe(
      `spx.csv: line ${ROW}, column 2: "SPXW\\u2028\\u009b31m" is not an OSI option symbol`,
    );
  });
});
