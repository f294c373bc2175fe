import { alerts, composeEmail } from '../lambda/email/compose';
import { analyse } from '../lambda/gamma/analyse';
import { historyPoint, type HistoryPoint } from '../lambda/report/history';
import { loadFixture } from './helpers';

const spx = analyse(loadFixture('cboe_SPX_2023-09-14.csv'));
const now = historyPoint(spx, '2023-09-14');
/** The same numbers a day earlier, changed as each case needs. */
const before = (change: Partial<HistoryPoint>): HistoryPoint => ({
  ...now,
  date: '2023-09-13',
  asOf: '2023-09-13T20:15:00.000Z',
  ...change,
});
const email = (history: HistoryPoint[]) =>
  composeEmail(
    [{ record: spx, history: [...history, now] }],
    'https://reports.example.com',
    new Date('2023-09-15T12:00:00Z'),
  );

describe('the subject', () => {
  it('is the headline of the day when nothing changed: net GEX and the flip with its distance', () => {
    expect(email([before({})]).subject).toBe('SPX +$16.1bn γ · flip 4,494 (+0.2%)');
    expect(email([]).subject).toBe('SPX +$16.1bn γ · flip 4,494 (+0.2%)');
  });

  it('leads with a regime change', () => {
    expect(email([before({ regime: 'negative', netGex: -3e9 })]).subject).toBe(
      'SPX flipped to positive gamma · SPX +$16.1bn γ · flip 4,494 (+0.2%)',
    );
  });

  it('leads with a call wall that spot broke upward, and a put wall broken downward', () => {
    expect(alerts(spx, before({ spot: 4490, callWall: 4500 }))).toEqual(['SPX broke the call wall 4,500']);
    const down = { ...spx, spot: 4390 };
    expect(alerts(down, before({ spot: 4410, putWall: 4400 }))).toEqual(['SPX broke the put wall 4,400']);
    expect(alerts(spx, before({ spot: 4510, callWall: 4500 }))).toEqual([]);
  });

  it('says when there is no flip in range', () => {
    const none = {
      ...spx,
      flip: { level: null, crossings: [], status: 'none-in-range' as const, distancePct: null },
    };
    expect(composeEmail([{ record: none, history: [] }], 'https://x', new Date()).subject).toBe(
      'SPX +$16.1bn γ · no flip',
    );
  });
});

describe('the body', () => {
  const e = email([
    before({ spot: 4467.44, netGex: 12.0e9, flip: 4480, callWall: 4500, putWall: 4400, maxPain: 4450 }),
  ]);

  it('shows each level with its change since the previous report, in HTML and in plain text alike', () => {
    for (const body of [e.html, e.text]) {
      expect(body).toContain('4,505.10');
      expect(body).toContain('+0.84%'); // spot from 4,467.44
      expect(body).toContain('+$16.1bn');
      expect(body).toContain('+$4.1bn'); // net GEX from +$12.0bn
      expect(body).toContain('4,494.30');
      expect(body).toContain('+14.30'); // flip from 4,480
      expect(body).toContain('+25'); // call wall 4,500 → 4,525
      expect(body).toContain('+100'); // put wall 4,400 → 4,500
      expect(body).toContain('\u221230'); // max pain 4,450 → 4,420
      expect(body).toContain('changes since 2023-09-13');
      expect(body).toContain('Not investment advice; derived from delayed public data');
      expect(body).toContain('classic positioning');
    }
    expect(e.text).toContain('Assumptions: classic positioning, r = 0, q = 0, profile ±20%.');
    expect(e.text).toContain('Report: https://reports.example.com/SPX/latest.html');
    expect(e.html).toContain('href="https://reports.example.com/SPX/latest.json"');
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
    expect(e.text).toContain('Expected move         ±22.93 (±0.51%) to 2023-09-15');
  });

  it('inlines the CSS and carries no script, no SVG and no style block', () => {
    expect(e.html).not.toMatch(/<script|<svg|<style/i);
    expect(e.html).toMatch(/<td[^>]*style="[^"]*text-align: right/);
  });

  it('escapes hostile names in HTML', () => {
    const evil = { ...spx, symbol: '<img src=x onerror=alert(1)>' };
    const html = composeEmail([{ record: evil, history: [] }], 'https://x', new Date()).html;
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
  });
});
