import { DateTime } from 'luxon';

/** NYSE full-day closures (Rule 7.2): a Saturday holiday moves to Friday, a Sunday one to Monday, except
 * New Year's Day on a Saturday, which is not made up on the last trading day of the year before. */

function nthWeekday(year: number, month: number, weekday: number, n: number): DateTime {
  const first = DateTime.utc(year, month, 1);
  return first.plus({ days: ((weekday - first.weekday + 7) % 7) + 7 * (n - 1) });
}

function lastWeekday(year: number, month: number, weekday: number): DateTime {
  const last = DateTime.utc(year, month, 1).endOf('month').startOf('day');
  return last.minus({ days: (last.weekday - weekday + 7) % 7 });
}

/** Easter Sunday (anonymous Gregorian algorithm). */
export function easter(year: number): DateTime {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return DateTime.utc(year, month, day);
}

function observed(date: DateTime): DateTime {
  if (date.weekday === 6) return date.minus({ days: 1 });
  if (date.weekday === 7) return date.plus({ days: 1 });
  return date;
}

const MON = 1;
const THU = 4;

/** The NYSE holidays of a year, as YYYY-MM-DD. */
export function nyseHolidays(year: number): string[] {
  const newYear = DateTime.utc(year, 1, 1);
  const days = [
    ...(newYear.weekday === 6 ? [] : [observed(newYear)]),
    nthWeekday(year, 1, MON, 3), // Martin Luther King Jr. Day
    nthWeekday(year, 2, MON, 3), // Washington's Birthday
    easter(year).minus({ days: 2 }), // Good Friday
    lastWeekday(year, 5, MON), // Memorial Day
    ...(year >= 2022 ? [observed(DateTime.utc(year, 6, 19))] : []), // Juneteenth
    observed(DateTime.utc(year, 7, 4)),
    nthWeekday(year, 9, MON, 1), // Labor Day
    nthWeekday(year, 11, THU, 4), // Thanksgiving
    observed(DateTime.utc(year, 12, 25)),
  ];
  return days.map((d) => d.toISODate()!).sort();
}

/** Whether the New York calendar date of an instant is an NYSE holiday. */
export function isNyseHoliday(instant: Date): boolean {
  const ny = DateTime.fromJSDate(instant, { zone: 'America/New_York' });
  return nyseHolidays(ny.year).includes(ny.toISODate()!);
}

/** Whether a New York calendar date (YYYY-MM-DD) is an NYSE trading day: a weekday that is not a holiday. */
export function isTradingDay(date: string): boolean {
  const d = DateTime.fromISO(date, { zone: 'UTC' });
  return d.weekday <= 5 && !nyseHolidays(d.year).includes(date);
}

/** The NYSE trading day before a date. */
export function previousTradingDay(date: string): string {
  let d = DateTime.fromISO(date, { zone: 'UTC' }).minus({ days: 1 });
  while (!isTradingDay(d.toISODate()!)) d = d.minus({ days: 1 });
  return d.toISODate()!;
}

/**
 * The NYSE session whose quotes an instant shows: its New York date once that day's session has opened
 * (09:30), else the trading day before. A Sunday download or an 08:30 run shows the previous session.
 */
export function sessionOf(instant: number): string {
  const ny = DateTime.fromMillis(instant, { zone: 'America/New_York' });
  const date = ny.toISODate()!;
  const opened = ny.hour * 60 + ny.minute >= 9 * 60 + 30;
  return isTradingDay(date) && opened ? date : previousTradingDay(date);
}

/** Trading days after `from` up to and including `to` (0 when `to` is not later). */
export function tradingDaysBetween(from: string, to: string): number {
  let n = 0;
  for (let d = to; d > from; d = previousTradingDay(d)) if (isTradingDay(d)) n += 1;
  return n;
}
