import { analyse } from '../../lambda/gamma/analyse';
import {
  formatFlipDistance,
  formatHorizon,
  formatInstant,
  formatPct,
  formatPrice,
  formatStrike,
  formatUsd,
} from '../../lambda/report/format';
import { renderIndexPage, renderReportPage } from '../../lambda/report/render';
import { DEFAULT_FRESHNESS, summarize } from '../../lambda/report/screener';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chain, contract, loadFixture, ROOT, twoSided } from '../helpers';

const spx = analyse(loadFixture('cboe_SPX_2023-09-14.csv'));

describe('display formatting', () => {
  it.each([
    [16.103e9, '+$16.1bn'],
    [-10.784e9, '\u2212$10.8bn'],
    [2.7e6, '+$2.7m'],
    [731.5e3, '+$731.5k'],
    [-12, '\u2212$12'],
    [0, '$0'],
  ])('formats %d as %s', (n, text) => {
    expect(formatUsd(n)).toBe(text);
  });

  it('formats levels, strikes, percentages and instants for reading', () => {
    expect(formatPrice(4505.1001)).toBe('4,505.10');
    // Four significant digits at least: a coin near $1 (XRP_USDC) keeps its flip's third decimal.
    expect([formatPrice(142.1), formatPrice(1.7762175), formatPrice(0.051234), formatPrice(0)]).toEqual([
      '142.10',
      '1.776',
      '0.05123',
      '0.00',
    ]);
    expect(formatStrike(1.8125)).toBe('1.8125');
    expect(formatPrice(null)).toBe('—');
    expect(formatStrike(72250)).toBe('72,250');
    expect(formatStrike(0.625)).toBe('0.625');
    expect(formatPct(0.2398)).toBe('+0.24%');
    expect(formatPct(-1.5)).toBe('\u22121.50%');
    // One convention (docs/methodology.md §6): (spot − flip) / spot, signed as the record holds it.
    expect(formatFlipDistance(0.2398)).toBe('+0.24% (spot above the flip)');
    expect(formatFlipDistance(-3)).toBe('\u22123.00% (spot below the flip)');
    expect(formatFlipDistance(0)).toBe('0.00% (spot at the flip)');
    expect(formatUsd(1.943e12)).toBe('+$1.94tn');
    expect(formatInstant('2023-09-14T20:31:00.000Z', 'America/New_York')).toBe('2023-09-14 16:31 EDT');
    expect(formatInstant('2022-12-13T01:30:00.000Z', 'America/New_York')).toBe('2022-12-12 20:30 EST');
  });

  it.each([
    [0.25, '15 min'],
    [2.33, '2 h'],
    [23.48, '23 h'],
    [47.4, '47 h'],
    [52.45, '2.2 d'],
    [94.98, '4.0 d'],
    [408, '17 d'],
  ])('says how far ahead an expected move looks: %d hours as %s', (hours, text) => {
    expect(formatHorizon(hours)).toBe(text);
  });
});

describe('the report page', () => {
  const html = renderReportPage(spx);

  it('shows the regime, spot, net GEX, flip and walls of the record', () => {
    expect(html).toContain('Positive gamma');
    expect(html).toContain(formatPrice(spx.spot));
    expect(html).toContain(formatUsd(spx.totals.netGex));
    expect(html).toContain(formatPrice(spx.flip.level));
    expect(html).toContain(
      `<dt>Call wall</dt><dd data-field="call-wall">${formatStrike(spx.levels.callWall)}</dd>`,
    );
    expect(html).toContain(
      'Quotes from the Thu 14 Sep 2023 session, open interest from the Wed 13 Sep 2023 close; downloaded Thu 14 Sep 2023 16:31 EDT.',
    );
    expect(html).toContain('2023-09-14 20:31 UTC');
    expect(html).toContain('href="2023-09-14.json"');
    expect(html).toContain('Not investment advice; derived from delayed public data.');
  });

  it('shows the dealers’ book with each figure and what it means for hedging', () => {
    // SPX 2023-09-14 (checked against scripts/reference.py): DEX +$1.94tn, VEX +$29.6bn, CEX −$15.9bn, tilt +0.04.
    expect(html).toContain('+$1.94tn');
    expect(html).toContain('+$29.6bn <small>per vol point</small>');
    expect(html).toContain('\u2212$15.9bn <small>per day</small>');
    expect(html).toContain('>+0.04<');
    expect(html).toContain(
      'If implied volatility rises 1 point, dealers’ delta grows by $29.6bn, so they sell about that much to stay hedged',
    );
    expect(html).toContain('Each calendar day that passes, dealers’ delta shrinks by $15.9bn');
  });

  it('shows the expected move with its band, and says so when it cannot be worked out', () => {
    // To 2023-09-15 16:00 New York (the PM-settled SPXW), 23.5 hours after the 16:31 snapshot.
    expect(html).toContain('±22.93 <small>(±0.51%) in 23 h</small>');
    expect(html).toContain('4,482.18 to 4,528.03 by 2023-09-15:');
    const oneSided = analyse(chain([contract({ strike: 110 }), contract({ strike: 120, type: 'put' })]));
    expect(renderReportPage(oneSided)).toContain(
      'not available: the next expiry has no listed strike on one side of the forward',
    );
  });

  it('warns when the next expiry carries most of the net gamma, with the figure without it', () => {
    // 2023-09-15 holds +$14.0bn of +$16.1bn: without it +$2.1bn.
    expect(html).toContain(
      'The next expiry, 2023-09-15, carries +$14.0bn of the +$16.1bn net GEX (87%); without it net GEX is +$2.1bn per 1% move.',
    );
    const spy = analyse(loadFixture('cboe_SPY_2025-06-06.json'));
    expect(renderReportPage(spy)).not.toContain('data-field="concentration"');
  });

  it('has a 0DTE line only when something expires on the snapshot’s date', () => {
    expect(html).not.toContain('data-field="zero-dte"');
    const intraday = analyse(loadFixture('cboe_SPX_2023-06-09_intraday.csv'));
    expect(renderReportPage(intraday)).toContain('<strong>0DTE: 10% of gross gamma, net +$13.0bn</strong>');
  });

  it('says plainly when there is no flip in range', () => {
    const none = analyse(chain(twoSided([contract({ strike: 100 })])));
    expect(renderReportPage(none)).toContain('None within ±20%');
  });

  it('has no triple-stash (unescaped output) in any template', () => {
    const dir = join(ROOT, 'templates');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.hbs'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files)
      expect({ f, raw: /\{\{\{|\{\{&/.test(readFileSync(join(dir, f), 'utf8')) }).toEqual({ f, raw: false });
  });

  it('escapes every value: a symbol holding markup renders as text', () => {
    const evil = { ...spx, symbol: '<script>alert(1)</script>' };
    const page = renderReportPage(evil);
    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const index = renderIndexPage([summarize(evil, [], DEFAULT_FRESHNESS)], new Date());
    // The one script is the screener's own, a constant file; the symbol is text.
    expect(index.match(/<script>/g)).toHaveLength(1);
    expect(index).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
