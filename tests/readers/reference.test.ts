import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { parseChainText } from '../../lambda/readers/detect';
import type { OptionContract } from '../../lambda/types';
import { mutationSubset, ROOT, readFixture } from '../helpers';

/**
 * Every recorded chain, read by the product, must equal a plain reading of the raw file written out here from
 * the formats and docs/methodology.md §1–2 (split at commas, Number() on each cell, the expiry from the date
 * in the symbol), contract by contract, byte for byte once serialised (same fields, values and key order), so
 * that the fast readers change nothing they read.
 */

/** Roots settled on the open (09:30 New York); the others at 16:00 New York (methodology §2). */
const AM_ROOTS = new Set(['SPX', 'NDX', 'RUT', 'VIX', 'DJX']);
const WEEKLY_ROOTS: Record<string, string> = { SPXW: 'SPX', NDXP: 'NDX', RUTW: 'RUT', VIXW: 'VIX' };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

const cellNumber = (cell: string | undefined) => (cell === undefined || cell === '' ? NaN : Number(cell));

/** The settlement instant of a root on a date, worked out once per series (luxon is slow per row). */
const settlements = new Map<string, number>();
function settlement(root: string, yy: string, mm: string, dd: string): number {
  const key = `${root} ${yy}${mm}${dd}`;
  const [hour, minute] = AM_ROOTS.has(root) ? [9, 30] : [16, 0];
  if (!settlements.has(key)) {
    const date = { year: 2000 + Number(yy), month: Number(mm), day: Number(dd), hour, minute };
    settlements.set(key, DateTime.fromObject(date, { zone: 'America/New_York' }).toMillis());
  }
  return settlements.get(key)!;
}

function cboe(
  symbol: string,
  [oi, iv, gamma, bid, ask]: readonly [number, number, number, number, number],
  spot: number,
): OptionContract {
  const m = /^(.+)(\d\d)(\d\d)(\d\d)([CP])(\d{8})$/.exec(symbol)!;
  const root = m[1]!;
  const expiry = settlement(root, m[2]!, m[3]!, m[4]!);
  return {
    underlying: WEEKLY_ROOTS[root] ?? root,
    root,
    type: m[5] === 'C' ? 'call' : 'put',
    strike: Number(m[6]) / 1000,
    expiry,
    openInterest: oi,
    iv,
    multiplier: 100,
    forward: spot,
    bid,
    ask,
    ...(Number.isFinite(gamma) ? { vendorGamma: gamma } : {}),
  };
}

interface DeribitRow {
  instrument_name: string;
  open_interest: number | null;
  mark_iv: number | null;
  underlying_price: number | null;
  bid_price?: number | null;
  ask_price?: number | null;
}

function deribit(row: DeribitRow): OptionContract {
  const [base, date, strike, cp] = row.instrument_name.split('-') as [string, string, string, string];
  const m = /^(\d{1,2})([A-Z]{3})(\d\d)$/.exec(date)!;
  return {
    underlying: base,
    root: base,
    type: cp === 'C' ? 'call' : 'put',
    strike: Number(strike.replace('d', '.')),
    expiry: Date.UTC(2000 + Number(m[3]), MONTHS.indexOf(m[2]!), Number(m[1]), 8),
    openInterest: row.open_interest ?? NaN,
    iv: (row.mark_iv ?? NaN) / 100,
    multiplier: 1,
    forward: row.underlying_price ?? NaN,
    bid: row.bid_price ?? NaN,
    ask: row.ask_price ?? NaN,
  };
}

