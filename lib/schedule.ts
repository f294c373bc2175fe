import { Cron } from 'croner';

/**
 * EventBridge Scheduler's cron and rate expressions, checked field by field at synth (a bad one otherwise
 * passes synth and fails half-way through a deploy), and the longest gap between two runs, which sizes the
 * heartbeat alarm. croner computes the run times; this module holds only what is Scheduler's own dialect:
 * six fields, `?` in exactly one day field, day-of-week numbered 1 (SUN) to 7 (SAT), years 1970–2199.
 */

/** A Scheduler expression that cannot be used, in one sentence naming the field and what it accepts. */
export class ScheduleError extends Error {}

interface Field {
  name: string;
  min: number;
  max: number;
  /** Names accepted for the numbers, in order from `min`. */
  names?: readonly string[];
  /** Special forms beyond numbers, ranges, lists and `*`: `?`, `/` steps, `L`, `W`, `#`. */
  step: boolean;
  question: boolean;
  special: RegExp | null;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

/** The six fields as the Scheduler documents them ("Cron-based schedules"). */
const FIELDS: readonly Field[] = [
  { name: 'minutes', min: 0, max: 59, step: true, question: false, special: null },
  { name: 'hours', min: 0, max: 23, step: true, question: false, special: null },
  // `L` (last day of the month) and `15W` (the weekday nearest the 15th).
  { name: 'day-of-month', min: 1, max: 31, step: true, question: true, special: /^(L|\d{1,2}W)$/ },
  { name: 'month', min: 1, max: 12, names: MONTHS, step: true, question: false, special: null },
  // `L` (the last day of the week), `6L` (the last Friday of the month) and `2#1` (the first Monday).
  {
    name: 'day-of-week',
    min: 1,
    max: 7,
    names: DAYS,
    step: false,
    question: true,
    special: /^(L|[1-7A-Z]{1,3}L|[1-7A-Z]{1,3}#[1-5])$/,
  },
  { name: 'year', min: 1970, max: 2199, step: true, question: false, special: null },
];

/** A number or a name of the field, within its bounds. */
function value(field: Field, text: string): number {
  const named = field.names?.indexOf(text) ?? -1;
  if (named >= 0) return field.min + named;
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= field.min && n <= field.max)) {
    const names = field.names ? ` or ${field.names[0]}-${field.names.at(-1)}` : '';
    throw new ScheduleError(
      `has "${text}" in its ${field.name} field, which takes ${field.min} to ${field.max}${names}`,
    );
  }
  return n;
}

/** One item of a comma-separated list: `*`, `5`, `1-5`, `*\/15`, `0/15`, `1-30/2`, or the field's special form. */
function checkItem(field: Field, item: string): void {
  if (field.special?.test(item)) {
    const number = /^[0-9A-Z]+/.exec(item)?.[0];
    if (number !== undefined && number !== 'L') value(field, number.replace(/[LW]$/, ''));
    return;
  }
  const [range = '', step, extra] = item.split('/');
  if (extra !== undefined || (step !== undefined && !field.step)) {
    throw new ScheduleError(`has "${item}" in its ${field.name} field, which takes no "/" step`);
  }
  if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1)) {
    throw new ScheduleError(`has "${item}" in its ${field.name} field: the step after "/" is not 1 or more`);
  }
  if (range === '*') return;
  const [from = '', to, beyond] = range.split('-');
  if (beyond !== undefined) throw new ScheduleError(`has "${item}" in its ${field.name} field, not a range`);
  const low = value(field, from);
  if (to !== undefined && value(field, to) < low) {
    throw new ScheduleError(`has "${item}" in its ${field.name} field, a range that ends before it starts`);
  }
}

/** What a Scheduler expression says, ready for `longestGap`. */
export type ParsedSchedule = { kind: 'rate'; everyMs: number } | { kind: 'cron'; fields: string[] };

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Parses `cron(...)` or `rate(...)` as EventBridge Scheduler does, or throws a ScheduleError. */
export function parseSchedule(expression: string): ParsedSchedule {
  const rate = RATE.exec(expression);
  if (rate) {
    const n = Number(rate[1]);
    if (n < 1) throw new ScheduleError('has a rate of 0; it takes 1 or more');
    return { kind: 'rate', everyMs: n * UNIT_MS[rate[2]!.replace(/s$/, '')]! };
  }
  if (expression.startsWith('rate(')) {
    throw new ScheduleError('is not rate(N minutes|hours|days) with N a positive whole number');
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) throw new ScheduleError('is not a Scheduler cron(...) or rate(...) expression');
  const fields = cron[1]!.trim().toUpperCase().split(/\s+/);
  if (fields.length !== 6) {
    throw new ScheduleError(
      `has ${fields.length} fields; cron(...) takes six: minutes hours day-of-month month day-of-week year`,
    );
  }
  fields.forEach((text, i) => {
    const field = FIELDS[i]!;
    if (text === '?') {
      if (!field.question)
        throw new ScheduleError(`has "?" in its ${field.name} field, which does not take it`);
      return;
    }
    for (const item of text.split(',')) checkItem(field, item);
  });
  if ((fields[2] === '?') === (fields[4] === '?')) {
    throw new ScheduleError('needs "?" in exactly one of its day-of-month and day-of-week fields');
  }
  return { kind: 'cron', fields };
}

/** croner reads day-of-week `L` only with a day before it; Scheduler's bare `L` is the last day, Saturday. */
function cronerPattern(fields: string[]): string {
  const days = fields[4] === 'L' ? '7' : fields[4]!.replace(/^([0-9A-Z]+)L$/, '$1#L');
  return ['0', ...fields.slice(0, 4), days, fields[5]].join(' ');
}

const HOUR_MS = 3_600_000;

/**
 * The longest time between two consecutive runs of the schedule in `timeZone` over the year after `from`,
 * daylight saving time included (Monday 08:30 after Friday 08:30 New York is 73 hours when the clocks go
 * back), or Infinity when it runs fewer than twice in that year. Gaps under an hour count as an hour: the
 * heartbeat that uses this has hourly resolution, and skipping ahead an hour at a time keeps an
 * every-minute schedule to about 9,000 steps. Throws a ScheduleError if it never runs in that year.
 */
export function longestGap(parsed: ParsedSchedule, timeZone: string, from: Date): number {
  if (parsed.kind === 'rate') return Math.max(parsed.everyMs, HOUR_MS);
  const cron = new Cron(cronerPattern(parsed.fields), {
    timezone: timeZone,
    mode: '7-part',
    alternativeWeekdays: true,
    sloppyRanges: true,
    paused: true,
  });
  const end = from.getTime() + 366 * 24 * HOUR_MS;
  let run = cron.nextRun(from);
  if (run === null || run.getTime() > end) {
    throw new ScheduleError('never runs in the twelve months from now');
  }
  let longest = 0;
  while (run.getTime() <= end) {
    // The first run at least an hour on, and the one just before it: consecutive runs either way.
    const next = cron.nextRun(new Date(run.getTime() + HOUR_MS - 1));
    if (next === null) break;
    const before = cron.previousRuns(1, next)[0] ?? run;
    longest = Math.max(longest, next.getTime() - before.getTime(), HOUR_MS);
    run = next;
  }
  return longest === 0 ? Infinity : longest;
}
