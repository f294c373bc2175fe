import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../lambda/contract';
import { readConfig } from '../lib/config';
import { longestGap, parseSchedule } from '../lib/schedule';
import { ROOT, tickers } from './helpers';

/** A Monday; the twelve months after it include both daylight-saving changes in New York and London. */
const NOW = new Date('2026-01-05T00:00:00Z');
const from = (context: Record<string, unknown>) => readConfig((k) => context[k], NOW);

/** The problems a context is refused with, one line each; `file` is the text of any watchlist file it names. */
function problems(context: Record<string, unknown>, file?: string): string[] {
  try {
    readConfig(
      (k) => context[k],
      NOW,
      () => file ?? '',
    );
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('the context was accepted');
}

const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';

describe('deployment configuration', () => {
  it('falls back to the documented defaults, every key pinned here as the README states it', () => {
    expect(from({})).toEqual({
      groups: {
        equity: {
          underlyings: ['SPX', 'SPY'],
          schedule: 'cron(30 8 ? * MON-FRI *)',
          timeZone: 'America/New_York',
          // Friday 08:30 EDT to Monday 08:30 EST across the November clock change: 72 + 1 hours.
          longestGapHours: 73,
        },
        crypto: {
          underlyings: ['BTC', 'ETH'],
          schedule: 'cron(15 8 * * ? *)',
          timeZone: 'UTC',
          longestGapHours: 24,
        },
      },
      alarmEmail: '',
      emailFrom: '',
      emailTo: [],
      sesSandbox: true,
      maxConcurrency: 4,
      batchSize: 5,
      toleratedFailurePercent: 10,
      logRetentionDays: 30,
      domainName: '',
      certificateArn: '',
      monthlyBudgetUsd: 0,
      settings: {
        requestsPerSecondCboe: 8,
        requestsPerSecondCrypto: 5,
        changeMaxAgeHoursCrypto: 36,
        changeMaxSessionsEquity: 1,
        positioning: 'classic',
        riskFreeRate: 0,
        dividendYield: 0,
        strikeWindowPct: 10,
        maxAgeHoursEquity: 36,
        maxAgeHoursCrypto: 2,
      },
      watchlistFile: '',
    });
  });

  it('reads -c strings as well as cdk.json values', () => {
    const config = from({
      equityUnderlyings: 'spx, qqq',
      maxConcurrency: '8',
      riskFreeRate: '0.045',
      positioning: 'dealer-short',
    });
    expect(config.groups.equity.underlyings).toEqual(['SPX', 'QQQ']);
    expect(config.maxConcurrency).toBe(8);
    expect(config.settings).toMatchObject({ riskFreeRate: 0.045, positioning: 'dealer-short' });
  });

  it.each([
    [
      { positioning: 'bullish' },
      'Invalid context "positioning": "bullish" is not one of classic, dealer-short',
    ],
    [
      { equityUnderlyings: 'SPX,<b>' },
      'Invalid context "equityUnderlyings": "SPX,<b>" holds "<b>", which is not a ticker symbol',
    ],
    [
      { cryptoUnderlyings: ['SOL'] },
      'Invalid context "cryptoUnderlyings": ["SOL"] holds "SOL": SOL is served by Cboe, which runs in the equity group; Deribit lists SOL\'s options as SOL_USDC',
    ],
    [
      { cryptoUnderlyings: ['BTCC'] },
      'Invalid context "cryptoUnderlyings": ["BTCC"] holds "BTCC": BTCC is served by Cboe, which runs in the equity group',
    ],
    [
      { equityUnderlyings: ['BTC'] },
      'Invalid context "equityUnderlyings": ["BTC"] holds "BTC": BTC is served by Deribit, which runs in the crypto group',
    ],
    [
      { equityTimeZone: 'Mars/Olympus' },
      'Invalid context "equityTimeZone": "Mars/Olympus" is not an IANA time zone, e.g. America/New_York',
    ],
    [
      { cryptoSchedule: '15 8 * * *' },
      'Invalid context "cryptoSchedule": "15 8 * * *" is not a Scheduler cron(...) or rate(...) expression',
    ],
    [
      { equitySchedule: 'cron(99 99 ? * MON-FRI *)' },
      'Invalid context "equitySchedule": "cron(99 99 ? * MON-FRI *)" has "99" in its minutes field, which takes 0 to 59',
    ],
    [
      { equitySchedule: 'cron(30 25 ? * MON-FRI *)' },
      'Invalid context "equitySchedule": "cron(30 25 ? * MON-FRI *)" has "25" in its hours field, which takes 0 to 23',
    ],
    [
      { equitySchedule: 'cron(30 8 ? * 0-4 *)' },
      'Invalid context "equitySchedule": "cron(30 8 ? * 0-4 *)" has "0" in its day-of-week field, which takes 1 to 7 or SUN-SAT',
    ],
    [
      { equitySchedule: 'cron(30 8 ? * MON-FRY *)' },
      'Invalid context "equitySchedule": "cron(30 8 ? * MON-FRY *)" has "FRY" in its day-of-week field, which takes 1 to 7 or SUN-SAT',
    ],
    [
      { equitySchedule: 'cron(30 8 ? 13 MON *)' },
      'Invalid context "equitySchedule": "cron(30 8 ? 13 MON *)" has "13" in its month field, which takes 1 to 12 or JAN-DEC',
    ],
    [
      { cryptoSchedule: 'cron(15 8 * * * *)' },
      'Invalid context "cryptoSchedule": "cron(15 8 * * * *)" needs "?" in exactly one of its day-of-month and day-of-week fields',
    ],
    [
      { cryptoSchedule: 'cron(15 8 * * ?)' },
      'Invalid context "cryptoSchedule": "cron(15 8 * * ?)" has 5 fields; cron(...) takes six: minutes hours day-of-month month day-of-week year',
    ],
    [
      { cryptoSchedule: 'cron(*/0 8 * * ? *)' },
      'Invalid context "cryptoSchedule": "cron(*/0 8 * * ? *)" has "*/0" in its minutes field: the step after "/" is not 1 or more',
    ],
    [
      { cryptoSchedule: 'cron(15 18-8 * * ? *)' },
      'Invalid context "cryptoSchedule": "cron(15 18-8 * * ? *)" has "18-8" in its hours field, a range that ends before it starts',
    ],
    [
      { cryptoSchedule: 'cron(15 8 ? * MON/2 *)' },
      'Invalid context "cryptoSchedule": "cron(15 8 ? * MON/2 *)" has "MON/2" in its day-of-week field, which takes no "/" step',
    ],
    [
      { cryptoSchedule: 'cron(15 ? * * ? *)' },
      'Invalid context "cryptoSchedule": "cron(15 ? * * ? *)" has "?" in its hours field, which does not take it',
    ],
    [
      { cryptoSchedule: 'cron(15 8 1 1 ? 2025)' },
      'Invalid context "cryptoSchedule": "cron(15 8 1 1 ? 2025)" never runs in the twelve months from now (UTC)',
    ],
    [
      { cryptoSchedule: 'rate(0 hours)' },
      'Invalid context "cryptoSchedule": "rate(0 hours)" has a rate of 0; it takes 1 or more',
    ],
    [
      { cryptoSchedule: 'rate(2 weeks)' },
      'Invalid context "cryptoSchedule": "rate(2 weeks)" is not rate(N minutes|hours|days) with N a positive whole number',
    ],
    [
      { equityUnderlyings: 'SPX,spy,SPY' },
      'Invalid context "equityUnderlyings": "SPX,spy,SPY" holds "SPY" twice',
    ],
    [
      { domainName: 'https://gamma.example.com', certificateArn: CERT },
      'Invalid context "domainName": "https://gamma.example.com" is not a host name such as gamma.example.com',
    ],
    [
      { domainName: 'gamma.example.com', certificateArn: CERT.replace('us-east-1', 'eu-west-1') },
      `Invalid context "certificateArn": "${CERT.replace('us-east-1', 'eu-west-1')}" is in eu-west-1; CloudFront only uses ACM certificates from us-east-1: request or import it there`,
    ],
    [
      { domainName: 'gamma.example.com' },
      'Invalid context "certificateArn": it is empty, but a custom domain needs both domainName and certificateArn',
    ],
    [
      { monthlyBudgetUsd: '-5' },
      'Invalid context "monthlyBudgetUsd": "-5" is not an amount of US dollars from 0 (no budget) to 100000',
    ],
    [{ alarmEmail: 'nobody' }, 'Invalid context "alarmEmail": "nobody" is not an e-mail address'],
    [
      { emailFrom: 'reports@example.com', emailTo: 'a@example.com,nope' },
      'Invalid context "emailTo": "a@example.com,nope" holds "nope", which is not an e-mail address',
    ],
    [
      { emailFrom: 'reports@example.com' },
      'Invalid context "emailTo": it is empty, but the daily email needs both emailFrom and emailTo',
    ],
    [{ sesSandbox: 'maybe' }, 'Invalid context "sesSandbox": "maybe" is not true or false'],
    [{ riskFreeRate: '5%' }, 'Invalid context "riskFreeRate": "5%" is not a rate between -0.1 and 0.5'],
    [{ dividendYield: 0.5 }, 'Invalid context "dividendYield": 0.5 is not a yield between -0.1 and 0.5'],
    [
      { strikeWindowPct: 0 },
      'Invalid context "strikeWindowPct": 0 is not a percentage above 0 and at most 100',
    ],
    [
      { maxAgeHoursCrypto: '0' },
      'Invalid context "maxAgeHoursCrypto": "0" is not a positive number of hours',
    ],
    [{ maxConcurrency: 0 }, 'Invalid context "maxConcurrency": 0 is not a whole number from 1 to 40'],
    // Seven underlyings at their most (2 minutes each) fill Lambda's 15 minutes.
    [{ batchSize: 8 }, 'Invalid context "batchSize": 8 is not a whole number from 1 to 7'],
    [
      { toleratedFailurePercent: '101' },
      'Invalid context "toleratedFailurePercent": "101" is not a whole number from 0 to 100',
    ],
    [
      { logRetentionDays: 10 },
      'Invalid context "logRetentionDays": 10 is not one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
    ],
    [
      { equityUnderlyings: [], cryptoUnderlyings: '' },
      'Invalid context: equityUnderlyings and cryptoUnderlyings are all empty: nothing would run',
    ],
  ])('names the key and the value: %j', (context, message) => {
    expect(problems(context)).toEqual([message]);
  });

  it('reports every bad key at once, one line each', () => {
    expect(problems({ positioning: 'x', maxConcurrency: 99, equityTimeZone: 'Nowhere' })).toEqual([
      'Invalid context "equityTimeZone": "Nowhere" is not an IANA time zone, e.g. America/New_York',
      'Invalid context "maxConcurrency": 99 is not a whole number from 1 to 40',
      'Invalid context "positioning": "x" is not one of classic, dealer-short',
    ]);
  });
});

describe('the size of a group', () => {
  it('takes the whole optionable universe, 5,000 names, at the default concurrency', () => {
    expect(from({ equityUnderlyings: tickers(5000) }).groups.equity.underlyings).toHaveLength(5000);
  });

  it('refuses more underlyings than a run has time for at the configured concurrency, saying what to set', () => {
    // 8,000 × 3 s / 4 = 100 minutes; a 2-hour run leaves 120 − 20 (throttling waits) − 9 (aggregate) ≈ 90.
    expect(problems({ equityUnderlyings: tickers(8000) })).toEqual([
      'Invalid context "maxConcurrency": 4 is too few for the equity group\'s 8000 underlyings: at ~3 s each they take about 100 minutes, more than the 90 a 120-minute run leaves for them; set maxConcurrency to 5 or more, or watch fewer',
    ]);
    expect(from({ equityUnderlyings: tickers(8000), maxConcurrency: 5 }).maxConcurrency).toBe(5);
  });

  it('refuses a group of more than 10,000, counting the watchlist file with the context', () => {
    const file = tickers(10_001).slice(2).join('\n');
    expect(
      problems({ equityUnderlyings: tickers(2), watchlistFile: 'all.txt', maxConcurrency: 40 }, file),
    ).toEqual([
      'Invalid context "equityUnderlyings": the equity group holds 10001 underlyings (equityUnderlyings and all.txt); a group may hold at most 10000',
    ]);
  });
});

describe('schedule expressions', () => {
  it('accepts what EventBridge Scheduler documents: lists, ranges, steps, names, L, W and #', () => {
    for (const expression of [
      'cron(0/15 9-16 ? * MON-FRI *)',
      'cron(0 12 L * ? *)',
      'cron(0 12 15W * ? 2026-2030)',
      'cron(0 12 ? * 6L *)',
      'cron(0 12 ? * 2#1 *)',
      'cron(0 12 ? JAN,JUL SUN,SAT *)',
      'rate(1 hour)',
      'rate(90 minutes)',
    ]) {
      expect(() => parseSchedule(expression)).not.toThrow();
    }
  });

  it.each([
    // Weekdays in New York: Friday to Monday, 73 hours when the clocks go back in November, 72 otherwise.
    ['cron(30 8 ? * MON-FRI *)', 'America/New_York', 73],
    // The same in UTC has no clock change: the weekend is exactly 72 hours.
    ['cron(30 8 ? * MON-FRI *)', 'UTC', 72],
    // London goes back an hour in October.
    ['cron(0 8 ? * 2-6 *)', 'Europe/London', 73],
    ['cron(15 8 * * ? *)', 'UTC', 24],
    ['cron(0 */6 * * ? *)', 'UTC', 6],
    // Every minute of a weekday: Friday 23:59 to Monday 00:00.
    ['cron(* * ? * MON-FRI *)', 'UTC', 48 + 1 / 60],
    ['cron(0 9 ? * MON *)', 'UTC', 168],
    ['rate(2 days)', 'UTC', 48],
    // The heartbeat reads whole hours: anything more often counts as hourly.
    ['rate(5 minutes)', 'UTC', 1],
  ])('%s in %s runs at most %d hours apart', (expression, zone, hours) => {
    expect(longestGap(parseSchedule(expression), zone, NOW) / 3_600_000).toBeCloseTo(hours, 9);
  });
});

describe('cdk synth with a bad context, through the real CDK CLI', () => {
  it('prints each problem on one line and no stack trace', () => {
    const out = mkdtempSync(join(tmpdir(), 'gamma-cdk-'));
    try {
      const cli = spawnSync(
        join(ROOT, 'node_modules', '.bin', 'cdk'),
        [
          'synth',
          '--quiet',
          '--no-notices',
          '--output',
          out,
          '-c',
          'positioning=x',
          '-c',
          'equitySchedule=cron(99 99 ? * MON-FRI *)',
        ],
        { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' } },
      );
      expect(cli.status).toBe(1);
      expect(cli.stdout).toBe('');
      // The last line is the CLI's own note that the app exited with an error.
      expect(cli.stderr.trim().split('\n')).toEqual([
        'Invalid context "equitySchedule": "cron(99 99 ? * MON-FRI *)" has "99" in its minutes field, which takes 0 to 59',
        'Invalid context "positioning": "x" is not one of classic, dealer-short',
        expect.stringMatching(/Subprocess exited with error 1$/),
      ]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('a watchlist file in the context', () => {
  const files: Record<string, string> = {
    'w.txt': '# watch\nqqq\nIWM\nETH\nsol_usdc\nBTC-DERIBIT\n',
    'bad.txt': 'QQQ\nQ Q\n',
  };
  const read = (path: string) => {
    if (!(path in files)) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    return files[path]!;
  };
  const withFile = (context: Record<string, unknown>) =>
    readConfig((k) => context[k], new Date('2026-11-25T12:00:00Z'), read);

  it('adds each symbol to its venue’s group, after the context’s own', () => {
    const config = withFile({ watchlistFile: 'w.txt', cryptoUnderlyings: 'BTC' });
    expect(config.groups.equity.underlyings).toEqual(['SPX', 'SPY', 'QQQ', 'IWM']);
    // Deribit's USDC-linear SOL book and Deribit's BTC alone run with the crypto group.
    expect(config.groups.crypto.underlyings).toEqual(['BTC', 'ETH', 'SOL_USDC', 'BTC-DERIBIT']);
  });

  it('names the file and line of a bad entry, a symbol already listed, and a file that cannot be read', () => {
    const refused = (context: Record<string, unknown>) => {
      try {
        withFile(context);
      } catch (e) {
        return (e as ConfigError).problems;
      }
      throw new Error('accepted');
    };
    expect(refused({ watchlistFile: 'bad.txt' })).toEqual([
      'bad.txt:2: "Q Q" is not a ticker symbol (one symbol a line, # for comments)',
    ]);
    expect(
      refused({ watchlistFile: 'w.txt', equityUnderlyings: 'SPX,QQQ', cryptoUnderlyings: 'BTC' }),
    ).toEqual(['w.txt: QQQ is already in equityUnderlyings']);
    expect(refused({ watchlistFile: 'missing.txt' })).toEqual([
      'Invalid context "watchlistFile": cannot read missing.txt (ENOENT)',
    ]);
  });
});
