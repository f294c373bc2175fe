import { DateTime, FixedOffsetZone, type Zone } from 'luxon';
import { VENUES } from '../venues';

const NEW_YORK = VENUES.cboe.zone;

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

function monthNumber(word: string): number | null {
  const w = word.toLowerCase().replace(/\.$/, '');
  if (w.length < 3) return null;
  const i = MONTHS.findIndex((m) => m === w || (m.startsWith(w) && (w.length === 3 || w === 'sept')));
  return i < 0 ? null : i + 1;
}

const MONTH_FIRST = /^([A-Za-z]+\.?) (\d{1,2}) (\d{4})(.*)$/;
const DAY_FIRST = /^(\d{1,2}) ([A-Za-z]+\.?) (\d{4})(.*)$/;
const TIME_AND_ZONE =
  /^(?:(\d{1,2}):(\d{2})(?::(\d{2}))?(?: ?([AP]M))?)?(?: ?(EST|EDT|ET|UTC|GMT)(?: ?([+-]) ?(\d{1,2})(?::?(\d{2}))?)?)?$/i;

function zoneFor(name: string | undefined, sign?: string, hours?: string, minutes?: string): Zone | string {
  if (name === undefined) return NEW_YORK;
  switch (name.toUpperCase()) {
    case 'EST':
      return FixedOffsetZone.instance(-5 * 60);
    case 'EDT':
      return FixedOffsetZone.instance(-4 * 60);
    case 'ET':
      return NEW_YORK;
    default: {
      const offset = hours === undefined ? 0 : Number(hours) * 60 + Number(minutes ?? 0);
      return FixedOffsetZone.instance(sign === '-' ? -offset : offset);
    }
  }
}

/**
 * The snapshot instant written on a Cboe CSV download's `Date:` line, in the English forms seen in the
 * wild (docs/methodology.md §2): `September 14, 2023 at 4:31 PM EDT`, `5 April 2023, 19:41 UTC−4`, … A date with
 * no time of day means 16:15 New York; a time with no zone is New York time. Null when unreadable.
 */
export function parseCboeDate(text: string): number | null {
  const clean = text
    .replace(/[\u2212\u2013]/g, '-')
    .replace(/,/g, ' ')
    .replace(/\bat\b/gi, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  let month: number | null;
  let day: string;
  let year: string;
  let rest: string;
  const mf = MONTH_FIRST.exec(clean);
  const df = DAY_FIRST.exec(clean);
  if (mf) {
    [, , day, year, rest] = mf as unknown as [string, string, string, string, string];
    month = monthNumber(mf[1] as string);
  } else if (df) {
    [, day, , year, rest] = df as unknown as [string, string, string, string, string];
    month = monthNumber(df[2] as string);
  } else {
    return null;
  }
  const t = TIME_AND_ZONE.exec(rest.trim());
  if (month === null || !t) return null;
  const [, hh, mi, ss, ampm, zoneName, sign, offH, offM] = t;
  let hour = 16;
  let minute = 15;
  let zone: Zone | string = NEW_YORK;
  if (hh !== undefined) {
    hour = Number(hh);
    minute = Number(mi);
    if (ampm) {
      if (hour < 1 || hour > 12) return null;
      hour = (hour % 12) + (ampm.toUpperCase() === 'PM' ? 12 : 0);
    }
    zone = zoneFor(zoneName, sign, offH, offM);
  }
  const instant = DateTime.fromObject(
    { year: Number(year), month, day: Number(day), hour, minute, second: Number(ss ?? 0) },
    { zone },
  );
  return instant.isValid ? instant.toMillis() : null;
}
