import { parseCboeDate } from '../../lambda/readers/cboe-date';
import { looksLikeCboeJson, parseCboeJson } from '../../lambda/readers/cboe-json';
import { parseChainText } from '../../lambda/readers/detect';
import { InputError } from '../../lambda/errors';
import { MAX_CONTRACTS } from '../../lambda/readers/common';
import type { OptionChain } from '../../lambda/types';
import { dateInZone } from '../../lambda/venues';
import { Settings } from 'luxon';
import { loadFixture, mutationSubset, readFixture } from '../helpers';

/**
 * Every recorded chain against its row in SOURCES.md (contracts, expiry dates, spot) and its snapshot
 * line read by hand (the Cboe CSV `Date:` line in its zone, the Cboe JSON `timestamp` in UTC, the
 * Deribit largest `creation_timestamp`).
 */
const RECORDED = [
  ['cboe_SPX_2023-09-14.csv', 'SPX', 'cboe-csv', '2023-09-14T20:31:00.000Z', 4505.1001, 19920, 53],
  ['cboe_SPX_2022-12-12.csv', 'SPX', 'cboe-csv', '2022-12-13T01:30:00.000Z', 3990.5601, 19156, 51],
  ['cboe_SPX_2023-05-19.csv', 'SPX', 'cboe-csv', '2023-05-20T15:33:00.000Z', 4191.98, 17926, 49],
  ['cboe_SPX_2023-05-23.csv', 'SPX', 'cboe-csv', '2023-05-23T23:39:00.000Z', 4145.5801, 17340, 49],
  ['cboe_SPX_2023-05-26.csv', 'SPX', 'cboe-csv', '2023-05-26T21:01:00.000Z', 4205.4502, 17354, 48],
  ['cboe_SPX_2023-06-08.csv', 'SPX', 'cboe-csv', '2023-06-08T23:56:00.000Z', 4293.9302, 17958, 49],
  ['cboe_SPX_2023-06-09_intraday.csv', 'SPX', 'cboe-csv', '2023-06-09T17:40:00.000Z', 4300.0098, 17788, 49],
  ['cboe_NDX_2022-12-12.csv', 'NDX', 'cboe-csv', '2022-12-13T01:31:00.000Z', 11706.4395, 19118, 41],
  ['cboe_RUT_2022-12-12.csv', 'RUT', 'cboe-csv', '2022-12-13T01:30:00.000Z', 1817.4937, 7334, 26],
  ['cboe_SPY_2025-06-06.json', 'SPY', 'cboe', '2025-06-08T12:49:38.000Z', 599.14, 9072, 32],
  ['cboe_QQQ_2025-06-06.json', 'QQQ', 'cboe', '2025-06-07T23:42:30.000Z', 530.79, 8096, 32],
  ['cboe_IWM_2025-06-06.json', 'IWM', 'cboe', '2025-06-08T11:28:23.000Z', 211.9, 4314, 31],
  ['cboe_RUT_2023-09-20.json', 'RUT', 'cboe', '2023-09-21T03:17:42.000Z', 1806.1193, 6680, 26],
  ['cboe_RUT_2025-06-24.json', 'RUT', 'cboe', '2025-06-25T03:44:37.000Z', 2161.2124, 7812, 31],
  ['deribit_BTC_2026-03-13.json', 'BTC', 'deribit', null, 71048.7, 964, 12],
  ['deribit_BTC_2024-03-12.csv', 'BTC', 'deribit', null, 72011.29, 1198, 12],
  ['deribit_ETH_2025-11-22.csv', 'ETH', 'deribit', null, 2758.38, 830, 11],
] as const;

/** The largest creation_timestamp, read from the raw file without the product's parser. */
function latestCreation(name: string): string {
  const text = readFixture(name);
  const stamps = name.endsWith('.json')
    ? (JSON.parse(text) as { result: { creation_timestamp: number }[] }).result.map(
        (r) => r.creation_timestamp,
      )
    : (() => {
        const [header, ...rows] = text.trim().split('\n');
        const col = (header as string).split(',').indexOf('creation_timestamp');
        return rows.map((r) => Number(r.split(',')[col]));
      })();
  return new Date(Math.max(...stamps)).toISOString();
}

