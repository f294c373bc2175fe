import { parse } from 'csv-parse/sync';
import { analyse } from '../../lambda/gamma/analyse';
import { levelsCsv, pineScript } from '../../lambda/report/levels-export';
import { SCREENER_COLUMNS, screenerCsv, screenerRow } from '../../lambda/report/screener';
import { chain, contract, loadFixture } from '../helpers';

const spx = analyse(loadFixture('cboe_SPX_2023-09-14.csv'));
const btc = analyse(loadFixture('deribit_BTC_2026-03-13.json'));

describe('the levels for charting tools', () => {
  it('writes a CSV a spreadsheet reads back to the record’s own prices', () => {
    const rows = parse(levelsCsv(spx), { columns: true }) as { level: string; price: string }[];
    expect(rows.map((r) => [r.level, Number(r.price)])).toEqual([
      ['spot', spx.spot],
      ['gamma flip', spx.flip.level],
      ['call wall', 4525],
      ['put wall', 4500],
      ['absolute gamma strike', 4500],
      ['max pain', 4420],
      ['expected move lower (2023-09-15)', spx.expectedMove.nextExpiry!.lower],
      ['expected move upper (2023-09-15)', spx.expectedMove.nextExpiry!.upper],
    ]);
  });

  it('leaves out the levels a report does not have', () => {
    // A call above spot and one put far above it (a chain needs both sides, §3): no flip in range, no put wall,
    // no strike below the forward for the expected move.
    const put = contract({ type: 'put', strike: 200, openInterest: 1 });
    const bare = analyse(chain([contract({ strike: 110 }), put]));
    const names = (parse(levelsCsv(bare), { columns: true }) as { level: string }[]).map((r) => r.level);
    expect(names).toEqual(['spot', 'call wall', 'absolute gamma strike', 'max pain']);
    expect(pineScript(bare)).not.toMatch(/Gamma flip|Put wall|Expected move/);
  });

  it('writes a Pine Script v5 indicator with the flip, the walls and the expected-move band', () => {
    const pine = pineScript(spx);
    expect(pine.split('\n')[0]).toBe('//@version=5');
    expect(pine).toContain('indicator("SPX gamma levels 2023-09-14", overlay=true)');
    expect(pine).toContain(`hline(${spx.flip.level}, "Gamma flip", color=color.orange`);
    expect(pine).toContain('hline(4525, "Call wall", color=color.green');
    expect(pine).toContain('hline(4500, "Put wall", color=color.red');
    expect(pine).toContain(
      'fill(lower, upper, color=color.new(color.blue, 90), title="Expected move to 2023-09-15")',
    );
  });
});

describe('the screener CSV', () => {
  it('reads back through a CSV parser to the same rows as screener.json', () => {
    const rows = [screenerRow(spx, 1.25), screenerRow(btc, null)];
    const read = parse(screenerCsv(rows), { columns: true }) as Record<string, string>[];
    expect(Object.keys(read[0]!)).toEqual([...SCREENER_COLUMNS]);
    read.forEach((r, i) => {
      for (const c of SCREENER_COLUMNS) {
        const v = rows[i]![c];
        expect([c, typeof v === 'number' ? Number(r[c]) : v === null ? null : r[c]]).toEqual([c, v]);
      }
    });
    // A missing value is an empty cell, not "null".
    const noFlip = { ...screenerRow(spx, null), flip: null };
    expect(screenerCsv([noFlip]).split('\r\n')[1]!.split(',')[SCREENER_COLUMNS.indexOf('flip')]).toBe('');
  });
});
