import { alerts, composeEmail, DETAIL_LIMIT } from '../lambda/email/compose';
import { analyse } from '../lambda/gamma/analyse';
import { changeSince } from '../lambda/gamma/change';
import { DEFAULT_FRESHNESS, summarize, type Summary } from '../lambda/report/screener';
import type { ReportRecord } from '../lambda/types';
import { combineBook } from '../lambda/gamma/book';
import { deribitBtc, secondVenueChain } from './book-fixture';
import { loadFixture } from './helpers';

const spx = analyse(loadFixture('cboe_SPX_2023-09-14.csv'));
/** The same report a session earlier (2023-09-13 close), its levels changed as each case needs. */
function before(change: Partial<ReportRecord> & { walls?: Partial<ReportRecord['levels']> }): ReportRecord {
  const { walls, ...rest } = change;
  const session = { quotes: '2023-09-13', openInterest: '2023-09-12' };
  return { ...spx, asOf: '2023-09-13T20:15:00.000Z', session, ...rest, levels: { ...spx.levels, ...walls } };
}
/** SPX 2023-09-14 as published after `previous` (its change computed by §11), and its index summary. */
function published(previous: ReportRecord | null, record = spx): { record: ReportRecord; summary: Summary } {
  const full = { ...record, change: previous === null ? null : changeSince(previous, record) };
  return { record: full, summary: summarize(full, [], DEFAULT_FRESHNESS) };
}
const email = (previous: ReportRecord | null, record = spx) => {
  const p = published(previous, record);
  return composeEmail(
    [p.summary],
    [p.record],
    'https://reports.example.com',
    new Date('2023-09-15T12:00:00Z'),
    DEFAULT_FRESHNESS,
  );
};

describe('the subject', () => {
  it('is the headline of the day when nothing changed: net GEX and the flip with its distance', () => {
    expect(email(before({})).subject).toBe('SPX +$16.1bn γ · flip 4,494 (+0.2%)');
    expect(email(null).subject).toBe('SPX +$16.1bn γ · flip 4,494 (+0.2%)');
  });

  it('leads with a regime change', () => {
    expect(email(before({ regime: 'negative', totals: { ...spx.totals, netGex: -3e9 } })).subject).toBe(
      'SPX flipped to positive gamma · SPX +$16.1bn γ · flip 4,494 (+0.2%)',
    );
  });

  it('leads with a call wall that spot broke upward, and a put wall broken downward', () => {
    const up = published(before({ spot: 4490, walls: { callWall: 4500 } })).summary;
    expect(alerts(up)).toEqual(['SPX broke the call wall 4,500']);
    const down = { ...spx, spot: 4390 };
    expect(alerts(published(before({ spot: 4410, walls: { putWall: 4400 } }), down).summary)).toEqual([
      'SPX broke the put wall 4,400',
    ]);
    expect(alerts(published(before({ spot: 4510, walls: { callWall: 4500 } })).summary)).toEqual([]);
  });

  it('leaves out a wall that spot passed by less than a tenth of the expected move (docs/methodology.md §11)', () => {
    // SPX 2023-09-14: expected move ±22.93 to 09-15, so a wall counts as broken 2.29 past it.
    expect(spx.expectedMove.nextExpiry!.move).toBeCloseTo(22.93, 2);
    const past = (callWall: number) => alerts(published(before({ spot: 4490, walls: { callWall } })).summary);
    expect(past(4503)).toEqual([]);
    expect(past(4502.7)).toEqual(['SPX broke the call wall 4,502.7']);
    const down = (spot: number) =>
      alerts(published(before({ spot: 4410, walls: { putWall: 4400 } }), { ...spx, spot }).summary);
    expect(down(4398)).toEqual([]);
    expect(down(4397.5)).toEqual(['SPX broke the put wall 4,400']);
    // Without an expected move there is no scale for noise: no wall alert.
    const noMove = { ...spx, expectedMove: { nextExpiry: null, nextMonthly: null } };
    expect(alerts(published(before({ spot: 4490, walls: { callWall: 4500 } }), noMove).summary)).toEqual([]);
  });

  it('fires nothing when spot ends a cent past the call wall: SPX 2023-06-08 to the next session', () => {
    const june8 = analyse(loadFixture('cboe_SPX_2023-06-08.csv'));
    const june9 = analyse(loadFixture('cboe_SPX_2023-06-09_intraday.csv'));
    expect([june8.levels.callWall, june8.spot < 4300, june9.spot]).toEqual([4300, true, 4300.0098]);
    expect(alerts(published(june8, june9).summary)).toEqual([]);
  });

  it('fires no alert against a report too old to compare with, and says how old it is', () => {
    const old = before({
      asOf: '2021-09-14T20:15:00.000Z',
      session: { quotes: '2021-09-14', openInterest: '2021-09-13' },
      spot: 4490,
      regime: 'negative',
      walls: { callWall: 4500 },
    });
    const p = published(old);
    expect(alerts(p.summary)).toEqual([]);
    const e = email(old);
    expect(e.subject).toBe('SPX +$16.1bn γ · flip 4,494 (+0.2%)');
    expect(e.text).toContain('The previous report is 730 days earlier: too old to compare.');
  });

  it('says when there is no flip in range', () => {
    const none = {
      ...spx,
      flip: { level: null, crossings: [], status: 'none-in-range' as const, distancePct: null },
    };
    expect(email(null, none).subject).toBe('SPX +$16.1bn γ · no flip');
  });
});