describe.each(mutationSubset(RECORDED, ([name]) => name))(
  '%s',
  (name, symbol, source, asOf, spot, contracts, expiryDates) => {
    // Read in a hook, not while jest collects the tests: a reader that throws then fails these tests.
    let chain: OptionChain;
    beforeAll(() => {
      chain = loadFixture(name);
    });

    it('reads the underlying, source, snapshot and spot from the data', () => {
      expect(chain.symbol).toBe(symbol);
      expect(chain.source).toBe(source);
      expect(new Date(chain.asOf).toISOString()).toBe(asOf ?? latestCreation(name));
      expect(chain.spot).toBe(spot);
    });

    it('reads every contract and expiry date', () => {
      expect(chain.contracts).toHaveLength(contracts);
      const zone = chain.venue === 'cboe' ? 'America/New_York' : 'UTC';
      expect(new Set(chain.contracts.map((c) => dateInZone(c.expiry, zone))).size).toBe(expiryDates);
      expect(chain.contracts.filter((c) => c.type === 'call').length).toBeGreaterThan(contracts / 3);
      expect(chain.contracts.filter((c) => c.type === 'put').length).toBeGreaterThan(contracts / 3);
    });

    it('names every contract with the chain underlying and keeps strikes, expiries and multipliers sane', () => {
      const multiplier = chain.venue === 'cboe' ? 100 : 1;
      const odd = chain.contracts.filter(
        (c) =>
          c.underlying !== symbol ||
          c.multiplier !== multiplier ||
          !(c.strike > 0) ||
          !Number.isFinite(c.expiry),
      );
      expect(odd).toEqual([]);
    });
  },
);

describe('expiry instants', () => {
  let spx: OptionChain;
  beforeAll(() => {
    spx = loadFixture('cboe_SPX_2022-12-12.csv');
  });
  const find = (root: string, date: string, type: 'call' | 'put' = 'call') =>
    spx.contracts.find(
      (c) => c.root === root && c.type === type && dateInZone(c.expiry, 'America/New_York') === date,
    );

  it('settles SPX (AM) at 09:30 New York and SPXW (PM) at 16:00 New York on the same date', () => {
    expect(new Date(find('SPX', '2022-12-16')!.expiry).toISOString()).toBe('2022-12-16T14:30:00.000Z');
    expect(new Date(find('SPXW', '2022-12-16')!.expiry).toISOString()).toBe('2022-12-16T21:00:00.000Z');
  });

  it('follows daylight saving time: the same 16:00 New York is 20:00 UTC after the March change', () => {
    expect(new Date(find('SPXW', '2023-03-17')!.expiry).toISOString()).toBe('2023-03-17T20:00:00.000Z');
    expect(new Date(find('SPX', '2023-03-17')!.expiry).toISOString()).toBe('2023-03-17T13:30:00.000Z');
  });

  it('expires Deribit options at 08:00 UTC on the date in the instrument name', () => {
    const btc = loadFixture('deribit_BTC_2026-03-13.json');
    const dec = btc.contracts.find(
      (c) => c.strike === 100000 && c.type === 'call' && c.expiry > Date.UTC(2026, 11),
    );
    expect(new Date(dec!.expiry).toISOString()).toBe('2026-12-25T08:00:00.000Z');
    const april = btc.contracts.find(
      (c) => c.expiry < Date.UTC(2026, 3, 4) && c.expiry > Date.UTC(2026, 3, 2),
    );
    expect(new Date(april!.expiry).toISOString()).toBe('2026-04-03T08:00:00.000Z');
  });
});

