import { analyse } from '../../lambda/gamma/analyse';
import { changeSince } from '../../lambda/gamma/change';
import { loadFixture, readFixture } from '../helpers';

/**
 * Open interest by strike read straight from a Cboe CSV download, with §3's filters restated for a snapshot
 * taken after the close (expiry date after the snapshot's date, open interest above 0, IV from 1% to 500%):
 * the reference the change of §11 is checked against.
 */
function rawOpenInterest(name: string, snapshotDate: string): Map<number, { call: number; put: number }> {
  const lines = readFixture(name).split(/\r?\n/);
  const header = lines.findIndex((l) => l.startsWith('Expiration Date,'));
  const out = new Map<number, { call: number; put: number }>();
  for (const line of lines.slice(header + 1)) {
    const cells = line.split(',');
    if (cells.length < 22) continue;
    const strike = Number(cells[11]);
    const at = out.get(strike) ?? { call: 0, put: 0 };
    for (const [side, symbol, iv, oi] of [
      ['call', cells[1], cells[7], cells[10]],
      ['put', cells[12], cells[18], cells[21]],
    ] as const) {
      const m = /(\d\d)(\d\d)(\d\d)[CP]\d{8}$/.exec(symbol!)!;
      const expiry = `20${m[1]}-${m[2]}-${m[3]}`;
      const counts = expiry > snapshotDate && Number(oi) > 0 && Number(iv) >= 0.01 && Number(iv) <= 5;
      if (counts) at[side] += Number(oi);
    }
    out.set(strike, at);
  }
  return out;
}

describe('the change since the previous report (docs/methodology.md §11)', () => {
  const may23 = analyse(loadFixture('cboe_SPX_2023-05-23.csv'));
  const may26 = analyse(loadFixture('cboe_SPX_2023-05-26.csv'));
  const change = changeSince(may23, may26);

  it('names the previous report by its instant and its quote session', () => {
    expect(change.previousAsOf).toBe(may23.asOf);
    expect(change.previousSession).toBe('2023-05-23');
    // Downloaded Saturday 2023-05-20: Friday's session, from the record, or for a record stored without
    // sessions (an older version), from the session open at its snapshot.
    const may19 = analyse(loadFixture('cboe_SPX_2023-05-19.csv'));
    expect(changeSince(may19, may23).previousSession).toBe('2023-05-19');
    expect(changeSince({ ...may19, session: undefined }, may23).previousSession).toBe('2023-05-19');
    // A Deribit record stored without one: the UTC date of its snapshot (still 2026-03-12 in New York).
    const btc = analyse(loadFixture('deribit_BTC_2026-03-13.json'));
    const late = { ...btc, asOf: '2026-03-13T02:00:00.000Z', session: undefined };
    expect(changeSince(late, btc).previousSession).toBe('2026-03-13');
  });

  it('gives each level as new − old', () => {
    expect(change.spot).toBeCloseTo(4205.45 - 4145.58, 2); // the files' Last: lines
    expect(change.netGex).toBeCloseTo(may26.totals.netGex - may23.totals.netGex, 0);
    expect(change.callWall).toBe(4300 - 4150);
    expect(change.putWall).toBe(0);
    expect(change.flip).toBeCloseTo(may26.flip.level! - may23.flip.level!, 9);
  });

  it('lists the 10 strikes whose open interest moved most, as summed from the raw files', () => {
    const before = rawOpenInterest('cboe_SPX_2023-05-23.csv', '2023-05-23');
    const after = rawOpenInterest('cboe_SPX_2023-05-26.csv', '2023-05-26');
    const strikes = [...new Set([...before.keys(), ...after.keys()])];
    const moves = strikes
      .map((strike) => ({
        strike,
        callOi: (after.get(strike)?.call ?? 0) - (before.get(strike)?.call ?? 0),
        putOi: (after.get(strike)?.put ?? 0) - (before.get(strike)?.put ?? 0),
      }))
      .sort(
        (a, b) =>
          Math.abs(b.callOi) + Math.abs(b.putOi) - (Math.abs(a.callOi) + Math.abs(a.putOi)) ||
          a.strike - b.strike,
      )
      .slice(0, 10);
    expect(change.oi).toEqual(moves);
    expect(change.oi[0]).toEqual({ strike: 5000, callOi: -12391, putOi: 93024 });
  });

  it('counts a strike missing on one side as 0 there, and is null where either flip is missing', () => {
    const noFlip = { ...may26, flip: { ...may26.flip, level: null } };
    expect(changeSince(may23, noFlip).flip).toBeNull();
    expect(changeSince({ ...may23, flip: { ...may23.flip, level: null } }, may26).flip).toBeNull();
    const emptied = { ...may23, byStrike: [] };
    const c = changeSince(emptied, may26);
    const top = [...may26.byStrike].sort((a, b) => b.callOi + b.putOi - (a.callOi + a.putOi))[0]!;
    expect(c.oi[0]).toEqual({ strike: top.strike, callOi: top.callOi, putOi: top.putOi });
    // Equal moves: the lower strike first, whatever order the rows come in.
    const row = (strike: number, callOi: number, putOi: number) => ({
      ...may26.byStrike[0]!,
      strike,
      callOi,
      putOi,
    });
    const tie = changeSince(emptied, {
      ...may26,
      byStrike: [row(4100, 5, 0), row(4000, 0, 5), row(4050, 2, 2)],
    });
    expect(tie.oi.map((r) => r.strike)).toEqual([4000, 4100, 4050]);
  });
});
