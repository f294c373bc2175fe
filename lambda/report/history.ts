import type { ReportRecord } from '../types';

/** What the history charts, the sparkline and the archive need of one report: a few numbers, not the record. */
export interface HistoryPoint {
  /** The report's date in the market's zone: its file name, and the key (one point a date). */
  date: string;
  asOf: string;
  spot: number;
  flip: number | null;
  callWall: number | null;
  putWall: number | null;
  /** Absent in history written before it was kept. */
  maxPain?: number | null;
  netGex: number;
  regime: ReportRecord['regime'];
}

export function historyPoint(record: ReportRecord, date: string): HistoryPoint {
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

/** The history with `point` in it, replacing any point of the same date, in time order. */
export function withPoint(history: readonly HistoryPoint[], point: HistoryPoint): HistoryPoint[] {
  return [...history.filter((p) => p.date !== point.date), point].sort((a, b) =>
    a.asOf.localeCompare(b.asOf),
  );
}
