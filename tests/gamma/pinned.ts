/**
 * Records of two bundled chains as computed without the product's code, by the independent numpy
 * implementation of docs/methodology.md, `python3 scripts/reference.py samples/<file>` (its own file reading,
 * §3 filters, §2 time, §4 gamma, §5 profile and bisection, §6 levels; tests/reference.test.ts runs it on
 * every chain). Its output, verbatim but for the layout:
 *
 *   SPX 2023-09-14 nextExpiry 2023-09-15, 49 expiries, 445 strikes, contractsIn 19920, contractsUsed 13925,
 *     skipped expired 296, no_open_interest 5072, no_iv 614, iv_out_of_range 13, bad_price 0,
 *     netGex 16102975872.221054, callGex 196442038798.7511, putGex -180339062926.5301,
 *     callWall 4525, putWall 4500, absGammaStrike 4500, maxPain 4420 (of 2023-09-15), flip 4494.30149824663,
 *     spotCheck passed on 2023-09-15, forward 4510.475 (parity), gapPct -0.11916483297215175
 *   BTC 2026-03-13 nextExpiry 2026-03-14, 12 expiries, 95 strikes, contractsIn 964, contractsUsed 836,
 *     skipped no_open_interest 128 (others 0),
 *     netGex 46480299.81364135, callGex 243654873.24092972, putGex -197174573.42728835,
 *     callWall 75000, putWall 70000, absGammaStrike 75000, maxPain 71500 (of 2026-03-14), flip 68006.55459495852,
 *     spotCheck passed on 2026-03-14, forward 71055.20030008859 (median underlying_price), gapPct -0.009148239764489308
 *
 * Pinned here so that the engine's tests (and each mutant of a mutation run) need no Python process.
 * The next standard monthly is read off a calendar: Friday 2023-09-15 is September's third Friday, Friday
 * 2026-03-27 March's last.
 */
import type { ReportRecord } from '../../lambda/types';

export const SPX = 'cboe_SPX_2023-09-14.csv';
export const BTC = 'deribit_BTC_2026-03-13.json';

export const PINNED = {
  [SPX]: {
    dataQuality: {
      contractsIn: 19920,
      contractsUsed: 13925,
      skipped: { expired: 296, no_open_interest: 5072, no_iv: 614, iv_out_of_range: 13, bad_price: 0 },
      spotCheck: { status: 'passed', expiry: '2023-09-15', forward: 4510.475, gapPct: -0.11916483297215175 },
    },
    netGex: 16102975872.221054,
    callGex: 196442038798.7511,
    putGex: -180339062926.5301,
    flip: 4494.30149824663,
    levels: { callWall: 4525, putWall: 4500, absGammaStrike: 4500, maxPain: 4420 },
    dates: { nextExpiry: '2023-09-15', nextMonthly: '2023-09-15' },
    strikes: 445,
    expiries: 49,
  },
  [BTC]: {
    dataQuality: {
      contractsIn: 964,
      contractsUsed: 836,
      skipped: { expired: 0, no_open_interest: 128, no_iv: 0, iv_out_of_range: 0, bad_price: 0 },
      spotCheck: {
        status: 'passed',
        expiry: '2026-03-14',
        forward: 71055.20030008859,
        gapPct: -0.009148239764489308,
      },
    },
    netGex: 46480299.81364135,
    callGex: 243654873.24092972,
    putGex: -197174573.42728835,
    flip: 68006.55459495852,
    levels: { callWall: 75000, putWall: 70000, absGammaStrike: 75000, maxPain: 71500 },
    dates: { nextExpiry: '2026-03-14', nextMonthly: '2026-03-27' },
    strikes: 95,
    expiries: 12,
  },
};

/** The engine's record of a pinned chain against the reference, field by field. */
export function expectPinnedRecord(record: ReportRecord, pinned: (typeof PINNED)[keyof typeof PINNED]): void {
  const { dataQuality, totals, regime, flip, spot, levels, profile, byStrike, byExpiry } = record;
  expect(dataQuality).toEqual(pinned.dataQuality);

  expect(totals.netGex / pinned.netGex).toBeCloseTo(1, 9);
  expect(totals.callGex / pinned.callGex).toBeCloseTo(1, 9);
  expect(totals.putGex / pinned.putGex).toBeCloseTo(1, 9);
  expect(regime).toBe('positive');

  expect(flip.crossings).toHaveLength(1);
  expect(Math.abs(flip.level! - pinned.flip)).toBeLessThanOrEqual(1e-6 * spot);
  expect(flip.distancePct! / (((spot - pinned.flip) / spot) * 100)).toBeCloseTo(1, 4);

  expect(levels).toEqual(pinned.levels);

  expect({ nextExpiry: profile.nextExpiry, nextMonthly: profile.nextMonthly }).toEqual(pinned.dates);
  expect(byStrike).toHaveLength(pinned.strikes);
  expect(byExpiry).toHaveLength(pinned.expiries);
  const strikes = byStrike.map((r) => r.strike);
  expect(strikes).toEqual([...strikes].sort((a, b) => a - b));
  const dates = byExpiry.map((r) => r.expiry);
  expect(dates).toEqual([...dates].sort());
  expect(dates[0]).toBe(pinned.dates.nextExpiry);
}
