import * as z from 'zod/mini';

/**
 * The report record, schema 2 (docs/methodology.md §7): the one definition of its shape. The TypeScript type
 * `ReportRecord` is inferred from it, `npm run record-schema` turns it into the published JSON Schema
 * (`docs/record.schema.json`), and a stored record is checked against it before it is compared or listed.
 * Numbers are plain finite JSON numbers, never rounded.
 */

export const SCHEMA_VERSION = 2;

/** A number with what it means and its unit, for the JSON Schema's readers. */
const num = (description: string) => z.number().check(z.describe(description));
const nullableNum = (description: string) => z.nullable(z.number()).check(z.describe(description));
const isoDate = (description: string) =>
  z.string().check(z.regex(/^\d{4}-\d\d-\d\d$/), z.describe(`${description} (YYYY-MM-DD)`));
const numbers = (description: string) => z.array(z.number()).check(z.describe(description));

/** Sums over a set of contracts: gamma split by side, the other exposures net (§4, §9). */
const exposureSums = {
  callGex: num('Calls’ gamma exposure, USD per 1% move'),
  putGex: num('Puts’ gamma exposure, USD per 1% move'),
  netGex: num('Net gamma exposure (calls + puts), USD per 1% move'),
  callOi: num('Call open interest, contracts (Cboe) or coins (Deribit)'),
  putOi: num('Put open interest, contracts (Cboe) or coins (Deribit)'),
  netDex: num('Net delta exposure: the dealers’ dollar delta before hedging, USD'),
  netVex: num('Net vanna exposure: change of the dealers’ dollar delta for +1 volatility point, USD'),
  netCex: num('Net charm exposure: change of the dealers’ dollar delta over one calendar day, USD'),
};

const expectedMove = z
  .nullable(
    z.object({
      expiry: isoDate('The expiry date'),
      atmIv: num('At-the-money implied volatility at the forward, decimal'),
      move: num('forward × atmIv × √T, in the underlying’s price unit'),
      lower: num('forward − move'),
      upper: num('forward + move'),
      years: z.optional(
        num(
          'T: the move’s horizon, from asOf to the latest expiry instant of the date, in years of 365 days, at least 5 minutes (added in this schema; absent from records written before)',
        ),
      ),
    }),
  )
  .check(z.describe('One standard deviation to the expiry date (§10); null when it cannot be worked out'));

