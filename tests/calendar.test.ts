import { easter, isNyseHoliday, nyseHolidays } from '../lambda/calendar';

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
