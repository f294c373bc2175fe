import type { ReportRecord, SourceKind } from './types';
import { SOURCES, VENUES, type Venue } from './venues';

/** The venue a record's data came from (the table of sources in lambda/venues.ts). */
export function venueOf(source: SourceKind): Venue {
  return SOURCES[source];
}

/** The zone whose calendar names the record's dates: New York for Cboe, UTC for Deribit. */
export function marketZone(source: SourceKind): string {
  return VENUES[venueOf(source)].zone;
}

/**
 * The date that names a report everywhere (its files `<SYM>/<date>.*`, page title, screener, email, CLI): the
 * session its quotes belong to (docs/methodology.md §7). For an exchange calendar that is the trading session,
 * so a Cboe file downloaded on a Saturday or before Tuesday's open is Friday's or Monday's report; for a venue
 * that trades around the clock it is the UTC date of the snapshot. `session` is computed once, by the analysis.
 */
export function reportDate(record: Pick<ReportRecord, 'session'>): string {
  return record.session.quotes;
}
