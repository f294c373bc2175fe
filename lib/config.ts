import { readFileSync } from 'node:fs';
import {
  ConfigError,
  GROUPS,
  parseWatchlist,
  readSettings,
  RUN_GROUPS,
  tickerSymbol,
  unservedReason,
  VENUES,
  venueFor,
  type RunGroup,
  type Settings,
} from '../lambda/contract';
import {
  estimatedMapSeconds,
  MAP_BUDGET_SECONDS,
  MAX_BATCH_SIZE,
  MAX_UNDERLYINGS,
  RUN_TIMEOUT,
  SECONDS_PER_UNDERLYING,
} from './runs';
import { longestGap, parseSchedule, ScheduleError } from './schedule';

/** One schedule group as deployed: what it watches and when it runs. */
export interface GroupConfig {
  /** Underlyings of the group's venues (Cboe tickers for `equity`, Deribit currencies for `crypto`). */
  underlyings: string[];
  /** EventBridge Scheduler expression, e.g. `cron(30 8 ? * MON-FRI *)`. */
  schedule: string;
  /** IANA zone the schedule is read in. */
  timeZone: string;
  /**
   * The longest time between two runs over the coming year, in hours (Infinity when it runs less than twice
   * a year): what the heartbeat alarm must allow.
   */
  longestGapHours: number;
}

/**
 * The deployment's settings, read from cdk.json context and `-c key=value` at synth. The context keys are
 * the field names below, each group's as `<group>Underlyings`, `<group>Schedule` and `<group>TimeZone`, and
 * every key of `SETTINGS` (`lambda/contract.ts`), which the functions receive as environment variables.
 */
export interface GammaReportConfig {
  /** @default each group's own (lambda/venues.ts GROUPS) */
  groups: Record<RunGroup, GroupConfig>;
  /** Where alarms are e-mailed; empty for none. @default '' */
  alarmEmail: string;
  /** Sender of the daily report email (an SES identity); empty for no email. @default '' */
  emailFrom: string;
  /** Recipients of the daily report email. @default [] */
  emailTo: string[];
  /** While the SES account is in the sandbox, recipients must be verified identities too. @default true */
  sesSandbox: boolean;
  /** Batches of underlyings analysed at once within a run (each batch one after the other). @default 4 */
  maxConcurrency: number;
  /** Underlyings one invocation of the underlying function analyses. @default 5 */
  batchSize: number;
  /** The share of a run's batches, in percent, that may fail before the run itself fails. @default 10 */
  toleratedFailurePercent: number;
  /** Days the function and state machine logs are kept. @default 30 */
  logRetentionDays: number;
  /** The site's own host name instead of *.cloudfront.net; needs `certificateArn`. @default '' */
  domainName: string;
  /** An ACM certificate in us-east-1 (CloudFront's region) covering `domainName`. @default '' */
  certificateArn: string;
  /** A monthly AWS Budget on the account's cost, notifying the alarm topic; 0 for none. @default 0 */
  monthlyBudgetUsd: number;
  /**
   * A text file of symbols, one a line (`#` comments), read at synth: each joins its venue's group, for a
   * watchlist too long for cdk.json. Relative to the repository. @default '' (none)
   */
  watchlistFile: string;
  /** What the functions compute and how (positioning, rates, strike window, freshness). */
  settings: Settings;
}

/**
 * The underlying function's memory, in MB: the stack gives it, and the bench prices its GB-s from it (Lambda
 * scales the CPU with it: one vCPU at 1,769 MB).
 */
export const UNDERLYING_MEMORY_MB = 1024;

/** The deployment-only keys and their defaults (the analysis settings' defaults live in SETTINGS). */
export const DEPLOYMENT_DEFAULTS = {
  alarmEmail: '',
  emailFrom: '',
  emailTo: [] as string[],
  sesSandbox: true,
  maxConcurrency: 4,
  batchSize: 5,
  toleratedFailurePercent: 10,
  logRetentionDays: 30,
  domainName: '',
  certificateArn: '',
  monthlyBudgetUsd: 0,
  watchlistFile: '',
};

/**
 * Adds the watchlist file's symbols to their venues' groups; every problem (unreadable file, bad line, a
 * symbol already in cdk.json) as one line.
 */