function reference(name: string, text: string): OptionContract[] {
  if (name.startsWith('cboe_') && name.endsWith('.csv')) {
    const lines = text.split('\n');
    const header = lines.findIndex((l) => l.startsWith('Expiration Date,'));
    expect(lines[header]).toBe(
      'Expiration Date,Calls,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest,Strike,Puts,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest',
    );
    const spot = Number(/Last: ([^,]+),/.exec(text)![1]);
    return lines
      .slice(header + 1)
      .filter((l) => l !== '')
      .flatMap((line) => {
        const c = line.split(',');
        // Open interest, IV, gamma, bid and ask of the call, then of the put.
        const cells = (at: number[]) =>
          at.map((i) => cellNumber(c[i])) as [number, number, number, number, number];
        return [cboe(c[1]!, cells([10, 7, 9, 4, 5]), spot), cboe(c[12]!, cells([21, 18, 20, 15, 16]), spot)];
      });
  }
  if (name.startsWith('cboe_')) {
    const doc = JSON.parse(text) as {
      data?: { current_price: number; options: unknown[] };
      current_price?: number;
      options?: unknown[];
    };
    const data = (doc.data ?? doc) as {
      current_price: number;
      options: {
        option: string;
        open_interest: number | null;
        iv: number | null;
        gamma?: number | null;
        bid?: number | null;
        ask?: number | null;
      }[];
    };
    return data.options.map((o) =>
      cboe(
        o.option,
        [o.open_interest, o.iv, o.gamma, o.bid, o.ask].map((v) => v ?? NaN) as [
          number,
          number,
          number,
          number,
          number,
        ],
        data.current_price,
      ),
    );
  }
  if (name.startsWith('bybit_')) {
    // docs/methodology.md §17: the name as Deribit's (a USDT-settled series `…-USDT` its own root), markIv a
    // decimal, openInterest coins, underlyingPrice the forward; every number a string.
    type Row = Record<
      'symbol' | 'openInterest' | 'markIv' | 'underlyingPrice' | 'bid1Price' | 'ask1Price',
      string
    >;
    return (JSON.parse(text) as { result: { list: Row[] } }).result.list.map((r) => {
      const usdt = r.symbol.endsWith('-USDT');
      const c = deribit({
        instrument_name: usdt ? r.symbol.slice(0, -5) : r.symbol,
        open_interest: cellNumber(r.openInterest),
        mark_iv: null,
        underlying_price: cellNumber(r.underlyingPrice),
        bid_price: cellNumber(r.bid1Price),
        ask_price: cellNumber(r.ask1Price),
      });
      return { ...c, root: usdt ? `${c.root}-USDT` : c.root, iv: cellNumber(r.markIv) };
    });
  }
  if (name.endsWith('.json')) return (JSON.parse(text) as { result: DeribitRow[] }).result.map(deribit);
  const [head, ...rows] = text.split('\n').filter((l) => l !== '');
  const columns = head!.split(',');
  return rows.map((line) => {
    const cells = line.split(',');
    const get = (column: string) => cells[columns.indexOf(column)];
    const value = (column: string) => cellNumber(get(column));
    return deribit({
      instrument_name: get('instrument_name')!,
      open_interest: value('open_interest'),
      mark_iv: value('mark_iv'),
      underlying_price: value('underlying_price'),
      bid_price: value('bid_price'),
      ask_price: value('ask_price'),
    });
  });
}

const FILES = ['samples', join('tests', 'fixtures', 'chains')].flatMap((dir) =>
  readdirSync(join(ROOT, dir)).filter((f) => /\.(csv|json)$/.test(f)),
);

/** The two files without a readable snapshot time are read with one. */
const AS_OF = Date.parse('2022-04-01T20:00:00Z');

it('covers every recorded chain', () => {
  expect(FILES).toHaveLength(20);
});

/** A contract as exact text: every field, in order, with NaN, infinities and undefined spelled out. */
const exact = (c: OptionContract) =>
  JSON.stringify(c, (_key, v: unknown) =>
    v === undefined ? '#undefined' : typeof v === 'number' && !Number.isFinite(v) ? `#${v}` : v,
  );

it.each(mutationSubset(FILES, (name) => name))(
  '%s reads exactly as a plain reading of the raw file',
  (name) => {
    const text = readFixture(name);
    const needsAsOf = name.includes('2022-03-23') || name.includes('2022-04-01');
    const chain = parseChainText(text, { origin: name, asOf: needsAsOf ? AS_OF : undefined });
    const read = chain.contracts.map(exact);
    const expected = reference(name, text).map(exact);
    expect(read).toHaveLength(expected.length);
    const first = read.findIndex((c, i) => c !== expected[i]);
    expect(first < 0 ? null : { index: first, read: read[first], expected: expected[first] }).toBeNull();
  },
);
