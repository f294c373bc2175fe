import { analyse } from '../../lambda/gamma/analyse';
import {
  formatFlipDistance,
  formatInstant,
  formatPct,
  formatPrice,
  formatStrike,
  formatUsd,
} from '../../lambda/report/format';
import { renderIndexPage, renderReportPage } from '../../lambda/report/render';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chain, contract, loadFixture, ROOT } from '../helpers';

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
    expect(formatPrice(null)).toBe('—');
    expect(formatStrike(72250)).toBe('72,250');
    expect(formatStrike(0.625)).toBe('0.625');
    expect(formatPct(0.2398)).toBe('+0.24%');
    expect(formatPct(-1.5)).toBe('\u22121.50%');
    expect(formatFlipDistance(0.2398)).toBe('0.24% below spot');
    expect(formatFlipDistance(-3)).toBe('3.00% above spot');
    expect(formatInstant('2023-09-14T20:31:00.000Z', 'America/New_York')).toBe('2023-09-14 16:31 EDT');
    expect(formatInstant('2022-12-13T01:30:00.000Z', 'America/New_York')).toBe('2022-12-12 20:30 EST');
  });
});

describe('the report page', () => {
  const html = renderReportPage(spx);

  it('shows the regime, spot, net GEX, flip and walls of the record', () => {
    expect(html).toContain('Positive gamma');
    expect(html).toContain(formatPrice(spx.spot));
    expect(html).toContain(formatUsd(spx.totals.netGex));
    expect(html).toContain(formatPrice(spx.flip.level));
    expect(html).toContain(`<dt>Call wall</dt><dd>${formatStrike(spx.levels.callWall)}</dd>`);
    expect(html).toContain('Snapshot 2023-09-14 16:31 EDT (2023-09-14 20:31 UTC)');
    expect(html).toContain('href="2023-09-14.json"');
    expect(html).toContain('Not investment advice; derived from delayed public data.');
  });

  it('says plainly when there is no flip in range', () => {
    const none = analyse(chain([contract({ strike: 100 })]));
    expect(renderReportPage(none)).toContain('No flip within ±20%');
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
    const index = renderIndexPage([{ record: evil, history: [] }], new Date());
    expect(index).not.toContain('<script>');
  });
});
