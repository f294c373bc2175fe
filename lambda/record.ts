import type { ReportRecord, SourceKind } from './types';
import { dateInZone, VENUES, type Venue } from './venues';

/** The venue a record's data came from (a Cboe CSV download is Cboe's). */
export function venueOf(source: SourceKind): Venue {
  return source === 'deribit' ? 'deribit' : 'cboe';
}

/** The zone whose calendar names the record's dates: New York for Cboe, UTC for Deribit. */
export function marketZone(source: SourceKind): string {
  return VENUES[venueOf(source)].zone;
}

/** The calendar date that names a record's files: asOf in the market's zone. */
export function reportDate(record: Pick<ReportRecord, 'asOf' | 'source'>): string {
  return dateInZone(Date.parse(record.asOf), marketZone(record.source));
}
