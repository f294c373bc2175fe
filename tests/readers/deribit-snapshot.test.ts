import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { InputError } from '../../lambda/errors';
import { fileInput, parseChains, parseChainText, readChainFile } from '../../lambda/readers/detect';
import type { ParseOptions } from '../../lambda/readers/common';
import { analyse } from '../../lambda/gamma/analyse';
import type { OptionChain } from '../../lambda/types';
import { fixturePath, mutationSubset, ROOT } from '../helpers';

/**
 * The Deribit snapshot CSV (docs/methodology.md §1, §2, §3): the bundled series, read directly
 * from its gzip files, against figures taken from the raw text here; and damaged copies, each refused in one
 * line naming the file, line, column and value.
 */

const SERIES = join(ROOT, 'samples', 'series', 'deribit');
const FILES = readdirSync(SERIES).sort();
const FIRST = join(SERIES, FILES[0]!);
/** The first snapshot, 2025-12-30 21:17:51 UTC, as text. */
const TEXT = gunzipSync(readFileSync(FIRST)).toString('utf8');
const HEADER = TEXT.slice(0, TEXT.indexOf('\n')).split(',');
const ROWS = TEXT.trim().split('\n').slice(1);
const col = (name: string) => HEADER.indexOf(name);

const parse = (text: string, opts: Partial<ParseOptions> = {}) =>
  parseChains(text, { origin: 'snap.csv', now: Date.UTC(2026, 5, 1), ...opts });

