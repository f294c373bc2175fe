import { easter, isNyseHoliday, nyseHolidays } from '../lambda/calendar';
import { isMonthly } from '../lambda/venues';

describe('NYSE holidays', () => {
  // As published by NYSE for 2026 and 2027.
  it('pins 2026: Independence Day on a Saturday is observed on Friday July 3', () => {
    expect(nyseHolidays(2026)).toEqual([
      '2026-01-01',
      '2026-01-19',
      '2026-02-16',
      '2026-04-03',
      '2026-05-25',
      '2026-06-19',
      '2026-07-03',
      '2026-09-07',
      '2026-11-26',
      '2026-12-25',
    ]);
  });

  it('pins 2027: Juneteenth and Christmas on Saturdays move to Friday, July 4 on a Sunday to Monday', () => {
    expect(nyseHolidays(2027)).toEqual([
      '2027-01-01',
      '2027-01-18',
      '2027-02-15',
      '2027-03-26',
      '2027-05-31',
      '2027-06-18',
      '2027-07-05',
      '2027-09-06',
      '2027-11-25',
      '2027-12-24',
    ]);
  });

  it('does not make up New Year’s Day on a Saturday (2022, 2028) on the last day of the year before', () => {
    expect(nyseHolidays(2028)).not.toContain('2027-12-31');
    expect(nyseHolidays(2028)[0]).toBe('2028-01-17');
    expect(nyseHolidays(2022)[0]).toBe('2022-01-17');
  });

  it('finds Good Friday from Easter', () => {
    expect(['2024', '2025', '2026', '2027'].map((y) => easter(Number(y)).toISODate())).toEqual([
      '2024-03-31',
      '2025-04-20',
      '2026-04-05',
      '2027-03-28',
    ]);
  });

  it('reads the date in New York: 2026-11-26 01:00 UTC is still Wednesday there', () => {
    expect(isNyseHoliday(new Date('2026-11-26T01:00:00Z'))).toBe(false);
    expect(isNyseHoliday(new Date('2026-11-26T13:30:00Z'))).toBe(true);
    expect(isNyseHoliday(new Date('2026-11-27T13:30:00Z'))).toBe(false);
  });
});

describe('standard monthly expiries (docs/methodology.md §5)', () => {
  /** Every calendar date of a year, as YYYY-MM-DD. */
  const datesOf = (year: number) =>
    Array.from({ length: 366 }, (_, i) =>
      new Date(Date.UTC(year, 0, 1 + i)).toISOString().slice(0, 10),
    ).filter((d) => d.startsWith(String(year)));

  it('are the third Friday for Cboe: the 2024 SPX monthlies, and no other day of 2024', () => {
    // Cboe's 2024 expiration calendar: the 15th (March, November) and the 21st (June) are the window's ends.
    const listed = [
      '2024-01-19',
      '2024-02-16',
      '2024-03-15',
      '2024-04-19',
      '2024-05-17',
      '2024-06-21',
      '2024-07-19',
      '2024-08-16',
      '2024-09-20',
      '2024-10-18',
      '2024-11-15',
      '2024-12-20',
    ];
    expect(datesOf(2024).filter((d) => isMonthly('cboe', d))).toEqual(listed);
  });

  it('are the last Friday of the month for Deribit: its 2024 and 2025 monthlies, and no other day', () => {
    // Deribit's monthly instruments, e.g. BTC-29MAR24, BTC-31MAY24, BTC-31JAN25, BTC-26DEC25.
    const listed2024 = [
      '2024-01-26',
      '2024-02-23',
      '2024-03-29',
      '2024-04-26',
      '2024-05-31',
      '2024-06-28',
      '2024-07-26',
      '2024-08-30',
      '2024-09-27',
      '2024-10-25',
      '2024-11-29',
      '2024-12-27',
    ];
    const listed2025 = [
      '2025-01-31',
      '2025-02-28',
      '2025-03-28',
      '2025-04-25',
      '2025-05-30',
      '2025-06-27',
      '2025-07-25',
      '2025-08-29',
      '2025-09-26',
      '2025-10-31',
      '2025-11-28',
      '2025-12-26',
    ];
    expect(datesOf(2024).filter((d) => isMonthly('deribit', d))).toEqual(listed2024);
    expect(datesOf(2025).filter((d) => isMonthly('deribit', d))).toEqual(listed2025);
  });
});
