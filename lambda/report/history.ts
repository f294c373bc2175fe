import { pairsOf, regimeEvidence, type Evidence, type EvidencePair, type PairGaps } from '../gamma/evidence';
import { venueOf } from '../record';
import type { HistoryPoint, StoredRecord } from '../record-schema';
import type { SourceKind } from '../types';
import { GROUPS, VENUES } from '../venues';

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
    tilt: record.totals.tilt ?? null,
    atmIv: record.expectedMove?.nextExpiry?.atmIv ?? null,
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

/** The pair gaps of the schedule group whose venue a record's source is (docs/methodology.md §16). */
function gapsOf(source: SourceKind): PairGaps {
  return GROUPS[VENUES[venueOf(source)].group].evidence;
}

/**
 * The regime evidence of an underlying (docs/methodology.md §16) from its history, one point per stored
 * record, with the pair gaps of its venue's schedule group.
 */
export function evidenceOf(symbol: string, source: SourceKind, history: readonly HistoryPoint[]): Evidence {
  return regimeEvidence(symbol, history, gapsOf(source));
}

/** The pairs that evidence is computed over, for its chart. */
export function evidencePairsOf(source: SourceKind, history: readonly HistoryPoint[]): EvidencePair[] {
  return pairsOf(history, gapsOf(source));
}