function refusal(text: string, opts: Partial<ParseOptions> = {}): string | undefined {
  try {
    parse(text, opts);
    return undefined;
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
}

/** The text with cell `name` set to `value` in the data rows (from 0; row i is line i + 2) `which` picks. */
function setCells(
  text: string,
  which: (row: number, cells: string[]) => boolean,
  name: string,
  value: string,
) {
  return text
    .split('\n')
    .map((line, i) => {
      const cells = line.split(',');
      if (i === 0 || cells.length < 2 || !which(i - 1, cells)) return line;
      cells[col(name)] = value;
      return cells.join(',');
    })
    .join('\n');
}
const setCell = (text: string, row: number, name: string, value: string) =>
  setCells(text, (i) => i === row, name, value);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

describe('the Deribit snapshot CSV, read from the bundled series', () => {
  let chains: OptionChain[];
  beforeAll(async () => {
    chains = await fileInput(FIRST, {}, () => new Date(Date.UTC(2026, 5, 1))).load();
  });

  it('gives one chain per currency, BTC then ETH, each with every row of its currency', () => {
    expect(chains.map((c) => c.symbol)).toEqual(['BTC', 'ETH']);
    for (const chain of chains) {
      const rows = ROWS.filter((r) => r.split(',')[col('currency')] === chain.symbol);
      expect(chain.contracts).toHaveLength(rows.length);
      expect(chain.source).toBe('deribit');
      expect(chain.venue).toBe('deribit');
    }
    expect(chains[0]!.contracts.length + chains[1]!.contracts.length).toBe(1304);
  });

  it('takes asOf from the timestamp and spot as the median index_price of the currency’s rows', () => {
    for (const chain of chains) {
      const rows = ROWS.map((r) => r.split(',')).filter((c) => c[col('currency')] === chain.symbol);
      expect(new Date(chain.asOf).toISOString()).toBe('2025-12-30T21:17:51.988Z');
      expect(chain.ageAsOf).toBe(chain.asOf);
      expect(chain.spot).toBe(median(rows.map((c) => Number(c[col('index_price')]))));
    }
    // The index moved within the snapshot: the median is not the first row's value.
    expect(chains[0]!.spot).toBe(88076.58499999999);
  });

  it('reads a row as §1 asks: strike and type from the name, expiry, open interest in coins, decimal IV, forward, quotes', () => {
    // Line 2: BTC-31DEC25-88000-P, futures 88071.17641100878, iv 0.3115, open interest 95.9, bid 0.0036, ask 0.0042.
    expect(chains[0]!.contracts[0]).toEqual({
      underlying: 'BTC',
      root: 'BTC',
      type: 'put',
      strike: 88000,
      expiry: Date.UTC(2025, 11, 31, 8),
      openInterest: 95.9,
      iv: 0.3115,
      multiplier: 1,
      forward: 88071.17641100878,
      bid: 0.0036,
      ask: 0.0042,
    });
  });

  it('analyses both chains of every one of the 42 files without a refusal', async () => {
    expect(FILES).toHaveLength(42);
    for (const name of mutationSubset(FILES, (f) => f)) {
      const read = await fileInput(join(SERIES, name), {}, () => new Date(Date.UTC(2026, 5, 1))).load();
      expect(read.map((c) => c.symbol)).toEqual(['BTC', 'ETH']);
      for (const chain of read) expect(analyse(chain).dataQuality.contractsUsed).toBeGreaterThan(500);
    }
  });
});

describe('cells of the snapshot CSV', () => {
  it('values a contract on `underlying` where futures_price is empty (the later files’ daily expiries)', () => {
    const [btc] = parse(setCell(TEXT, 0, 'futures_price', ''));
    expect(btc!.contracts[0]!.forward).toBe(Number(ROWS[0]!.split(',')[col('underlying')]));
    expect(btc!.contracts[0]!.forward).toBe(88071.17641100878);
  });

  it('leaves a contract without a forward when both are empty, for the filters to count as bad_price', () => {
    const [btc] = parse(setCell(setCell(TEXT, 0, 'futures_price', ''), 0, 'underlying', ''));
    expect(btc!.contracts[0]!.forward).toBeNaN();
  });

  it('reads an empty quote as missing (NaN)', () => {
    const [btc] = parse(setCell(setCell(TEXT, 0, 'bid_price', ''), 0, 'ask_price', ''));
    expect([btc!.contracts[0]!.bid, btc!.contracts[0]!.ask]).toEqual([NaN, NaN]);
  });

  it('finds the columns by name, in any order', () => {
    const lines = TEXT.trim().split('\n');
    const swapped = lines.map((l) => {
      const c = l.split(',');
      [c[0], c[col('currency')]] = [c[col('currency')]!, c[0]!];
      return c.join(',');
    });
    expect(parse(swapped.join('\n'))).toEqual(parse(TEXT));
  });
});

describe('a damaged snapshot CSV is refused whole, naming the file, line, column and value', () => {
  it('refuses a row whose currency is not its instrument’s', () => {
    expect(refusal(setCell(TEXT, 0, 'currency', 'ETH'))).toBe(
      'snap.csv: line 2, column 21 (currency): "ETH" disagrees with the instrument BTC-31DEC25-88000-P, a BTC option',
    );
  });

  it('refuses rows more than 15 minutes apart: two snapshots run together', () => {
    expect(refusal(setCell(TEXT, 9, 'timestamp', '2025-12-30T21:40:00+00:00'))).toBe(
      'snap.csv: the timestamps of line 2 (2025-12-30T21:17:51.988Z) and line 11 (2025-12-30T21:40:00.000Z) are 22 minutes apart, where the rows of one snapshot are at most 15 minutes apart',
    );
    // Ten minutes apart is one snapshot; asOf is the latest row, the age counts from the median row.
    const [btc] = parse(setCell(TEXT, 9, 'timestamp', '2025-12-30T21:27:51.988+00:00'));
    expect(new Date(btc!.asOf).toISOString()).toBe('2025-12-30T21:27:51.988Z');
    expect(new Date(btc!.ageAsOf!).toISOString()).toBe('2025-12-30T21:17:51.988Z');
  });

  it.each([
    ['timestamp', 'yesterday', 1, 'is not an ISO 8601 instant'],
    ['timestamp', '2025-12-30', 1, 'is not an ISO 8601 instant'],
    ['expiry_datetime', '2026-01-02T08:00:00+00:00', 7, 'is not the expiry date of BTC-31DEC25-88000-P'],
    ['expiry_datetime', '', 7, 'is not the expiry date of BTC-31DEC25-88000-P'],
    ['instrument_name', 'BTC-31DEC25-88000', 2, 'is not a Deribit option'],
  ])('refuses %s %j', (name, value, column, problem) => {
    expect(refusal(setCell(TEXT, 0, name, value))).toBe(
      `snap.csv: line 2, column ${column} (${name}): ${JSON.stringify(value)} ${problem}`,
    );
  });

  it.each([
    ['open_interest', '1,5', 'is not a plain number'],
    ['implied_volatility', 'NaN', 'is not a plain number'],
    ['index_price', '-88000', 'is not positive'],
    ['futures_price', '0', 'is not positive'],
    ['bid_price', '-0.1', 'is negative'],
  ])('refuses %s %j by the readers’ number rules', (name, value, problem) => {
    const message = refusal(setCell(TEXT, 0, name, value));
    // A value with a comma spills into the next cell: the row is one cell too long.
    if (value.includes(','))
      expect(message).toBe(
        'snap.csv: line 2 has 24 cells where the header has 23: a row cut short or run together (a file cut mid-row?)',
      );
    else
      expect(message).toBe(
        `snap.csv: line 2, column ${col(name) + 1} (${name}): ${JSON.stringify(value)} ${problem}`,
      );
  });

  it('refuses a file cut mid-row, a missing column, a repeated column and a repeated contract', () => {
    expect(refusal(TEXT.slice(0, TEXT.indexOf('\n', 5000) - 30))).toMatch(
      /^snap\.csv: line \d+ has \d+ cells where the header has 23: a row cut short/,
    );
    expect(refusal(TEXT.replace('expiry_datetime', 'expiry'))).toBe(
      'snap.csv: the header has no "expiry_datetime" column',
    );
    expect(refusal(TEXT.replace('volume_usd', 'currency'))).toBe(
      'snap.csv: the header has "currency" twice (columns 21 and 23)',
    );
    const lines = TEXT.split('\n');
    expect(refusal([...lines.slice(0, 3), lines[1], ...lines.slice(3)].join('\n'))).toBe(
      'snap.csv: the BTC put 88000 expiring 2025-12-31 appears twice (line 2 and line 4): its open interest would count twice',
    );
  });

  it('refuses a currency whose index is missing on every row, naming the currency', () => {
    const blank = setCells(TEXT, (_, cells) => cells[col('currency')] === 'ETH', 'index_price', '');
    expect(refusal(blank)).toBe(
      'snap.csv: the median index_price of the ETH rows (spot) is not a positive number (got NaN)',
    );
  });

  it('needs --as-of when no row has a timestamp, and --symbol cannot rename two chains', () => {
    const none = setCells(TEXT, () => true, 'timestamp', '');
    expect(refusal(none)).toBe(
      'snap.csv: no BTC row has a timestamp; pass --as-of with the snapshot instant',
    );
    const asOf = Date.UTC(2025, 11, 30, 21);
    expect(parse(none, { asOf }).map((c) => [c.asOf, c.ageAsOf])).toEqual([
      [asOf, asOf],
      [asOf, asOf],
    ]);
    expect(refusal(TEXT, { symbol: 'XBT' })).toBe(
      'snap.csv: the file holds BTC and ETH chains; --symbol names one chain and cannot rename both',
    );
    const btcOnly = [TEXT.slice(0, TEXT.indexOf('\n')), ...ROWS.filter((r) => r.includes(',BTC,'))].join(
      '\n',
    );
    expect(parse(btcOnly, { symbol: 'XBT' }).map((c) => c.symbol)).toEqual(['XBT']);
  });

  it('is one chain too many where one is expected (parseChainText)', () => {
    expect(() => parseChainText(TEXT, { origin: 'snap.csv', now: Date.UTC(2026, 5, 1) })).toThrow(
      'snap.csv: the file holds BTC and ETH chains, where one was expected',
    );
  });
});

describe('gzip files', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'gamma-gzip-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, body: Buffer | string) => {
    const path = join(dir, name);
    writeFileSync(path, body);
    return path;
  };

  it('are recognised by their first two bytes, not their name: .json.gz of another layout, and a gzip called .csv', async () => {
    const json = readFileSync(fixturePath('cboe_SPY_2025-06-06.json'));
    const zipped = write('spy.json.gz', gzipSync(json));
    expect(await readChainFile(zipped, 'spy.json.gz')).toBe(json.toString('utf8'));
    const misnamed = write('snap.csv', readFileSync(FIRST));
    expect(await readChainFile(misnamed, 'snap.csv')).toBe(TEXT);
    const plain = write('plain.csv.gz', TEXT);
    expect(await readChainFile(plain, 'plain.csv.gz')).toBe(TEXT);
  });

  it('refuse a gzip bomb before it fills the memory, and a file larger than any chain', async () => {
    // 128 KiB that inflate to 100 MiB of zeros; the bound here is 1 MiB to keep the test light.
    const bomb = write('bomb.csv.gz', gzipSync(Buffer.alloc(100 * 1024 * 1024)));
    await expect(readChainFile(bomb, 'bomb.csv.gz', 1024 * 1024)).rejects.toThrow(
      new InputError(
        'bomb.csv.gz: gzip that inflates to more than 1048576 bytes: more than any chain, refused unread',
      ),
    );
    const big = write('big.csv', Buffer.alloc(2 * 1024 * 1024, 0x20));
    await expect(readChainFile(big, 'big.csv', 1024 * 1024)).rejects.toThrow(
      'big.csv: 2097152 bytes, more than any chain (1048576 bytes at most)',
    );
  });

  it('refuse a damaged gzip, naming the file', async () => {
    const gz = readFileSync(FIRST);
    const cut = write('cut.csv.gz', gz.subarray(0, gz.length >> 1));
    const input = fileInput(cut);
    await expect(input.load()).rejects.toThrow(`${cut}: damaged gzip (unexpected end of file)`);
  });
});