function addWatchlist(config: GammaReportConfig, readText: (path: string) => string): string[] {
  let symbols: string[];
  try {
    symbols = parseWatchlist(readText(config.watchlistFile), config.watchlistFile);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    return [
      `Invalid context "watchlistFile": cannot read ${config.watchlistFile} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    ];
  }
  const problems: string[] = [];
  for (const symbol of symbols) {
    const group = VENUES[venueFor(symbol)!].group;
    const list = config.groups[group].underlyings;
    if (list.includes(symbol))
      problems.push(`${config.watchlistFile}: ${symbol} is already in ${groupKey(group, 'Underlyings')}`);
    else list.push(symbol);
  }
  return problems;
}

/**
 * What a group's size runs into: the most underlyings a group may hold, and the run's time limit at the
 * estimated pace (lib/runs.ts), with what to change.
 */
function runLimits(config: GammaReportConfig, group: RunGroup): string[] {
  const n = config.groups[group].underlyings.length;
  const from = `${groupKey(group, 'Underlyings')}${config.watchlistFile ? ` and ${config.watchlistFile}` : ''}`;
  if (n > MAX_UNDERLYINGS) {
    return [
      `Invalid context "${groupKey(group, 'Underlyings')}": the ${group} group holds ${n} underlyings (${from}); a group may hold at most ${MAX_UNDERLYINGS}`,
    ];
  }
  const estimate = estimatedMapSeconds(n, config.maxConcurrency);
  if (estimate <= MAP_BUDGET_SECONDS) return [];
  const needed = Math.ceil((n * SECONDS_PER_UNDERLYING) / MAP_BUDGET_SECONDS);
  return [
    `Invalid context "maxConcurrency": ${config.maxConcurrency} is too few for the ${group} group's ${n} underlyings: ` +
      `at ~${SECONDS_PER_UNDERLYING} s each they take about ${Math.ceil(estimate / 60)} minutes, ` +
      `more than the ${Math.floor(MAP_BUDGET_SECONDS / 60)} a ${RUN_TIMEOUT.toMinutes()}-minute run leaves for them; ` +
      `set maxConcurrency to ${needed} or more, or watch fewer`,
  ];
}

/** Retention periods CloudWatch Logs accepts. */
const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** The context key of a group's field: `equityUnderlyings`, `cryptoSchedule`. */
export function groupKey(group: RunGroup, field: 'Underlyings' | 'Schedule' | 'TimeZone'): string {
  return `${group}${field}`;
}

class Problem extends Error {}

function fail(why: string): never {
  throw new Problem(why);
}

/** A list of strings from cdk.json, or a comma-separated `-c` string (empty for none), trimmed. */
function list(value: unknown, what: string): string[] {
  const items = Array.isArray(value)
    ? value
    : typeof value === 'string'
      ? value.split(',').filter((s) => s.trim() !== '')
      : fail(`is not a list of ${what}`);
  return items.map((s) => (typeof s === 'string' ? s.trim() : fail(`is not a list of ${what}`)));
}

function symbols(group: RunGroup) {
  return (value: unknown): string[] => {
    const typed = list(value, 'symbols');
    const out = typed.map(
      (s) => tickerSymbol(s) ?? fail(`holds ${JSON.stringify(s)}, which is not a ticker symbol`),
    );
    out.forEach((s, i) => {
      const why = unservedReason(s, group);
      if (why !== null) fail(`holds "${s}": ${why}`);
      if (out.indexOf(s) !== i) fail(`holds "${s}" twice`);
    });
    return out;
  };
}

function schedule(value: unknown): string {
  if (typeof value !== 'string') fail('is not a Scheduler cron(...) or rate(...) expression');
  try {
    parseSchedule(value);
  } catch (e) {
    if (e instanceof ScheduleError) fail(e.message);
    throw e;
  }
  return value;
}

function zone(value: unknown): string {
  if (typeof value !== 'string') fail('is not an IANA time zone');
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
  } catch {
    fail('is not an IANA time zone, e.g. America/New_York');
  }
  return value;
}

const EMAIL = /^[^@\s,]+@[^@\s,]+\.[^@\s,]+$/;

function emails(value: unknown): string[] {
  const out = list(value, 'e-mail addresses');
  for (const e of out) if (!EMAIL.test(e)) fail(`holds ${JSON.stringify(e)}, which is not an e-mail address`);
  return out;
}

/** An e-mail address, or empty for none. */
function optionalEmail(value: unknown): string {
  if (value === '') return '';
  if (typeof value !== 'string' || !EMAIL.test(value)) fail('is not an e-mail address');
  return value;
}

function bool(value: unknown): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return fail('is not true or false');
}

