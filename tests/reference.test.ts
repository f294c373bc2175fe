// The product against scripts/reference.py, an independent numpy implementation written from the spec
// (docs/methodology.md §1–§10, §12) that shares no code with lambda/: every recorded chain goes through both,
// and any number on which they disagree is a bug in one of them (or a reading of the spec to settle).
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { fixturePath, ROOT } from './helpers';

const CLI = join(ROOT, 'dist', 'gamma-report.js');
const REFERENCE = join(ROOT, 'scripts', 'reference.py');

/** Chains whose snapshot time is not in the file: both sides get the same instant. The SPY one is set
 * before that day's 16:00 expiry so that its same-day contracts exercise zeroDte. */
const AS_OF: Record<string, string> = {
  'cboe_SPX_2022-03-23_intraday.csv': '2022-03-23T14:11:00Z',
  'cboe_SPY_2022-04-01_dataobject.json': '2022-04-01T19:30:00Z',
};

const CHAINS = [join(ROOT, 'samples'), join(ROOT, 'tests', 'fixtures', 'chains')]
  .flatMap((dir) => readdirSync(dir))
  .filter((f) => /\.(csv|json)$/.test(f))
  .sort();

type Positioning = 'classic' | 'dealer-short';
/**
 * Every chain under `classic`, and one of each venue under `dealer-short` (dealers short every option, §4),
 * where the puts keep their sign and the calls change theirs: a sign slip on one side or in one exposure shows
 * on any chain with both. The positioning is the same code whatever the reader, so the second model takes
 * three chains (Cboe CSV, Cboe JSON with same-day options, Deribit), not all 19 again: each is two processes.
 */
const DEALER_SHORT = [
  'cboe_SPX_2023-09-14.csv',
  'cboe_SPY_2022-04-01_dataobject.json',
  'deribit_BTC_2026-03-13.json',
];
const RUNS: [string, Positioning][] = [
  ...CHAINS.map((name): [string, Positioning] => [name, 'classic']),
  ...DEALER_SHORT.map((name): [string, Positioning] => [name, 'dealer-short']),
];

interface Move {
  expiry: string;
  atmIv: number;
  move: number;
  lower: number;
  upper: number;
  /** T, the move's horizon in years. */
  years: number;
}
interface Sums {
  callGex: number;
  putGex: number;
  netGex: number;
  callOi: number;
  putOi: number;
  netDex: number;
  netVex: number;
  netCex: number;
}
interface Grid {
  strikes: number[];
  expiries: string[];
  netGex: number[][];
}
/** The fields both sides print (the product's record has more). */
interface Analysis {
  symbol: string;
  asOf: string;
  spot: number;
  dataQuality: {
    contractsIn: number;
    contractsUsed: number;
    skipped: Record<string, number>;
    spotCheck?: { status: string; expiry: string | null; forward: number | null; gapPct: number | null };
  };
  totals: {
    netGex: number;
    callGex: number;
    putGex: number;
    netDex: number;
    netVex: number;
    netCex: number;
    tilt: number;
  };
  zeroDte: { netGex: number; callGex: number; putGex: number; share: number };
  expectedMove: { nextExpiry: Move | null; nextMonthly: Move | null };
  flip: { level: number | null; crossings: number[]; status: string; distancePct: number | null };
  levels: {
    callWall: number | null;
    putWall: number | null;
    absGammaStrike: number | null;
    maxPain: number | null;
  };
  profile: {
    levels: number[];
    all: number[];
    exNextExpiry: number[];
    exNextMonthly: number[];
    nextExpiry: string | null;
    nextMonthly: string | null;
  };
  grid: Grid;
  byStrike: (Sums & { strike: number })[];
  byExpiry: (Sums & { expiry: string })[];
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

async function product(file: string, args: string[]): Promise<Analysis> {
  const out = mkdtempSync(join(tmpdir(), 'gamma-reference-'));
  try {
    // A clean environment, as a user's shell without the product's settings variables.
    const stdout = await run(process.execPath, [CLI, '--file', file, '--json', '--out', out, ...args], {
      PATH: process.env.PATH,
    });
    const records = JSON.parse(stdout) as Analysis[];
    if (records.length !== 1) throw new Error(`${file}: ${records.length} records, expected 1`);
    return records[0]!;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

async function reference(file: string, args: string[]): Promise<Analysis> {
  return JSON.parse(await run('python3', [REFERENCE, file, ...args], process.env)) as Analysis;
}

/** Relative agreement, with an absolute floor for sums that are (nearly) zero on both sides. */
function close(
  a: number | null | undefined,
  b: number | null | undefined,
  rel: number,
  floor: number,
): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return a === b;
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)) + floor;
}

