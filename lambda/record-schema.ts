import * as z from 'zod/mini';
import { DuplicateKeyError, parseStrictJson } from './json';
import { SOURCE_KINDS, VENUE_NAMES } from './venues';

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

const venue = z.enum(VENUE_NAMES);

/** A crypto book's venues (docs/methodology.md §17): what each adds, and which were left out and why. */
const venues = z
  .optional(
    z.array(
      z.object({
        venue,
        asOf: z.string().check(z.describe('The venue’s own snapshot instant, ISO 8601 UTC')),
        contractsIn: num('The venue’s contracts read'),
        contractsUsed: num('The venue’s contracts that count after the filters (§3)'),
        netGex: num('The venue’s net gamma exposure, USD per 1% move'),
        callGex: num('Its calls’ gamma exposure'),
        putGex: num('Its puts’ gamma exposure'),
        share: num('The venue’s gross gamma (|callGex| + |putGex|) over the book’s, 0 to 1'),
        netGexByStrike: numbers(
          'The venue’s net GEX at each strike of byStrike, in that order; 0 where it lists none that counts',
        ),
      }),
    ),
  )
  .check(
    z.describe(
      'The venues summed into the book, in the order read (§17); present for crypto underlyings, one entry when one venue was read; absent for Cboe and from records written before',
    ),
  );

const venuesLeftOut = z
  .optional(
    z.array(
      z.object({
        venue,
        reason: z.string().check(z.describe('Why: refused by §3, or its snapshot too far from the others’')),
      }),
    ),
  )
  .check(z.describe('Venues read but left out of the book (§17); absent when none was'));

export const reportRecord = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  symbol: z.string().check(z.describe('The underlying: SPX, SPY, BTC…')),
  source: z
    .enum(SOURCE_KINDS)
    .check(
      z.describe(
        'The feed: Cboe delayed-quotes JSON, a Cboe CSV download, the Deribit book summary, or the Bybit, OKX or Binance option answers',
      ),
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
    spotCheck: z.optional(
      z
        .object({
          status: z.enum(['passed', 'skipped']),
          expiry: z.nullable(isoDate('The expiry date whose implied forward the spot was checked against')),
          forward: nullableNum(
            'That forward: put-call parity (Cboe) or the median quoted forward (Deribit), USD',
          ),
          gapPct: nullableNum('(spot / forward − 1) × 100; refused beyond ±10'),
          reason: z.optional(z.string().check(z.describe('Why the check was skipped'))),
        })
        .check(
          z.describe(
            'The spot against the forward the chain implies (§3); absent from records written before the check existed',
          ),
        ),
    ),
  }),
  venues,
  venuesLeftOut,
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

/** A published JSON Schema (draft 2020-12) from its zod definition, with its title and description. */
function jsonSchemaText(schema: z.ZodMiniType, title: string, description: string): string {
  return `${JSON.stringify({ ...z.toJSONSchema(schema), title, description }, null, 2)}\n`;
}

/** The record's JSON Schema as published in docs/record.schema.json. */
export function recordJsonSchema(): string {
  return jsonSchemaText(
    reportRecord,
    'Market Gamma Report record, schema 2',
    'One report per underlying and snapshot (latest.json and <date>.json). See docs/methodology.md §7.',
  );
}

/**
 * What reading a stored record needs of it (its history point and the change since it, §11): the fields
 * schema 1 records have too, checked so that a damaged file is named and ignored rather than misread.
 */
export const storedRecord = z.object({
  symbol: z.string(),
  source: z.enum(SOURCE_KINDS),
  asOf: z.string().check(z.regex(/^\d{4}-\d\d-\d\dT/)),
  /** Absent from records written before sessions were recorded. */
  session: z.optional(z.object({ quotes: z.string().check(z.regex(/^\d{4}-\d\d-\d\d$/)) })),
  spot: z.number(),
  regime: z.enum(['positive', 'negative']),
  /** tilt and the next expiry's ATM IV feed the evidence (§16); schema-1 records have neither. */
  totals: z.object({ netGex: z.number(), tilt: z.optional(z.number()) }),
  expectedMove: z.optional(z.object({ nextExpiry: z.nullable(z.object({ atmIv: z.number() })) })),
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
  /**
   * What the evidence reads besides (§16): null when the record has none, absent from a point written before
   * they were kept (such a point is read again from its record).
   */
  tilt: z.optional(z.nullable(z.number())),
  atmIv: z.optional(z.nullable(z.number())),
});

/** `<SYM>/history.json`. */
export const historyFile = z.array(historyPoint);

