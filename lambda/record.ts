import type { ReportRecord, SourceKind } from './types';
import { dateInZone, VENUES, type Venue } from './venues';

/** The venue of each source (a Cboe CSV download is Cboe's): a new source is a type error until it has one. */
const SOURCE_VENUE: Record<SourceKind, Venue> = { cboe: 'cboe', 'cboe-csv': 'cboe', deribit: 'deribit' };

/** The venue a record's data came from. */
export function venueOf(source: SourceKind): Venue {
  return SOURCE_VENUE[source];
}

/** The zone whose calendar names the record's dates: New York for Cboe, UTC for Deribit. */
export function marketZone(source: SourceKind): string {
  return VENUES[venueOf(source)].zone;
}

/** The calendar date that names a record's files: asOf in the market's zone. */
export function reportDate(record: Pick<ReportRecord, 'asOf' | 'source'>): string {
  return dateInZone(Date.parse(record.asOf), marketZone(record.source));
}