/** Every disagreement between the product (p) and the reference (r), one line each. */
function problems(p: Analysis, r: Analysis): string[] {
  const out: string[] = [];
  const check = (what: string, a: unknown, b: unknown, ok: boolean) => {
    if (!ok) out.push(`${what}: product ${JSON.stringify(a)}, reference ${JSON.stringify(b)}`);
  };
  const same = (what: string, a: unknown, b: unknown) =>
    check(what, a, b, JSON.stringify(a) === JSON.stringify(b));
  const near = (
    what: string,
    a: number | null | undefined,
    b: number | null | undefined,
    rel: number,
    floor: number,
  ) => check(what, a, b, close(a, b, rel, floor));

  same('symbol', p.symbol, r.symbol);
  same('asOf', p.asOf, r.asOf);
  same('spot', p.spot, r.spot);
  const { spotCheck: ps, ...pq } = p.dataQuality;
  const { spotCheck: rs, ...rq } = r.dataQuality;
  same('dataQuality', pq, rq);
  same('dataQuality.spotCheck', [ps?.status, ps?.expiry], [rs?.status, rs?.expiry]);
  near('dataQuality.spotCheck.forward', ps?.forward, rs?.forward, 1e-12, 0);
  near('dataQuality.spotCheck.gapPct', ps?.gapPct, rs?.gapPct, 0, 1e-9);

  // USD sums within 0.1%; the floor, a millionth of the chain's gross GEX (whatever the sides' signs under the
  // positioning), only matters for sums near 0.
  const usd = 1e-6 * (Math.abs(r.totals.callGex) + Math.abs(r.totals.putGex));
  for (const k of ['netGex', 'callGex', 'putGex', 'netDex', 'netVex', 'netCex'] as const) {
    near(`totals.${k}`, p.totals[k], r.totals[k], 1e-3, usd);
  }
  near('totals.tilt', p.totals.tilt, r.totals.tilt, 1e-6, 1e-12);
  for (const k of ['netGex', 'callGex', 'putGex', 'share'] as const) {
    near(`zeroDte.${k}`, p.zeroDte[k], r.zeroDte[k], 1e-6, k === 'share' ? 1e-12 : usd * 1e-3);
  }

  for (const k of ['nextExpiry', 'nextMonthly'] as const) {
    const a = p.expectedMove[k];
    const b = r.expectedMove[k];
    if (a === null || b === null) {
      same(`expectedMove.${k}`, a, b);
      continue;
    }
    same(`expectedMove.${k}.expiry`, a.expiry, b.expiry);
    for (const f of ['atmIv', 'move', 'lower', 'upper', 'years'] as const) {
      near(`expectedMove.${k}.${f}`, a[f], b[f], 1e-6, 0);
    }
  }

  // Both refine each crossing to 1e-6 × spot, so 1e-5 × spot leaves room for the two root finders.
  const level = 1e-5 * r.spot;
  same('flip.status', p.flip.status, r.flip.status);
  near('flip.level', p.flip.level, r.flip.level, 0, level);
  near('flip.distancePct', p.flip.distancePct, r.flip.distancePct, 0, 1e-3);
  same('flip.crossings.length', p.flip.crossings.length, r.flip.crossings.length);
  p.flip.crossings.forEach((c, i) => near(`flip.crossings[${i}]`, c, r.flip.crossings[i], 0, level));

  same('levels', p.levels, r.levels);

  same('profile.nextExpiry', p.profile.nextExpiry, r.profile.nextExpiry);
  same('profile.nextMonthly', p.profile.nextMonthly, r.profile.nextMonthly);
  for (const k of ['levels', 'all', 'exNextExpiry', 'exNextMonthly'] as const) {
    const a = p.profile[k];
    const b = r.profile[k];
    same(`profile.${k}.length`, a.length, b.length);
    // The curves within 0.1% of their largest value (a relative test fails where they cross zero).
    const [rel, floor] = k === 'levels' ? [1e-9, 0] : [0, 1e-3 * Math.max(...b.map(Math.abs))];
    a.forEach((v, i) => near(`profile.${k}[${i}]`, v, b[i], rel, floor));
  }

  out.push(...gridProblems(p.grid, r.grid, usd * 1e-3));

  out.push(...rowProblems('byStrike', 'strike', p.byStrike, r.byStrike, usd * 1e-3));
  out.push(...rowProblems('byExpiry', 'expiry', p.byExpiry, r.byExpiry, usd * 1e-3));
  return out;
}

function rowProblems<K extends 'strike' | 'expiry'>(
  what: string,
  key: K,
  a: (Sums & Record<K, number | string>)[],
  b: (Sums & Record<K, number | string>)[],
  floor: number,
): string[] {
  const keys = (rows: typeof a) => JSON.stringify(rows.map((x) => x[key]));
  if (keys(a) !== keys(b)) return [`${what} ${key}s: product ${keys(a)}, reference ${keys(b)}`];
  const out: string[] = [];
  a.forEach((x, i) => {
    const y = b[i]!;
    for (const f of [
      'callGex',
      'putGex',
      'netGex',
      'netDex',
      'netVex',
      'netCex',
      'callOi',
      'putOi',
    ] as const) {
      const [rel, abs] = f.endsWith('Oi') ? [1e-9, 0] : [1e-3, floor];
      if (!close(x[f], y[f], rel, abs))
        out.push(`${what}[${x[key]}].${f}: product ${x[f]}, reference ${y[f]}`);
    }
  });
  return out;
}

