import { SYMBOL } from '../lambda/sources/common';
import { DEFAULT_MAX_AGE_HOURS } from '../lambda/sources/live';
import { isCrypto } from '../lambda/venues';
import type { Positioning } from '../lambda/types';

/** The deployment's settings, read from cdk.json context and `-c key=value` at synth. */
export interface GammaReportConfig {
  /** Underlyings fetched from Cboe on the equity schedule. @default ['SPX', 'SPY'] */
  equityUnderlyings: string[];
  /** Underlyings fetched from Deribit on the crypto schedule. @default ['BTC', 'ETH'] */
  cryptoUnderlyings: string[];
  /** EventBridge Scheduler expression of the equity run. @default 'cron(30 8 ? * MON-FRI *)' */
  equitySchedule: string;
  /** IANA time zone of the equity schedule. @default 'America/New_York' */
  equityTimeZone: string;
  /** Scheduler expression of the crypto run. @default 'cron(15 8 * * ? *)' */
  cryptoSchedule: string;
  /** IANA time zone of the crypto schedule. @default 'UTC' */
  cryptoTimeZone: string;
  /** Where alarms are e-mailed; empty for none. @default '' */
  alarmEmail: string;
  /** Sender of the daily report email (an SES identity); empty for no email. @default '' */
  emailFrom: string;
  /** Recipients of the daily report email. @default [] */
  emailTo: string[];
  /** While the SES account is in the sandbox, recipients must be verified identities too. @default true */
  sesSandbox: boolean;
  /** Dealer positioning model. @default 'classic' */
  positioning: Positioning;
  /** Continuous risk-free rate for Cboe underlyings. @default 0 */
  riskFreeRate: number;
  /** Continuous dividend yield for Cboe underlyings. @default 0 */
  dividendYield: number;
  /** Half-width of the GEX-by-strike chart, percent. @default 10 */
  strikeWindowPct: number;
  /** Oldest Cboe snapshot published, hours; an older one is refused as stale. @default 36 */
  maxAgeHoursEquity: number;
  /** Oldest Deribit snapshot published, hours. @default 2 */
  maxAgeHoursCrypto: number;
  /** Underlyings analysed at once within a run. @default 4 */
  maxConcurrency: number;
  /** Days the function and state machine logs are kept. @default 30 */
  logRetentionDays: number;
}

export const DEFAULTS: GammaReportConfig = {
  equityUnderlyings: ['SPX', 'SPY'],
  cryptoUnderlyings: ['BTC', 'ETH'],
  equitySchedule: 'cron(30 8 ? * MON-FRI *)',
  equityTimeZone: 'America/New_York',
  cryptoSchedule: 'cron(15 8 * * ? *)',
  cryptoTimeZone: 'UTC',
  alarmEmail: '',
  emailFrom: '',
  emailTo: [],
  sesSandbox: true,
  positioning: 'classic',
  riskFreeRate: 0,
  dividendYield: 0,
  strikeWindowPct: 10,
  maxAgeHoursEquity: DEFAULT_MAX_AGE_HOURS.equity,
  maxAgeHoursCrypto: DEFAULT_MAX_AGE_HOURS.crypto,
  maxConcurrency: 4,
  logRetentionDays: 30,
};

/** Retention periods CloudWatch Logs accepts. */
const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

export class ConfigError extends Error {}

type Lookup = (key: string) => unknown;

function fail(key: string, value: unknown, why: string): never {
  throw new ConfigError(`Invalid context "${key}": ${JSON.stringify(value)} ${why}`);
}

/** A list of strings from cdk.json, or a comma-separated `-c` string (empty for none), trimmed. */
function list(key: string, value: unknown, what: string): string[] {
  const items = Array.isArray(value)
    ? value
    : typeof value === 'string'
      ? value.split(',').filter((s) => s.trim() !== '')
      : fail(key, value, `is not a list of ${what}`);
  return items.map((s) => (typeof s === 'string' ? s.trim() : fail(key, value, `is not a list of ${what}`)));
}

function symbols(key: string, value: unknown): string[] {
  const out = list(key, value, 'symbols').map((s) => s.toUpperCase());
  for (const s of out) if (!SYMBOL.test(s)) fail(key, value, `holds "${s}", which is not a ticker symbol`);
  return out;
}

function text(key: string, value: unknown, pattern: RegExp, why: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) fail(key, value, why);
  return value;
}

function num(key: string, value: unknown, ok: (n: number) => boolean, why: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || !ok(n)) fail(key, value, why);
  return n;
}

function zone(key: string, value: unknown): string {
  if (typeof value !== 'string') fail(key, value, 'is not an IANA time zone');
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
  } catch {
    fail(key, value, 'is not an IANA time zone, e.g. America/New_York');
  }
  return value;
}

