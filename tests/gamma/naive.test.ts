import { analyse } from '../../lambda/gamma/analyse';
import type { OptionChain } from '../../lambda/types';
import { bsGamma, calendarYears, countsBySpec, loadFixture } from '../helpers';

/**
 * The profile as docs/methodology.md §5 writes it, computed the slow, obvious way and from the spec alone: its
 * own filters (§3), calendar time with the 5-minute floor (§2), expiry dates in the market's zone through Intl,
 * its own third- and last-Friday rules, every contract at every level for each curve from the closed form
 * Γ = φ(d1) / (F σ √T). Only the reading of the file is shared with the product. The fast path must agree to
 * 1e-9 of each curve's largest magnitude (values near a zero crossing have no relative precision), at every
 * fifth level: 41 levels from end to end, spot among them, keep the check to a second under mutation testing.
 */

/** docs/methodology.md §2, §4, §5, per venue. */
const SPEC = {
  cboe: { zone: 'America/New_York', width: 0.2, monthly: 'third' },
  deribit: { zone: 'UTC', width: 0.3, monthly: 'last' },
  // docs/methodology.md §17: the other crypto venues follow Deribit's conventions.
  bybit: { zone: 'UTC', width: 0.3, monthly: 'last' },
  okx: { zone: 'UTC', width: 0.3, monthly: 'last' },
  binance: { zone: 'UTC', width: 0.3, monthly: 'last' },
} as const;

/** YYYY-MM-DD in a zone (en-CA writes dates that way); one formatter per zone, as building one is slow. */
function dateFormat(zone: string): (instant: number) => string {
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  return (instant) => format.format(instant);
}

function isStandardMonthly(rule: 'third' | 'last', date: string): boolean {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  if (new Date(Date.UTC(y, m - 1, d)).getUTCDay() !== 5) return false;
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return rule === 'third' ? d >= 15 && d <= 21 : d + 7 > daysInMonth;
}

function naiveProfile(chain: OptionChain) {
  const spec = SPEC[chain.venue];
  const used = chain.contracts.filter((c) => countsBySpec(c, chain.asOf));
  const dateIn = dateFormat(spec.zone);
  const dateOf = used.map((c) => dateIn(c.expiry));
  const dates = [...new Set(dateOf)].sort();
  const next = dates[0];
  const monthly = dates.find((d) => isStandardMonthly(spec.monthly, d));
  const levels = Array.from(
    { length: 201 },
    (_, i) => chain.spot * (1 - spec.width) + (i * 2 * spec.width * chain.spot) / 200,
  );
  const years = used.map((c) => calendarYears(c.expiry, chain.asOf));
  const curves = { levels, all: [] as number[], exNextExpiry: [] as number[], exNextMonthly: [] as number[] };
  for (const level of levels.filter((_, i) => i % 5 === 0)) {
    let sum = 0;
    let withoutNext = 0;
    let withoutMonthly = 0;
    used.forEach((c, i) => {
      const f = (c.forward * level) / chain.spot;
      const gamma = bsGamma(f, c.strike, c.iv, years[i]!);
      const gex = (c.type === 'call' ? 1 : -1) * gamma * c.openInterest * c.multiplier * f * f * 0.01;
      sum += gex;
      if (dateOf[i] !== next) withoutNext += gex;
      if (dateOf[i] !== monthly) withoutMonthly += gex;
    });
    curves.all.push(sum);
    curves.exNextExpiry.push(withoutNext);
    curves.exNextMonthly.push(withoutMonthly);
  }
  return { ...curves, nextExpiry: next, nextMonthly: monthly, contractsUsed: used.length };
}

// SPX: AM and PM roots, New York dates, a third Friday; every fifth contract of the file keeps it quick under
// mutation testing (real-chains.test.ts pins the whole chain's record), calls and puts alike (every fourth would
// keep the calls alone: the file lists each strike's call and put in turn, and §3 refuses a one-sided chain). BTC: each expiry on its own forward,
// UTC dates, a last Friday.
describe.each([
  ['cboe_SPX_2023-09-14.csv', 5],
  ['deribit_BTC_2026-03-13.json', 1],
])('the fast profile of %s, one contract in %d', (name, every) => {
  it('equals the naive computation of the levels, the three curves and their dates', () => {
    const read = loadFixture(name);
    const chain = { ...read, contracts: read.contracts.filter((_, i) => i % every === 0) };
    const record = analyse(chain);
    const fast = record.profile;
    const slow = naiveProfile(chain);
    expect(record.dataQuality.contractsUsed).toBe(slow.contractsUsed);
    expect({ nextExpiry: fast.nextExpiry, nextMonthly: fast.nextMonthly }).toEqual({
      nextExpiry: slow.nextExpiry,
      nextMonthly: slow.nextMonthly,
    });
    fast.levels.forEach((l, i) => expect(l / slow.levels[i]!).toBeCloseTo(1, 12));
    for (const key of ['all', 'exNextExpiry', 'exNextMonthly'] as const) {
      const scale = Math.max(...slow[key].map(Math.abs));
      const worst = Math.max(...slow[key].map((v, i) => Math.abs(v - fast[key][5 * i]!)));
      expect({ key, relative: worst / scale < 1e-9 }).toEqual({ key, relative: true });
    }
  });
});