/**
 * §12's grid: both read "remaining expiry dates" as the dates of unexpired contracts and "listed strikes" as
 * their strikes, whether or not the contracts count, so the axes must be equal and every cell within 0.1%.
 */
function gridProblems(p: Grid, r: Grid, floor: number): string[] {
  const out: string[] = [];
  if (JSON.stringify(p.expiries) !== JSON.stringify(r.expiries)) {
    out.push(`grid.expiries: product ${p.expiries}, reference ${r.expiries}`);
  }
  if (JSON.stringify(p.strikes) !== JSON.stringify(r.strikes)) {
    out.push(`grid.strikes: product ${p.strikes}, reference ${r.strikes}`);
  }
  if (out.length > 0) return out;
  p.netGex.forEach((row, i) =>
    row.forEach((v, j) => {
      const w = r.netGex[i]?.[j];
      if (w === undefined || !close(v, w, 1e-3, floor)) {
        out.push(`grid[${p.expiries[i]}][${p.strikes[j]}]: product ${v}, reference ${w}`);
      }
    }),
  );
  return out;
}

const numpy = spawnSync('python3', ['-c', 'import numpy, zoneinfo'], { encoding: 'utf8' });
const missing =
  numpy.error !== undefined
    ? `python3 cannot be run (${numpy.error.message})`
    : numpy.status !== 0
      ? `python3 has no numpy (${numpy.stderr.trim().split('\n').pop()})`
      : null;

if (missing !== null && process.env.CI === 'true') {
  describe('the independent reference (scripts/reference.py)', () => {
    it('has python3 with numpy to run on', () => {
      throw new Error(`${missing}: CI must provide python3 with numpy`);
    });
  });
} else {
  if (missing !== null) console.warn(`Reference check left out: ${missing} (CI=true makes this a failure).`);
  (missing === null ? describe : describe.skip)(
    'the product against the independent reference (scripts/reference.py)',
    () => {
      type Outcome = { ok: true; p: Analysis; r: Analysis } | { ok: false; error: Error };
      const outcomes = new Map<string, Promise<Outcome>>();

      beforeAll(() => {
        // Two processes at a time (the machine has 2 cores); each test waits for its own chain only.
        const limit = pLimit(2);
        for (const [name, positioning] of RUNS) {
          const file = fixturePath(name);
          const args = [
            ...(AS_OF[name] === undefined ? [] : ['--as-of', AS_OF[name]]),
            ...['--positioning', positioning],
          ];
          const both = Promise.all([limit(() => product(file, args)), limit(() => reference(file, args))]);
          outcomes.set(
            `${name} ${positioning}`,
            both.then(
              ([p, r]): Outcome => ({ ok: true, p, r }),
              (error: Error): Outcome => ({ ok: false, error }),
            ),
          );
        }
      });

      it.each(RUNS)(
        'agrees on %s under %s positioning',
        async (name, positioning) => {
          const outcome = await outcomes.get(`${name} ${positioning}`)!;
          if (!outcome.ok) throw outcome.error;
          expect(problems(outcome.p, outcome.r)).toEqual([]);
        },
        180_000,
      );

      it('compares chains that exercise every part of the record', async () => {
        // Guards against agreement by emptiness: both sides at 0 or null everywhere would also "agree".
        const refs: Analysis[] = [];
        for (const name of CHAINS) {
          const outcome = await outcomes.get(`${name} classic`)!;
          if (outcome.ok) refs.push(outcome.r);
        }
        expect(refs).toHaveLength(CHAINS.length);
        const some = (f: (r: Analysis) => boolean) => refs.some(f);
        expect({
          zeroDte: some((r) => r.zeroDte.share > 0),
          severalCrossings: some((r) => r.flip.crossings.length > 1),
          monthlyAfterNext: some((r) => r.profile.nextMonthly !== r.profile.nextExpiry),
          monthlyIsNext: some((r) => r.profile.nextMonthly === r.profile.nextExpiry),
          negativeTilt: some((r) => r.totals.tilt < 0),
          expired: some((r) => (r.dataQuality.skipped.expired ?? 0) > 0),
          ivOutOfRange: some((r) => (r.dataQuality.skipped.iv_out_of_range ?? 0) > 0),
        }).toEqual({
          zeroDte: true,
          severalCrossings: true,
          monthlyAfterNext: true,
          monthlyIsNext: true,
          negativeTilt: true,
          expired: true,
          ivOutOfRange: true,
        });
      }, 300_000);
    },
  );
}