describe('normalised fields', () => {
  it('takes Deribit iv from mark_iv / 100, the forward from underlying_price and spot from the index', () => {
    const doc = JSON.parse(readFixture('deribit_BTC_2026-03-13.json')) as {
      result: { instrument_name: string; mark_iv: number; underlying_price: number; open_interest: number }[];
    };
    const row = doc.result.find((r) => r.instrument_name === 'BTC-25DEC26-100000-C')!;
    const c = loadFixture('deribit_BTC_2026-03-13.json').contracts.find(
      (x) => x.strike === 100000 && x.type === 'call' && x.expiry === Date.UTC(2026, 11, 25, 8),
    )!;
    expect(c.iv).toBeCloseTo(row.mark_iv / 100, 12);
    expect(c.forward).toBe(row.underlying_price);
    expect(c.openInterest).toBe(row.open_interest);
  });

  it('keeps Cboe iv as given, values on spot and keeps the vendor gamma', () => {
    const doc = JSON.parse(readFixture('cboe_SPY_2025-06-06.json')) as {
      data: { options: { option: string; iv: number; open_interest: number; gamma: number }[] };
    };
    const row = doc.data.options.find((o) => o.option === 'SPY250620C00600000')!;
    const c = loadFixture('cboe_SPY_2025-06-06.json').contracts.find(
      (x) =>
        x.strike === 600 && x.type === 'call' && dateInZone(x.expiry, 'America/New_York') === '2025-06-20',
    )!;
    expect(c).toMatchObject({
      root: 'SPY',
      iv: row.iv,
      openInterest: row.open_interest,
      vendorGamma: row.gamma,
    });
    expect(c.forward).toBe(599.14);
  });

  it('reads the call and the put of a CSV row into their own columns, not by position', () => {
    const chain = loadFixture('cboe_SPX_2023-09-14.csv');
    const line = readFixture('cboe_SPX_2023-09-14.csv')
      .split('\n')
      .find((l) => l.includes('SPXW230915C04500000'))!
      .split(',');
    const call = chain.contracts.find(
      (c) =>
        c.root === 'SPXW' && c.strike === 4500 && c.type === 'call' && c.expiry === Date.UTC(2023, 8, 15, 20),
    )!;
    const put = chain.contracts.find(
      (c) =>
        c.root === 'SPXW' && c.strike === 4500 && c.type === 'put' && c.expiry === Date.UTC(2023, 8, 15, 20),
    )!;
    // Columns: 7 IV, 9 Gamma, 10 Open Interest for the call; 18, 20, 21 for the put.
    expect([call.iv, call.vendorGamma, call.openInterest]).toEqual([
      Number(line[7]),
      Number(line[9]),
      Number(line[10]),
    ]);
    expect([put.iv, put.vendorGamma, put.openInterest]).toEqual([
      Number(line[18]),
      Number(line[20]),
      Number(line[21]),
    ]);
  });
});