const EMAIL = /^[^@\s,]+@[^@\s,]+\.[^@\s,]+$/;

function emails(key: string, value: unknown): string[] {
  const out = list(key, value, 'e-mail addresses');
  for (const e of out)
    if (!EMAIL.test(e)) fail(key, value, `holds ${JSON.stringify(e)}, which is not an e-mail address`);
  return out;
}

/** An e-mail address, or empty for none. */
function optionalEmail(key: string, value: unknown): string {
  if (value === '') return '';
  if (typeof value !== 'string' || !EMAIL.test(value)) fail(key, value, 'is not an e-mail address');
  return value;
}

function bool(key: string, value: unknown): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return fail(key, value, 'is not true or false');
}

const SCHEDULE = /^(cron\(\S+( \S+){5}\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$/;

/** Reads and checks every key; an error names the key, the value and what was expected. */
export function readConfig(lookup: Lookup): GammaReportConfig {
  const get = <K extends keyof GammaReportConfig>(key: K) => {
    const v = lookup(key);
    return v === undefined ? DEFAULTS[key] : v;
  };
  const positioning = get('positioning');
  if (positioning !== 'classic' && positioning !== 'dealer-short')
    fail('positioning', positioning, 'is not classic or dealer-short');
  const config: GammaReportConfig = {
    equityUnderlyings: symbols('equityUnderlyings', get('equityUnderlyings')),
    cryptoUnderlyings: symbols('cryptoUnderlyings', get('cryptoUnderlyings')),
    equitySchedule: text(
      'equitySchedule',
      get('equitySchedule'),
      SCHEDULE,
      'is not a Scheduler cron(...) or rate(...) expression',
    ),
    equityTimeZone: zone('equityTimeZone', get('equityTimeZone')),
    cryptoSchedule: text(
      'cryptoSchedule',
      get('cryptoSchedule'),
      SCHEDULE,
      'is not a Scheduler cron(...) or rate(...) expression',
    ),
    cryptoTimeZone: zone('cryptoTimeZone', get('cryptoTimeZone')),
    alarmEmail: optionalEmail('alarmEmail', get('alarmEmail')),
    emailFrom: optionalEmail('emailFrom', get('emailFrom')),
    emailTo: emails('emailTo', get('emailTo')),
    sesSandbox: bool('sesSandbox', get('sesSandbox')),
    positioning,
    riskFreeRate: num(
      'riskFreeRate',
      get('riskFreeRate'),
      (n) => n > -0.1 && n < 0.5,
      'is not a rate between -0.1 and 0.5',
    ),
    dividendYield: num(
      'dividendYield',
      get('dividendYield'),
      (n) => n > -0.1 && n < 0.5,
      'is not a yield between -0.1 and 0.5',
    ),
    strikeWindowPct: num(
      'strikeWindowPct',
      get('strikeWindowPct'),
      (n) => n > 0 && n <= 100,
      'is not a percentage above 0 and at most 100',
    ),
    maxAgeHoursEquity: num(
      'maxAgeHoursEquity',
      get('maxAgeHoursEquity'),
      (n) => n > 0 && n <= 24 * 14,
      'is not a number of hours above 0 and at most 336',
    ),
    maxAgeHoursCrypto: num(
      'maxAgeHoursCrypto',
      get('maxAgeHoursCrypto'),
      (n) => n > 0 && n <= 24 * 14,
      'is not a number of hours above 0 and at most 336',
    ),
    maxConcurrency: num(
      'maxConcurrency',
      get('maxConcurrency'),
      (n) => Number.isInteger(n) && n >= 1 && n <= 40,
      'is not a whole number from 1 to 40',
    ),
    logRetentionDays: num(
      'logRetentionDays',
      get('logRetentionDays'),
      (n) => RETENTION_DAYS.includes(n),
      `is not one of ${RETENTION_DAYS.join(', ')}`,
    ),
  };
  for (const s of config.cryptoUnderlyings) {
    if (!isCrypto(s))
      fail(
        'cryptoUnderlyings',
        config.cryptoUnderlyings,
        `holds "${s}", which Deribit does not list (BTC, ETH)`,
      );
  }
  for (const s of config.equityUnderlyings) {
    if (isCrypto(s))
      fail('equityUnderlyings', config.equityUnderlyings, `holds "${s}", which belongs in cryptoUnderlyings`);
  }
  if ((config.emailFrom === '') !== (config.emailTo.length === 0)) {
    fail(
      config.emailFrom ? 'emailTo' : 'emailFrom',
      config.emailFrom ? config.emailTo : config.emailFrom,
      'is empty, but the daily email needs both emailFrom and emailTo',
    );
  }
  if (config.equityUnderlyings.length + config.cryptoUnderlyings.length === 0) {
    fail('equityUnderlyings', [], 'and cryptoUnderlyings are both empty: nothing would run');
  }
  return config;
}