describe('the body', () => {
  const e = email(
    before({
      spot: 4467.44,
      totals: { ...spx.totals, netGex: 12.0e9 },
      flip: { ...spx.flip, level: 4480 },
      walls: { callWall: 4500, putWall: 4400, maxPain: 4450 },
    }),
  );

  it('leads each block with the change since the previous session in one line', () => {
    for (const body of [e.html, e.text]) {
      // Flip 4,480 → 4,494.30; walls 4,500 → 4,525 and 4,400 → 4,500; same chain, so no open interest moved.
      expect(body).toContain('Flip +14.30 to 4,494.30; call wall 4,500 → 4,525; put wall 4,400 → 4,500.');
      expect(body).toContain('4,505.10');
      expect(body).toContain('+$16.1bn');
      expect(body).toContain('4,525 / 4,500');
      expect(body).toContain('Not investment advice; derived from delayed public data');
    }
    expect(e.text).toContain('Assumptions: classic positioning, r = 0, q = 0, profile ±20%.');
    expect(e.text).toContain('Report: https://reports.example.com/SPX/latest.html');
    expect(e.html).toContain('href="https://reports.example.com/SPX/latest.json"');
  });

  it('names the largest open-interest build between two real sessions (SPX 2023-05-23 to 05-26)', () => {
    const may23 = analyse(loadFixture('cboe_SPX_2023-05-23.csv'));
    const may26 = analyse(loadFixture('cboe_SPX_2023-05-26.csv'));
    const p = published(may23, may26);
    const limits = { ...DEFAULT_FRESHNESS, sessions: 3 };
    const body = composeEmail(
      [summarize(p.record, [], limits)],
      [p.record],
      'https://x',
      new Date(),
      limits,
    ).text;
    // 5,000 puts: 93,024 more contracts on 05-26 than on 05-23, read from the two files.
    expect(body).toContain('largest OI build: 5,000 puts +93,024');
  });

  it('carries the dealers’ book, the expected move and the concentration note in a few short lines', () => {
    for (const body of [e.html, e.text]) {
      expect(body).toContain(
        'DEX +$1.94tn · VEX +$29.6bn per vol point · CEX \u2212$15.9bn per day · Gamma tilt +0.04',
      );
      expect(body).toMatch(/±22\.93/);
      expect(body).toContain('±0.51%');
      expect(body).toContain('without it net GEX is +$2.1bn per 1% move');
    }
    expect(e.text).toContain('Expected move         ±22.93 (±0.51%) to 2023-09-15 (23 h)');
    expect(e.html).toContain('>Expected move to 2023-09-15 (23 h)</th>');
  });

  it('states the session the quotes and the open interest belong to', () => {
    expect(e.text).toContain(
      'Quotes from the Thu 14 Sep 2023 session, open interest from the Wed 13 Sep 2023 close; downloaded Thu 14 Sep 2023 16:31 EDT.',
    );
  });

  it('inlines the CSS and carries no script, no SVG and no style block', () => {
    expect(e.html).not.toMatch(/<script|<svg|<style/i);
    expect(e.html).toMatch(/<td[^>]*style="[^"]*text-align: right/);
  });

  it('escapes hostile names in HTML', () => {
    const evil = { ...spx, symbol: '<img src=x onerror=alert(1)>' };
    const html = email(null, evil).html;
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
  });
});