describe('bad input', () => {
  it('names the file and the unreadable Date line, and asks for --as-of', () => {
    expect(() => loadFixture('cboe_SPX_2022-03-23_intraday.csv')).toThrow(
      /cboe_SPX_2022-03-23_intraday\.csv: line 3, "Date: 23 de marzo de 2022, 10:11 GMT-4", cannot be read; pass --as-of/,
    );
  });

  it('reads the Spanish-dated chain when --as-of is given', () => {
    const asOf = Date.parse('2022-03-23T14:11:00Z');
    const chain = loadFixture('cboe_SPX_2022-03-23_intraday.csv', { asOf });
    expect(chain.asOf).toBe(asOf);
    expect(chain.contracts).toHaveLength(19002);
    expect(chain.spot).toBe(4479.0898);
  });

  it('asks for --as-of when a Cboe JSON chain has no timestamp, and reads it with one', () => {
    expect(() => loadFixture('cboe_SPY_2022-04-01_dataobject.json')).toThrow(
      /cboe_SPY_2022-04-01_dataobject\.json: the chain has no snapshot time .*pass --as-of/,
    );
    const chain = loadFixture('cboe_SPY_2022-04-01_dataobject.json', {
      asOf: Date.parse('2022-04-01T20:00:00Z'),
    });
    expect(chain.symbol).toBe('SPY');
    expect(chain.spot).toBe(452.92);
    expect(chain.contracts).toHaveLength(9798);
  });

  it.each([
    ['an empty file', ''],
    ['plain text', 'hello world\n'],
    ['unrelated JSON', '{"foo": [1, 2]}'],
    ['an unrelated CSV', 'a,b,c\n1,2,3\n'],
  ])('rejects %s as an unknown format, naming the file', (_, text) => {
    expect(() => parseChainText(text, { origin: 'x.dat' })).toThrow(InputError);
    expect(() => parseChainText(text, { origin: 'x.dat' })).toThrow(/^x\.dat: /);
  });

  describe('the response schemas (checked before any maths)', () => {
    const row = { option: 'SPY250620C00600000', open_interest: 10, iv: 0.2 };
    const cboe = (data: object) => JSON.stringify({ timestamp: '2025-06-08 12:49:38', data });
    const read = (text: string) => () => parseChainText(text, { origin: 'spy.json' });

    it('names the field when the spot is missing', () => {
      expect(read(cboe({ options: [row] }))).toThrow(
        'spy.json: not a valid Cboe delayed-quotes response: data.current_price is missing: Invalid input: expected number, received undefined',
      );
    });

    it('refuses a number sent as a string, naming its path and value', () => {
      expect(read(cboe({ current_price: 600, options: [row, { ...row, open_interest: '12' }] }))).toThrow(
        'spy.json: not a valid Cboe delayed-quotes response: data.options[1].open_interest is "12": Invalid input: expected number, received string',
      );
    });

    it('refuses a negative open interest or volatility', () => {
      expect(read(cboe({ current_price: 600, options: [{ ...row, iv: -0.2 }] }))).toThrow(
        'data.options[0].iv is -0.2: Too small: expected number to be >=0',
      );
    });

    it('counts the further problems it does not spell out', () => {
      expect(
        read(cboe({ current_price: '600', options: [{ ...row, iv: 'x', open_interest: null }] })),
      ).toThrow(/data\.options\[0\]\.iv is "x": .*\(and 1 more problem\)$/);
    });

    it('refuses an empty chain, and one longer than any real chain', () => {
      expect(read(cboe({ current_price: 600, options: [] }))).toThrow(
        'data.options is an array of 0: the chain has no option contracts',
      );
      const huge = Array.from({ length: MAX_CONTRACTS + 1 }, () => row);
      expect(read(cboe({ current_price: 600, options: huge }))).toThrow(
        `data.options is an array of ${MAX_CONTRACTS + 1}: more than ${MAX_CONTRACTS} contracts: not a real chain`,
      );
    });

    it('leaves null values for the filters to count', () => {
      const chain = parseChainText(
        cboe({ current_price: 600, options: [row, { ...row, option: 'SPY250620P00600000', iv: null }] }),
        { origin: 'spy.json' },
      );
      expect(chain.contracts.map((c) => c.iv)).toEqual([0.2, NaN]);
    });

    it('checks the Deribit book summary the same way', () => {
      const doc = {
        result: [
          {
            instrument_name: 'BTC-27DEC24-50000-C',
            open_interest: 1,
            mark_iv: '50',
            underlying_price: 1,
            estimated_delivery_price: 1,
            creation_timestamp: 1,
          },
        ],
      };
      expect(() => parseChainText(JSON.stringify(doc), { origin: 'btc.json' })).toThrow(
        'btc.json: not a valid Deribit book summary: result[0].mark_iv is "50": Invalid input: expected number, received string',
      );
    });
  });

  it('names the row of an option symbol it cannot read', () => {
    const doc = {
      timestamp: '2025-06-08 12:49:38',
      data: { current_price: 1, options: [{ option: 'NOT-AN-OPTION', open_interest: 1, iv: 0.1 }] },
    };
    expect(() => parseChainText(JSON.stringify(doc), { origin: 'spy.json' })).toThrow(
      'spy.json: data.options[0].option "NOT-AN-OPTION" is not an OSI option symbol',
    );
  });

  it('reports a Deribit JSON-RPC error with its message', () => {
    const doc = { jsonrpc: '2.0', error: { code: 10001, message: 'currency not found' } };
    expect(() => parseChainText(JSON.stringify(doc), { origin: 'deribit' })).toThrow(
      'deribit: Deribit answered error 10001: currency not found',
    );
  });

  it('refuses a number beyond any real market, naming the contract and field', () => {
    const doc = JSON.parse(readFixture('deribit_BTC_2026-03-13.json')) as {
      result: { open_interest: number }[];
    };
    doc.result[0]!.open_interest = 3e305;
    expect(() => parseChainText(JSON.stringify(doc), { origin: 'btc.json' })).toThrow(
      'btc.json: result[0]: openInterest 3e+305 of the BTC call 100000 is beyond any real market (limit 1000000000)',
    );
  });

  it('reports a malformed CSV as bad input naming the file', () => {
    const text = `"${readFixture('deribit_ETH_2025-11-22.csv')}`;
    expect(() => parseChainText(text, { origin: 'eth.csv' })).toThrow(InputError);
    expect(() => parseChainText(text, { origin: 'eth.csv' })).toThrow(/^eth\.csv: malformed CSV \(/);
  });

  it('names a Cboe JSON timestamp that is not a date and time', () => {
    const text = readFixture('cboe_SPY_2025-06-06.json').replace(
      '"timestamp":"2025-06-08 12:49:38"',
      '"timestamp":"2025-13-45 12:49:38"',
    );
    expect(() => parseChainText(text, { origin: 'spy.json' })).toThrow(
      'spy.json: "timestamp" "2025-13-45 12:49:38" is not a date and time; pass --as-of',
    );
  });

  it('asks for --as-of when no Deribit CSV row has a creation_timestamp, and reads it with one', () => {
    const text = readFixture('deribit_ETH_2025-11-22.csv').replace(/,17637777\d{5},/g, ',,');
    expect(() => parseChainText(text, { origin: 'eth.csv' })).toThrow(
      'eth.csv: no row has a creation_timestamp; pass --as-of with the snapshot instant',
    );
    const asOf = Date.parse('2025-11-22T02:00:00Z');
    expect(parseChainText(text, { origin: 'eth.csv', asOf }).asOf).toBe(asOf);
  });

  /** The recorded BTC book with one row changed. */
  const btcWith = (row: number, change: (r: Record<string, unknown>) => void) => {
    const doc = JSON.parse(readFixture('deribit_BTC_2026-03-13.json')) as {
      result: Record<string, unknown>[];
    };
    change(doc.result[row]!);
    return () => parseChainText(JSON.stringify(doc), { origin: 'btc.json' });
  };

  it('refuses a Deribit JSON row without creation_timestamp (the schema requires it)', () => {
    expect(btcWith(5, (r) => delete r.creation_timestamp)).toThrow(
      'btc.json: not a valid Deribit book summary: result[5].creation_timestamp is missing: Invalid input: expected number, received undefined',
    );
  });

  it('refuses a Deribit instrument named for a day that does not exist (31FEB)', () => {
    expect(btcWith(7, (r) => (r.instrument_name = 'BTC-31FEB27-50000-C'))).toThrow(
      'btc.json: result[7]: "BTC-31FEB27-50000-C" is not a Deribit option',
    );
  });

  it('reads a decimal strike written with d (0d625 is 0.625)', () => {
    const contract = btcWith(0, (r) => (r.instrument_name = 'BTC-25DEC26-0d625-P'))().contracts[0]!;
    expect(contract).toMatchObject({ strike: 0.625, type: 'put', expiry: Date.UTC(2026, 11, 25, 8) });
  });

  it('asks for --as-of when a Cboe CSV has no Date line at all', () => {
    const text = readFixture('cboe_SPX_2023-09-14.csv').replace(/^"Date:[^\n]*\n/m, '');
    expect(() => parseChainText(text, { origin: 'spx.csv' })).toThrow(
      'spx.csv: there is no "Date:" line; pass --as-of with the snapshot instant, e.g. --as-of 2023-09-14T20:31:00Z',
    );
  });

  it.each([
    [1e9, null],
    [1e-6, null],
    [1.000001e9, 'spy.json: data.current_price (spot) 1000001000 is beyond any real market'],
    [9e-7, 'spy.json: data.current_price (spot) 9e-7 is beyond any real market'],
  ])('bounds the spot to 1e-6…1e9: %d', (spot, error) => {
    const text = readFixture('cboe_SPY_2025-06-06.json').replace(
      '"current_price":599.14',
      `"current_price":${spot}`,
    );
    const parse = () => parseChainText(text, { origin: 'spy.json' });
    if (error === null) expect(parse().spot).toBe(spot);
    else expect(parse).toThrow(error);
  });

  it.each(['cboe_SPY_2025-06-06.json', 'cboe_SPX_2023-09-14.csv', 'deribit_ETH_2025-11-22.csv'])(
    'strips a byte-order mark before %s',
    (name) => {
      const text = readFixture(name);
      expect(parseChainText(`\uFEFF${text}`, { origin: name })).toEqual(
        parseChainText(text, { origin: name }),
      );
    },
  );

  it('takes --symbol over the symbol in the data', () => {
    expect(loadFixture('deribit_ETH_2025-11-22.csv', { symbol: 'ETHX' }).symbol).toBe('ETHX');
  });
});

describe('the Cboe CSV Date line', () => {
  it.each([
    ['September 14, 2023 at 4:31 PM EDT', '2023-09-14T20:31:00.000Z'],
    ['June 11, 2022, 8:47 PM EDT', '2022-06-12T00:47:00.000Z'],
    ['February 5 2022, 8:09 PM EST', '2022-02-06T01:09:00.000Z'],
    ['5 April 2023, 19:41 UTC\u22124', '2023-04-05T23:41:00.000Z'],
    ['20 May 2023, 11:33 AM EDT', '2023-05-20T15:33:00.000Z'],
    ['8 June 2023 7:56 PM EDT', '2023-06-08T23:56:00.000Z'],
    ['December 12, 2022 at 12:05 AM EST', '2022-12-12T05:05:00.000Z'],
    ['December 12, 2022 at 12:05 PM GMT+1', '2022-12-12T11:05:00.000Z'],
    // ET is New York time, with its daylight saving: never UTC.
    ['September 14, 2023 at 4:31 PM ET', '2023-09-14T20:31:00.000Z'],
    ['January 5, 2024 at 4:31 PM ET', '2024-01-05T21:31:00.000Z'],
    ['December 12, 2022 at 12:05 PM GMT+5:30', '2022-12-12T06:35:00.000Z'],
    ['September 14, 2023 at 4:31:27 PM EDT', '2023-09-14T20:31:27.000Z'],
    ['Sept 14, 2023 at 4:31 PM EDT', '2023-09-14T20:31:00.000Z'],
    ['14 Sept 2023, 16:31 EDT', '2023-09-14T20:31:00.000Z'],
    ['Sep 14, 2023 at 4:31 PM EDT', '2023-09-14T20:31:00.000Z'],
    ['Mar. 5, 2023 at 4:31 PM EST', '2023-03-05T21:31:00.000Z'],
    ['March 5, 2023 4:31 PM EST', '2023-03-05T21:31:00.000Z'],
    ['August 1, 2023 4:31 PM EDT', '2023-08-01T20:31:00.000Z'],
    ['October 2, 2023 9:30 AM EDT', '2023-10-02T13:30:00.000Z'],
    ['November 1, 2023 9:30 AM EDT', '2023-11-01T13:30:00.000Z'],
    ['9 June 2023, 1:40 PM EDT', '2023-06-09T17:40:00.000Z'],
    // No space after the comma, before PM or before the zone.
    ['September 14,2023 4:31PM EDT', '2023-09-14T20:31:00.000Z'],
    ['9 June 2023, 13:40EDT', '2023-06-09T17:40:00.000Z'],
    // No zone: New York time. A written EDT or EST is taken as written, even out of season.
    ['September 14, 2023 4:31 PM', '2023-09-14T20:31:00.000Z'],
    ['December 12, 2022 8:30 PM EDT', '2022-12-13T00:30:00.000Z'],
    ['September 14, 2023 20:31 UTC', '2023-09-14T20:31:00.000Z'],
    ['March 23, 2022 10:11 GMT+10', '2022-03-23T00:11:00.000Z'],
    ['December 12, 2022 12:05 PM GMT+0530', '2022-12-12T06:35:00.000Z'],
  ])('reads "%s" as %s', (text, iso) => {
    expect(new Date(parseCboeDate(text)!).toISOString()).toBe(iso);
  });

  it('takes a date without a time of day as 16:15 New York, in winter and in summer', () => {
    expect(new Date(parseCboeDate('January 5, 2024')!).toISOString()).toBe('2024-01-05T21:15:00.000Z');
    expect(new Date(parseCboeDate('July 5, 2024')!).toISOString()).toBe('2024-07-05T20:15:00.000Z');
  });

  it.each([
    '23 de marzo de 2022, 10:11 GMT-4',
    'Smarch 5, 2023',
    'February 30, 2023 at 4:00 PM EST',
    '13:61 PM',
    'September 14, 2023 at 13:30 PM EDT',
    'September 14, 2023 at 0:30 AM EDT',
    'Septe 14, 2023 at 4:31 PM EDT',
    '12345 September 14, 2023',
    'Z14 September 2023',
    'September 14, 2023 junk',
    'September 14, 2023 4:31 PM EDT junk',
  ])('does not guess at "%s"', (text) => {
    expect(parseCboeDate(text)).toBeNull();
  });
});

describe('the Cboe JSON times and layouts', () => {
  const SPY = readFixture('cboe_SPY_2025-06-06.json');
  /** The SPY document with its top-level and `data` fields changed. */
  const spy = (top: Record<string, unknown>, data: Record<string, unknown> = {}) => {
    const doc = JSON.parse(SPY) as { data: Record<string, unknown> };
    return JSON.stringify({ ...doc, ...top, data: { ...doc.data, ...data } });
  };
  const read = (text: string) => parseChainText(text, { origin: 'spy.json' });

  it('dates the quotes by the underlying’s last trade, New York time, whatever zone the machine is in', () => {
    const zone = Settings.defaultZone;
    try {
      Settings.defaultZone = 'Asia/Tokyo';
      // 2025-06-06T16:00:00 in New York (EDT) is 20:00 UTC; the timestamp 2025-06-08 12:49:38 is UTC.
      const chain = read(SPY);
      expect(new Date(chain.quoteTime!).toISOString()).toBe('2025-06-06T20:00:00.000Z');
      expect(new Date(chain.asOf).toISOString()).toBe('2025-06-08T12:49:38.000Z');
      const spaced = read(
        spy({ timestamp: ' 2025-06-08 12:49:38 ' }, { last_trade_time: ' 2025-06-06 16:00:00 ' }),
      );
      expect(new Date(spaced.quoteTime!).toISOString()).toBe('2025-06-06T20:00:00.000Z');
      expect(new Date(spaced.asOf).toISOString()).toBe('2025-06-08T12:49:38.000Z');
    } finally {
      Settings.defaultZone = zone;
    }
  });

  it('leaves the quote time out when the last trade is missing or unreadable', () => {
    for (const last_trade_time of [undefined, null, 'yesterday']) {
      expect(read(spy({}, { last_trade_time }))).not.toHaveProperty('quoteTime');
    }
  });

  it('tells a Cboe document from anything else, and names fields of the older layout without "data."', () => {
    for (const doc of [null, 'options', 42, {}, { data: {} }, { options: {} }])
      expect(looksLikeCboeJson(doc)).toBe(false);
    expect(looksLikeCboeJson({ options: [] })).toBe(true);
    expect(looksLikeCboeJson({ data: { options: [] } })).toBe(true);
    expect(() => parseCboeJson({ data: {} }, { origin: 'x.json' })).toThrow(
      new InputError('x.json: not a Cboe delayed-quotes response'),
    );
    const old = JSON.parse(readFixture('cboe_SPY_2022-04-01_dataobject.json')) as Record<string, unknown> & {
      options: { option: string }[];
    };
    const asOf = Date.parse('2022-04-01T20:00:00Z');
    expect(() => parseCboeJson({ ...old, current_price: 2e9 }, { origin: 'old.json', asOf })).toThrow(
      /^old\.json: current_price \(spot\) /,
    );
    old.options[3]!.option = 'SPY';
    expect(() => parseCboeJson(old, { origin: 'old.json', asOf })).toThrow(
      new InputError('old.json: options[3].option "SPY" is not an OSI option symbol'),
    );
  });
});

describe('Deribit rows', () => {
  const BTC = JSON.parse(readFixture('deribit_BTC_2026-03-13.json')) as { result: Record<string, unknown>[] };
  const row = BTC.result[0]!;
  const response = (rows: Record<string, unknown>[]) => JSON.stringify({ ...BTC, result: rows });
  const read = (rows: Record<string, unknown>[]) => parseChainText(response(rows), { origin: 'btc.json' });

  it('names the venue, and settles every month’s expiry at 08:00 UTC', () => {
    const months = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
    const chain = read(months.map((m, i) => ({ ...row, instrument_name: `BTC-${i + 10}${m}27-70000-C` })));
    expect(chain).toMatchObject({ source: 'deribit', venue: 'deribit', symbol: 'BTC' });
    expect(chain.contracts.map((c) => new Date(c.expiry).toISOString())).toEqual(
      months.map((_, i) => `2027-${String(i + 1).padStart(2, '0')}-${i + 10}T08:00:00.000Z`),
    );
  });

  it('takes the snapshot time from the latest row and the index as the median over the rows, in any order', () => {
    const rows = [
      {
        ...row,
        instrument_name: 'BTC-25DEC26-90000-C',
        creation_timestamp: 2000,
        estimated_delivery_price: 70000,
      },
      {
        ...row,
        instrument_name: 'BTC-25DEC26-80000-C',
        // The latest row, with a wrong index: one row never sets the spot (docs/methodology.md §3).
        creation_timestamp: 3000,
        estimated_delivery_price: 710000,
      },
      {
        ...row,
        instrument_name: 'BTC-25DEC26-70000-C',
        creation_timestamp: 1000,
        estimated_delivery_price: 69000,
      },
    ];
    const now = 1773428415531;
    const chain = parseChainText(response(rows), { origin: 'btc.json', asOf: now, now });
    expect(chain.spot).toBe(70000);
    expect(chain.ageAsOf).toBeUndefined();
    const later = rows.map((r) => ({ ...r, creation_timestamp: r.creation_timestamp + now - 3000 }));
    const read2 = parseChainText(response(later), { origin: 'btc.json', now });
    expect([read2.asOf, read2.spot, read2.ageAsOf]).toEqual([now, 70000, now - 1000]);
    const even = parseChainText(response(later.slice(0, 2)), { origin: 'btc.json', now });
    expect([even.spot, even.ageAsOf]).toEqual([(70000 + 710000) / 2, now - 500]);
  });
});