/** `<SYM>/summary.json`: what the index and the email read of one underlying (lambda/report/screener.ts). */
export const summaryFile = z.object({
  /** The screener's row: the latest report's ranking fields; flipDistancePct as (spot − flip) / spot × 100. */
  row: z.object({
    symbol: z.string(),
    venue,
    /** How many venues the book sums (§17): null for Cboe; absent from summaries written before. */
    venues: z.optional(z.nullable(z.number())),
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
    /** The regime evidence's volRatio (§16); absent from summaries written before it was kept. */
    volRatio: z.optional(z.nullable(z.number())),
  }),
  /** What the evidence's one-sentence reading needs (§16), for the email; absent from older summaries. */
  evidence: z.optional(
    z.object({
      pairs: z.number(),
      positive: z.number(),
      negative: z.number(),
      volRatio: z.nullable(z.number()),
      p: z.nullable(z.number()),
    }),
  ),
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

const regimeStats = (regime: string) =>
  z
    .object({
      n: num(`Pairs whose first record is in ${regime} gamma`),
      meanAbsReturn: nullableNum('Mean |r|, r = ln(spot_j / spot_i); null without pairs'),
      rmsReturn: nullableNum('√mean(r²); null without pairs'),
      annualisedVol: nullableNum('√mean(r² / dt), dt in years of 365 days; null without pairs'),
    })
    .check(
      z.describe(`Pairs starting in ${regime} gamma (net GEX ${regime === 'positive' ? '> 0' : '< 0'})`),
    );

const wilson = z
  .nullable(z.tuple([z.number(), z.number()]))
  .check(z.describe('Wilson 95% interval of the rate, [low, high]; null when n is 0'));

const rate = {
  n: num('Pairs the rate is over'),
  rate: nullableNum('The share of those pairs, 0 to 1; null when n is 0'),
  wilson95: wilson,
};

const wallHold = (description: string) =>
  z.object({ ...rate, held: num('Pairs where the wall held') }).check(z.describe(description));

/**
 * `<SYM>/evidence.json` (docs/methodology.md §16): how the store's own history bears out the regime claim. The
 * published JSON Schema is docs/evidence.schema.json.
 */
export const evidenceFile = z.object({
  symbol: z.string().check(z.describe('The underlying')),
  from: z
    .nullable(z.string())
    .check(z.describe('asOf of the first record, ISO 8601 UTC; null without records')),
  to: z.nullable(z.string()).check(z.describe('asOf of the last record')),
  pairs: num('Pairs of records minGapHours to maxGapHours apart, each record starting at most one'),
  minGapHours: num('A record’s partner is the first record at least this many hours later'),
  maxGapHours: num('…kept only if it is at most this many hours later'),
  byRegime: z.object({ positive: regimeStats('positive'), negative: regimeStats('negative') }),
  volRatio: nullableNum(
    'annualisedVol(negative) / annualisedVol(positive); null when either has fewer than 2 pairs',
  ),
  mannWhitney: z
    .nullable(
      z.object({
        u: num('Σ over (negative, positive) pairs of [a > b] + ½[a = b], of |r| / √dt'),
        z: num('(u − n₁n₂/2) / σ with the tie-corrected σ; positive when negative-gamma moves are larger'),
        p: num('Two-sided p-value from the normal distribution'),
      }),
    )
    .check(
      z.describe('Mann–Whitney U test; null when either regime has fewer than 5 pairs or all moves tie'),
    ),
  spearman: z
    .nullable(
      z.object({
        rho: num('Spearman rank correlation of tilt with |r| / √dt (average ranks for ties)'),
        n: num('Pairs whose first record has a tilt'),
      }),
    )
    .check(z.describe('null below 5 pairs, or when tilt or the moves do not vary')),
  expectedMove: z
    .object({ ...rate, inside: num('Pairs inside the expected move') })
    .check(
      z.describe(
        'Pairs whose first record has the next expiry’s ATM IV: inside when |spot_j − spot_i| ≤ spot_i × atmIv × √dt',
      ),
    ),
  callWall: wallHold('Pairs whose call wall is above spot: held when spot_j ≤ callWall_i'),
  putWall: wallHold('Pairs whose put wall is below spot: held when spot_j ≥ putWall_i'),
});

export type Evidence = z.infer<typeof evidenceFile>;

/** The evidence document's JSON Schema as published in docs/evidence.schema.json. */
export function evidenceJsonSchema(): string {
  return jsonSchemaText(
    evidenceFile,
    'Market Gamma Report regime evidence',
    'One document per underlying (evidence.json beside latest.json). See docs/methodology.md §16.',
  );
}

/** The text as a value of `schema`, or null with the first problem when it is not one. */
export function parseStored<T extends z.ZodMiniType>(
  schema: T,
  text: string,
): { value: z.infer<T> } | { problem: string } {
  let doc: unknown;
  try {
    doc = parseStrictJson(text);
  } catch (e) {
    if (e instanceof DuplicateKeyError) return { problem: e.message };
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
