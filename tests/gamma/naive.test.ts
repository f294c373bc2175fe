import { analyse } from '../../lambda/gamma/analyse';
import { yearsToExpiry } from '../../lambda/gamma/exposure';
import { screen } from '../../lambda/gamma/exposure';
import { dateInZone, isMonthly, VENUES } from '../../lambda/venues';
import type { OptionChain } from '../../lambda/types';
import { loadFixture } from '../helpers';

/**
 * The profile as docs/methodology.md §5 writes it, computed the slow, obvious way: every contract at every level for
 * each curve, from the closed form Γ = φ(d1) / (F σ √T) with no shared terms. The product's fast path must
 * agree to 1e-9 of each curve's largest magnitude (values near a zero crossing have no relative precision).
 */
function naiveProfile(chain: OptionChain) {
  const venue = VENUES[chain.venue];
  const used = screen(chain).used;
  const dateOf = new Map(used.map((c) => [c, dateInZone(c.expiry, venue.zone)]));
  const dates = [...new Set(dateOf.values())].sort();
  const next = dates[0];
  const monthly = dates.find((d) => isMonthly(chain.venue, d));
  const lo = chain.spot * (1 - venue.profileRange);
  const step = (2 * venue.profileRange * chain.spot) / 200;
  const levels = Array.from({ length: 201 }, (_, i) => lo + i * step);
  const years = used.map((c) => yearsToExpiry(c.expiry, chain.asOf));
  const all: number[] = [];
  const exNextExpiry: number[] = [];
  const exNextMonthly: number[] = [];
  for (const level of levels) {
    let sum = 0;
    let withoutNext = 0;
    let withoutMonthly = 0;
    used.forEach((c, i) => {
      const f = (c.forward * level) / chain.spot;
      const t = years[i]!;
      const d1 = (Math.log(f / c.strike) + (c.iv * c.iv * t) / 2) / (c.iv * Math.sqrt(t));
      const gamma = Math.exp(-0.5 * d1 * d1) / Math.sqrt(2 * Math.PI) / (f * c.iv * Math.sqrt(t));
      const gex = (c.type === 'call' ? 1 : -1) * gamma * c.openInterest * c.multiplier * f * f * 0.01;
      sum += gex;
      if (dateOf.get(c) !== next) withoutNext += gex;
      if (dateOf.get(c) !== monthly) withoutMonthly += gex;
    });
    all.push(sum);
    exNextExpiry.push(withoutNext);
    exNextMonthly.push(withoutMonthly);
  }
  return { all, exNextExpiry, exNextMonthly };
}

describe.each(['cboe_SPX_2023-09-14.csv', 'cboe_SPY_2025-06-06.json', 'deribit_BTC_2026-03-13.json'])(
  'the fast profile of %s',
  (name) => {
    it('equals the naive computation of all three curves to 1e-9', () => {
      const chain = loadFixture(name);
      const fast = analyse(chain).profile;
      const slow = naiveProfile(chain);
      for (const key of ['all', 'exNextExpiry', 'exNextMonthly'] as const) {
        const scale = Math.max(...slow[key].map(Math.abs));
        const worst = Math.max(...slow[key].map((v, i) => Math.abs(v - fast[key][i]!)));
        expect({ key, relative: worst / scale < 1e-9 }).toEqual({ key, relative: true });
      }
    });
  },
);
