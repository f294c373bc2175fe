import { DEFAULTS, readConfig } from '../lib/config';

const from = (context: Record<string, unknown>) => readConfig((k) => context[k]);

describe('deployment configuration', () => {
  it('falls back to the documented defaults', () => {
    expect(from({})).toEqual(DEFAULTS);
    expect(DEFAULTS).toMatchObject({
      equityUnderlyings: ['SPX', 'SPY'],
      cryptoUnderlyings: ['BTC', 'ETH'],
      equitySchedule: 'cron(30 8 ? * MON-FRI *)',
      equityTimeZone: 'America/New_York',
      cryptoSchedule: 'cron(15 8 * * ? *)',
      cryptoTimeZone: 'UTC',
      maxAgeHoursEquity: 36,
      maxAgeHoursCrypto: 2,
    });
  });

  it('reads -c strings as well as cdk.json values', () => {
    expect(from({ equityUnderlyings: 'spx, qqq', maxConcurrency: '8', riskFreeRate: '0.045' })).toMatchObject(
      {
        equityUnderlyings: ['SPX', 'QQQ'],
        maxConcurrency: 8,
        riskFreeRate: 0.045,
      },
    );
  });

  it.each([
    [{ positioning: 'bullish' }, 'Invalid context "positioning": "bullish" is not classic or dealer-short'],
    [
      { equityUnderlyings: 'SPX,<b>' },
      'Invalid context "equityUnderlyings": "SPX,<b>" holds "<B>", which is not a ticker symbol',
    ],
    [
      { cryptoUnderlyings: ['SOL'] },
      'Invalid context "cryptoUnderlyings": ["SOL"] holds "SOL", which Deribit does not list (BTC, ETH)',
    ],
    [
      { equityUnderlyings: ['BTC'] },
      'Invalid context "equityUnderlyings": ["BTC"] holds "BTC", which belongs in cryptoUnderlyings',
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
      'Invalid context "emailTo": [] is empty, but the daily email needs both emailFrom and emailTo',
    ],
    [{ sesSandbox: 'maybe' }, 'Invalid context "sesSandbox": "maybe" is not true or false'],
    [
      { maxAgeHoursCrypto: '0' },
      'Invalid context "maxAgeHoursCrypto": "0" is not a number of hours above 0 and at most 336',
    ],
    [{ maxConcurrency: 0 }, 'Invalid context "maxConcurrency": 0 is not a whole number from 1 to 40'],
    [{ logRetentionDays: 10 }, 'Invalid context "logRetentionDays": 10 is not one of 1, 3, 5, 7, 14, 30'],
    [{ equityUnderlyings: [], cryptoUnderlyings: '' }, 'Invalid context "equityUnderlyings"'],
  ])('names the key and the value: %j', (context, message) => {
    expect(() => from(context)).toThrow(message);
  });
});
