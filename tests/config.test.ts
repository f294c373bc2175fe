import { ConfigError } from '../lambda/contract';
import { readConfig } from '../lib/config';

const from = (context: Record<string, unknown>) => readConfig((k) => context[k]);

/** The problems a context is refused with, one line each. */
function problems(context: Record<string, unknown>): string[] {
  try {
    from(context);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('the context was accepted');
}

describe('deployment configuration', () => {
  it('falls back to the documented defaults, every key pinned here as the README states it', () => {
    expect(from({})).toEqual({
      groups: {
        equity: {
          underlyings: ['SPX', 'SPY'],
          schedule: 'cron(30 8 ? * MON-FRI *)',
          timeZone: 'America/New_York',
        },
        crypto: { underlyings: ['BTC', 'ETH'], schedule: 'cron(15 8 * * ? *)', timeZone: 'UTC' },
      },
      alarmEmail: '',
      emailFrom: '',
      emailTo: [],
      sesSandbox: true,
      maxConcurrency: 4,
      logRetentionDays: 30,
      settings: {
        positioning: 'classic',
        riskFreeRate: 0,
        dividendYield: 0,
        strikeWindowPct: 10,
        maxAgeHoursEquity: 36,
        maxAgeHoursCrypto: 2,
      },
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
      'Invalid context "equityUnderlyings": "SPX,<b>" holds "<B>", which is not a ticker symbol',
    ],
    [
      { cryptoUnderlyings: ['SOL'] },
      'Invalid context "cryptoUnderlyings": ["SOL"] holds "SOL": Deribit lists SOL options, but they are not supported yet',
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
    [{ alarmEmail: 'nobody' }, 'Invalid context "alarmEmail": "nobody" is not an e-mail address'],
    [
      { emailTo: 'a@example.com,nope' },
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