export const reportRecord = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  symbol: z.string().check(z.describe('The underlying: SPX, SPY, BTC…')),
  source: z
    .enum(['cboe', 'cboe-csv', 'deribit'])
    .check(
      z.describe('The feed: Cboe delayed-quotes JSON, a Cboe CSV download, or the Deribit book summary'),
    ),
  asOf: z.string().check(z.describe('The snapshot instant, ISO 8601 UTC (§2)')),
  spot: num('The underlying’s price: Cboe’s last price, or Deribit’s index'),
  session: z
    .object({
      quotes: isoDate('The market session the quotes belong to'),
      openInterest: isoDate('The session whose close the open interest reflects'),
    })
    .check(
      z.describe(
        'Added by this project: a Cboe file downloaded on a weekend holds Friday’s quotes and Thursday’s open interest',
      ),
    ),
  currency: z.literal('USD'),
  unit: z.string().check(z.describe('The unit of the gamma exposures: "USD per 1% move"')),
  assumptions: z.object({
    positioning: z.enum(['classic', 'dealer-short']).check(z.describe('The dealer-positioning model (§4)')),
    riskFreeRate: num('Continuous rate applied (0 for Deribit, which is valued on its forwards)'),
    dividendYield: num('Continuous dividend yield applied (0 for Deribit)'),
    minTimeToExpiryMinutes: num('Floor on the time to expiry, minutes'),
    profileRangePct: num('Half-width of the gamma profile around spot, percent'),
    profilePoints: num('Levels in the gamma profile'),
  }),
  dataQuality: z.object({
    contractsIn: num('Contracts read from the chain'),
    contractsUsed: num('Contracts that count after the filters (§3)'),
    skipped: z.object({
      expired: num('Expired by the snapshot'),
      no_open_interest: num('Without open interest'),
      no_iv: num('Without implied volatility'),
      iv_out_of_range: num('Implied volatility below 1% or above 500%'),
      bad_price: num('Without a positive strike or forward'),
    }),
  }),
  totals: z.object({
    netGex: num('Net gamma exposure, USD per 1% move'),
    callGex: num('Calls’ gamma exposure, USD per 1% move'),
    putGex: num('Puts’ gamma exposure, USD per 1% move'),
    netDex: exposureSums.netDex,
    netVex: exposureSums.netVex,
    netCex: exposureSums.netCex,
    tilt: num('netGex / (callGex − putGex): net over gross, from −1 to 1 under classic positioning'),
  }),
  regime: z.enum(['positive', 'negative']).check(z.describe('positive when netGex > 0')),
  flip: z.object({
    level: nullableNum('The gamma flip: the zero crossing of the profile nearest spot, or null'),
    crossings: numbers('Every zero crossing of the profile, ascending'),
    status: z.enum(['found', 'none-in-range']),
    distancePct: nullableNum('(spot − flip) / spot × 100: positive when spot is above the flip'),
  }),
  levels: z.object({
    callWall: nullableNum('Strike at or above spot with the largest call gamma exposure'),
    putWall: nullableNum('Strike at or below spot with the largest put gamma exposure'),
    absGammaStrike: nullableNum('Strike with the largest call + put gamma exposure'),
    maxPain: nullableNum('Max pain of the nearest expiry date'),
  }),
  byStrike: z
    .array(z.object({ strike: num('The strike'), ...exposureSums }))
    .check(z.describe('Sums by strike over all roots and expiries, ascending')),
  byExpiry: z
    .array(z.object({ expiry: isoDate('The expiry date in the market’s zone'), ...exposureSums }))
    .check(z.describe('Sums by expiry date, ascending')),
  profile: z.object({
    levels: numbers('Underlying levels, evenly spaced over spot ± profileRangePct'),
    all: numbers('Net GEX at each level, all expiries (sticky strike)'),
    exNextExpiry: numbers('The same without the next expiry date'),
    exNextMonthly: numbers('The same without the next standard monthly date'),
    nextExpiry: z.nullable(isoDate('The next expiry date')),
    nextMonthly: z.nullable(isoDate('The next standard monthly expiry date')),
  }),
  zeroDte: z
    .object({
      netGex: num('Net gamma exposure of contracts expiring on the snapshot’s date, USD per 1% move'),
      callGex: num('Their calls’ gamma exposure'),
      putGex: num('Their puts’ gamma exposure'),
      share: num('Their gross gamma over the whole chain’s gross, 0 to 1'),
    })
    .check(z.describe('Zero days to expiry (§9): all zero when nothing expires on the snapshot’s date')),
  expectedMove: z.object({ nextExpiry: expectedMove, nextMonthly: expectedMove }),
  change: z
    .nullable(
      z.object({
        previousAsOf: z.string().check(z.describe('asOf of the record compared with')),
        previousSession: z.optional(
          isoDate(
            'The quote session of the record compared with, which the freshness rule counts from (added in this schema; absent from records written before)',
          ),
        ),
        spot: num('Spot difference, new − old'),
        netGex: num('Net GEX difference, USD per 1% move'),
        flip: nullableNum('Flip difference; null when either side has none'),
        callWall: nullableNum('Call wall difference'),
        putWall: nullableNum('Put wall difference'),
        oi: z
          .array(
            z.object({
              strike: num('The strike'),
              callOi: num('Call open interest difference'),
              putOi: num('Put open interest difference'),
            }),
          )
          .check(z.describe('The 10 strikes with the largest |ΔcallOi| + |ΔputOi|, largest first')),
      }),
    )
    .check(z.describe('Change since the previous report of the underlying (§11); null for the first')),
  grid: z
    .object({
      strikes: numbers('Listed strikes within the strike window around spot, ascending'),
      expiries: z.array(isoDate('Expiry date')).check(z.describe('The first 12 expiry dates')),
      netGex: z
        .array(z.array(z.number()))
        .check(z.describe('netGex[i][j]: net GEX of expiry i at strike j, USD per 1% move; 0 where none')),
    })
    .check(z.describe('Strike × expiry grid of net GEX (§12)')),
});

export type ReportRecord = z.infer<typeof reportRecord>;

