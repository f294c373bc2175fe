import { venueOf } from '../record';
import type { StoredRecord } from '../record-schema';
import type { ReportRecord } from '../types';
import { quoteSession } from './analyse';

export type Change = NonNullable<ReportRecord['change']>;

/** Strikes §11 lists, the largest open-interest changes first. */
export const CHANGED_STRIKES = 10;

const diff = (now: number | null, before: number | null) =>
  now === null || before === null ? null : now - before;

/**
 * The change since the previous report of the same underlying (docs/methodology.md §11): that report's
 * instant and quote session, each level as new − old (null where either side has none), and the strikes whose
 * open interest moved most, |ΔcallOi| + |ΔputOi|, a strike missing on one side counting as 0 there; ties to
 * the lower strike.
 */
export function changeSince(previous: StoredRecord, current: ReportRecord): Change {
  const oi = new Map<number, { strike: number; callOi: number; putOi: number }>();
  const at = (strike: number) => {
    let row = oi.get(strike);
    if (!row) oi.set(strike, (row = { strike, callOi: 0, putOi: 0 }));
    return row;
  };
  for (const s of current.byStrike) {
    const row = at(s.strike);
    row.callOi += s.callOi;
    row.putOi += s.putOi;
  }
  for (const s of previous.byStrike) {
    const row = at(s.strike);
    row.callOi -= s.callOi;
    row.putOi -= s.putOi;
  }
  const size = (r: { callOi: number; putOi: number }) => Math.abs(r.callOi) + Math.abs(r.putOi);
  return {
    previousAsOf: previous.asOf,
    // A record stored before sessions were recorded: the session open at its snapshot.
    previousSession:
      previous.session?.quotes ?? quoteSession(venueOf(previous.source), Date.parse(previous.asOf)),
    spot: current.spot - previous.spot,
    netGex: current.totals.netGex - previous.totals.netGex,
    flip: diff(current.flip.level, previous.flip.level),
    callWall: diff(current.levels.callWall, previous.levels.callWall),
    putWall: diff(current.levels.putWall, previous.levels.putWall),
    oi: [...oi.values()].sort((a, b) => size(b) - size(a) || a.strike - b.strike).slice(0, CHANGED_STRIKES),
  };
}