describe('the evidence line', () => {
  const withEvidence = (evidence: Summary['evidence']) => {
    const p = published(null);
    return composeEmail(
      [{ ...p.summary, evidence }],
      [p.record],
      'https://reports.example.com',
      new Date('2023-09-15T12:00:00Z'),
      DEFAULT_FRESHNESS,
    );
  };

  it('reads the evidence in one sentence from 20 pairs on, in both parts', () => {
    const mail = withEvidence({ pairs: 41, positive: 30, negative: 11, volRatio: 1.6, p: 0.031 });
    const line =
      'Evidence: Over 41 pairs of reports, negative-gamma days moved 1.60× as much as positive-gamma days (annualised; Mann–Whitney p = 0.03). Descriptive, close to close; not a trading signal.';
    expect(mail.text).toContain(`  ${line}\n`);
    expect(mail.html.replace(/&#x3D;/g, '=')).toContain(line);
  });

  it('says nothing below 20 pairs, or without evidence (a summary written by an older version)', () => {
    for (const evidence of [{ pairs: 19, positive: 10, negative: 9, volRatio: 1.2, p: 0.5 }, undefined]) {
      const mail = withEvidence(evidence);
      expect(mail.text).not.toContain('Evidence:');
      expect(mail.html).not.toContain('Evidence:');
    }
  });
});

describe('a long watchlist', () => {
  /** 20 underlyings made from the bundled chains under other names, one in negative gamma. */
  const entries = Array.from({ length: 20 }, (_, i) => {
    const r = { ...spx, symbol: `S${String(i).padStart(2, '0')}` };
    const row = summarize(r, [], DEFAULT_FRESHNESS);
    row.row.flipDistancePct = i + 0.5;
    if (i === 7) Object.assign(row.row, { regime: 'negative', netGex: -1e9, tilt: -0.3 });
    return row;
  });

  it('leads with the screener’s highlights instead of a block per underlying', () => {
    expect(entries.length).toBeGreaterThan(DETAIL_LIMIT);
    const e = composeEmail(entries, [], 'https://x', new Date(), DEFAULT_FRESHNESS);
    expect(e.subject).toBe('20 underlyings, 1 in negative gamma');
    expect(e.text).toContain('Nearest to their flip:\n  S00  +0.50% from spot  https://x/S00/latest.html');
    expect(e.text).toContain('Negative gamma, most one-sided first:\n  S07  tilt -0.30');
    expect(e.text).not.toContain('Spot                  ');
  });
});

describe('a crypto book', () => {
  // The second venue is the real Deribit chain scaled into another venue's shape (tests/book-fixture.ts).
  const deribit = deribitBtc();
  const btc = analyse(combineBook([deribit, secondVenueChain(deribit)]).chain);
  const summary = summarize(btc, [], DEFAULT_FRESHNESS);

  it('shows how many venues it sums beside its name, in a block and in the highlights, and nothing for Cboe', () => {
    const blocks = composeEmail(
      [summary, published(null).summary],
      [btc, published(null).record],
      'https://x',
      new Date(),
      DEFAULT_FRESHNESS,
    );
    expect(blocks.text).toContain('\nBTC (2 venues): Positive gamma\n');
    expect(blocks.text).toContain('\nSPX: Positive gamma\n');
    expect(blocks.html).toMatch(/<h2[^>]*>BTC <small[^>]*>2 venues<\/small> <span/);
    expect(blocks.html).toMatch(/<h2[^>]*>SPX <span/);
    const many = Array.from({ length: DETAIL_LIMIT + 1 }, (_, i) => ({
      ...summary,
      row: { ...summary.row, symbol: `B${i}`, flipDistancePct: i },
    }));
    const highlights = composeEmail(many, [], 'https://x', new Date(), DEFAULT_FRESHNESS);
    expect(highlights.text).toContain('Nearest to their flip:\n  B0 (2 venues)  ');
  });
});