/** The record's JSON Schema (draft 2020-12) as published in docs/record.schema.json. */
export function recordJsonSchema(): string {
  const schema = {
    ...z.toJSONSchema(reportRecord),
    title: 'Market Gamma Report record, schema 2',
    description:
      'One report per underlying and snapshot (latest.json and <date>.json). See docs/methodology.md §7.',
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/**
 * What reading a stored record needs of it (its history point and the change since it, §11): the fields
 * schema 1 records have too, checked so that a damaged file is named and ignored rather than misread.
 */
export const storedRecord = z.object({
  symbol: z.string(),
  source: z.enum(['cboe', 'cboe-csv', 'deribit']),
  asOf: z.string().check(z.regex(/^\d{4}-\d\d-\d\dT/)),
  /** Absent from records written before sessions were recorded. */
  session: z.optional(z.object({ quotes: z.string().check(z.regex(/^\d{4}-\d\d-\d\d$/)) })),
  spot: z.number(),
  regime: z.enum(['positive', 'negative']),
  totals: z.object({ netGex: z.number() }),
  flip: z.object({ level: z.nullable(z.number()) }),
  levels: z.object({
    callWall: z.nullable(z.number()),
    putWall: z.nullable(z.number()),
    maxPain: z.nullable(z.number()),
  }),
  byStrike: z.array(z.object({ strike: z.number(), callOi: z.number(), putOi: z.number() })),
});

/** One point of `<SYM>/history.json`: what the history charts and the archive need of one report. */
export const historyPoint = z.object({
  date: z.string().check(z.regex(/^\d{4}-\d\d-\d\d$/)),
  asOf: z.string(),
  spot: z.number(),
  flip: z.nullable(z.number()),
  callWall: z.nullable(z.number()),
  putWall: z.nullable(z.number()),
  maxPain: z.optional(z.nullable(z.number())),
  netGex: z.number(),
  regime: z.enum(['positive', 'negative']),
});

/** `<SYM>/history.json`. */
export const historyFile = z.array(historyPoint);

/** `<SYM>/summary.json`: what the index and the email read of one underlying (lambda/report/screener.ts). */
export const summaryFile = z.object({
  /** The screener's row: the latest report's ranking fields; flipDistancePct as (spot − flip) / spot × 100. */
  row: z.object({
    symbol: z.string(),
    venue: z.enum(['cboe', 'deribit']),
    date: z.string(),
    asOf: z.string(),
    regime: z.enum(['positive', 'negative']),
    spot: z.number(),
    netGex: z.number(),
    tilt: z.number(),
    flip: z.nullable(z.number()),
    flipDistancePct: z.nullable(z.number()),
    callWall: z.nullable(z.number()),
    putWall: z.nullable(z.number()),
    zeroDteShare: z.number(),
    expectedMovePct: z.nullable(z.number()),
    /** Hours from the snapshot to that move's expiry; absent from summaries written before it was recorded. */
    expectedMoveHours: z.optional(z.nullable(z.number())),
    netDex: z.number(),
    netVex: z.number(),
    netCex: z.number(),
  }),
  /** Spot and flip of the most recent reports, oldest first. */
  spark: z.array(
    z.object({ date: z.string(), asOf: z.string(), spot: z.number(), flip: z.nullable(z.number()) }),
  ),
  /** The levels' change since the previous report, whether it is recent enough to compare, and its age. */
  change: z.nullable(
    z.object({
      previousAsOf: z.string(),
      spot: z.number(),
      netGex: z.number(),
      flip: z.nullable(z.number()),
      callWall: z.nullable(z.number()),
      putWall: z.nullable(z.number()),
      fresh: z.boolean(),
      age: z.string(),
    }),
  ),
});

/** The text as a value of `schema`, or null with the first problem when it is not one. */
export function parseStored<T extends z.ZodMiniType>(
  schema: T,
  text: string,
): { value: z.infer<T> } | { problem: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { problem: `not JSON (${(e as Error).message})` };
  }
  const result = schema.safeParse(doc);
  if (result.success) return { value: result.data };
  const issue = result.error.issues[0]!;
  return { problem: `${issue.path.join('.') || 'the document'}: ${issue.message}` };
}

export type SummaryFile = z.infer<typeof summaryFile>;
export type HistoryPoint = z.infer<typeof historyPoint>;
export type StoredRecord = z.infer<typeof storedRecord>;
