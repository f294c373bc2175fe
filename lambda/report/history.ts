import type { HistoryPoint, StoredRecord } from '../record-schema';

export type { HistoryPoint };

/** A report's point in its underlying's history; any stored record has the fields it needs. */
export function historyPoint(record: StoredRecord, date: string): HistoryPoint {
  return {
    date,
    asOf: record.asOf,
    spot: record.spot,
    flip: record.flip.level,
    callWall: record.levels.callWall,
    putWall: record.levels.putWall,
    maxPain: record.levels.maxPain,
    netGex: record.totals.netGex,
    regime: record.regime,
  };
}

/**
 * The history with `point` in it, replacing any point of the same date or the same snapshot (one an older
 * version filed under another date), in time order.
 */
export function withPoint(history: readonly HistoryPoint[], point: HistoryPoint): HistoryPoint[] {
  return [...history.filter((p) => p.date !== point.date && p.asOf !== point.asOf), point].sort((a, b) =>
    a.asOf.localeCompare(b.asOf),
  );
}