function wholeNumber(min: number, max: number) {
  return (value: unknown): number => {
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      fail(`is not a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

/** A host name of at least two labels, as CloudFront takes it (lower case, no wildcard). */
const HOST = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

function domainName(value: unknown): string {
  if (value === '') return '';
  if (typeof value !== 'string' || !HOST.test(value)) fail('is not a host name such as gamma.example.com');
  return value;
}

const CERTIFICATE = /^arn:aws:acm:([a-z0-9-]+):\d{12}:certificate\/[0-9a-f-]{36}$/;

function certificateArn(value: unknown): string {
  if (value === '') return '';
  const match = typeof value === 'string' ? CERTIFICATE.exec(value) : null;
  if (!match) fail('is not an ACM certificate ARN (arn:aws:acm:us-east-1:<account>:certificate/<id>)');
  if (match[1] !== 'us-east-1') {
    fail(
      `is in ${match[1]}; CloudFront only uses ACM certificates from us-east-1: request or import it there`,
    );
  }
  return value as string;
}

function dollars(value: unknown): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > 100_000) {
    fail('is not an amount of US dollars from 0 (no budget) to 100000');
  }
  return n;
}

function retention(value: unknown): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !RETENTION_DAYS.includes(n))
    fail(`is not one of ${RETENTION_DAYS.join(', ')}`);
  return n;
}

type Lookup = (key: string) => unknown;

/**
 * Reads and checks every key. Every bad key is reported, one line each naming the key, the value and what was
 * expected, in one ConfigError.
 */
export function readConfig(
  lookup: Lookup,
  now = new Date(),
  readText: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): GammaReportConfig {
  const problems: string[] = [];
  const complain = (key: string, raw: unknown, why: string) =>
    problems.push(`Invalid context "${key}": ${JSON.stringify(raw)} ${why}`);
  const read = <T>(key: string, fallback: T, check: (value: unknown) => T): T => {
    const raw = lookup(key);
    if (raw === undefined) return fallback;
    try {
      return check(raw);
    } catch (e) {
      if (!(e instanceof Problem)) throw e;
      complain(key, raw, e.message);
      return fallback;
    }
  };
  const group = (g: RunGroup): GroupConfig => {
    const underlyings = read(groupKey(g, 'Underlyings'), [...GROUPS[g].underlyings], symbols(g));
    const expression = read(groupKey(g, 'Schedule'), GROUPS[g].schedule, schedule);
    const timeZone = read(groupKey(g, 'TimeZone'), GROUPS[g].timeZone, zone);
    let gapMs = Infinity;
    try {
      gapMs = longestGap(parseSchedule(expression), timeZone, now);
    } catch (e) {
      if (!(e instanceof ScheduleError)) throw e;
      complain(groupKey(g, 'Schedule'), expression, `${e.message} (${timeZone})`);
    }
    return {
      underlyings,
      schedule: expression,
      timeZone,
      longestGapHours: gapMs / 3_600_000,
    };
  };
  const groups = Object.fromEntries(RUN_GROUPS.map((g) => [g, group(g)])) as Record<RunGroup, GroupConfig>;
  const d = DEPLOYMENT_DEFAULTS;
  const { settings, problems: settingProblems } = readSettings(
    (key) => lookup(key),
    (key) => `Invalid context "${key}"`,
  );
  const config: GammaReportConfig = {
    groups,
    alarmEmail: read('alarmEmail', d.alarmEmail, optionalEmail),
    emailFrom: read('emailFrom', d.emailFrom, optionalEmail),
    emailTo: read('emailTo', d.emailTo, emails),
    sesSandbox: read('sesSandbox', d.sesSandbox, bool),
    maxConcurrency: read('maxConcurrency', d.maxConcurrency, wholeNumber(1, 40)),
    batchSize: read('batchSize', d.batchSize, wholeNumber(1, MAX_BATCH_SIZE)),
    toleratedFailurePercent: read('toleratedFailurePercent', d.toleratedFailurePercent, wholeNumber(0, 100)),
    logRetentionDays: read('logRetentionDays', d.logRetentionDays, retention),
    domainName: read('domainName', d.domainName, domainName),
    certificateArn: read('certificateArn', d.certificateArn, certificateArn),
    monthlyBudgetUsd: read('monthlyBudgetUsd', d.monthlyBudgetUsd, dollars),
    watchlistFile: read('watchlistFile', d.watchlistFile, (v) =>
      typeof v === 'string' ? v.trim() : fail('is not a file path'),
    ),
    settings,
  };
  problems.push(...settingProblems);
  if (config.watchlistFile !== '') problems.push(...addWatchlist(config, readText));
  // Two keys that only work together: one given and the other not (a bad value is reported as such above).
  const given = (key: string) => lookup(key) !== undefined && String(lookup(key)) !== '';
  const pair = (a: string, b: string, what: string) => {
    if (given(a) === given(b)) return;
    problems.push(`Invalid context "${given(a) ? b : a}": it is empty, but ${what} needs both ${a} and ${b}`);
  };
  pair('emailFrom', 'emailTo', 'the daily email');
  pair('domainName', 'certificateArn', 'a custom domain');
  for (const g of RUN_GROUPS) problems.push(...runLimits(config, g));
  if (RUN_GROUPS.every((g) => config.groups[g].underlyings.length === 0)) {
    problems.push(
      `Invalid context: ${RUN_GROUPS.map((g) => groupKey(g, 'Underlyings')).join(' and ')} are all empty: nothing would run`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
