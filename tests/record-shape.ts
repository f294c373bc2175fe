/**
 * The record's field names at every level as the spec writes them (docs/methodology.md §7, with schema 2's
 * additions from §9 to §12), transcribed by hand rather than taken from the code, and its invariants.
 */
export const SECTION_7 = {
  top: [
    'schemaVersion',
    'symbol',
    'source',
    'asOf',
    'spot',
    // Added by this project beyond the spec's list: the sessions the quotes and open interest belong to.
    'session',
    'currency',
    'unit',
    'assumptions',
    'dataQuality',
    'totals',
    'regime',
    'flip',
    'levels',
    'byStrike',
    'byExpiry',
    'profile',
    'zeroDte',
    'expectedMove',
    'change',
    'grid',
  ],
  assumptions: [
    'positioning',
    'riskFreeRate',
    'dividendYield',
    'minTimeToExpiryMinutes',
    'profileRangePct',
    'profilePoints',
  ],
  // spotCheck: added by this project, §3's check of the spot against the forward the chain implies.
  dataQuality: ['contractsIn', 'contractsUsed', 'skipped', 'spotCheck'],
  spotCheckPassed: ['status', 'expiry', 'forward', 'gapPct'],
  spotCheckSkipped: ['status', 'expiry', 'forward', 'gapPct', 'reason'],
  skipped: ['expired', 'no_open_interest', 'no_iv', 'iv_out_of_range', 'bad_price'],
  totals: ['netGex', 'callGex', 'putGex', 'netDex', 'netVex', 'netCex', 'tilt'],
  flip: ['level', 'crossings', 'status', 'distancePct'],
  levels: ['callWall', 'putWall', 'absGammaStrike', 'maxPain'],
  byStrike: ['strike', 'callGex', 'putGex', 'netGex', 'callOi', 'putOi', 'netDex', 'netVex', 'netCex'],
  byExpiry: ['expiry', 'callGex', 'putGex', 'netGex', 'callOi', 'putOi', 'netDex', 'netVex', 'netCex'],
  profile: ['levels', 'all', 'exNextExpiry', 'exNextMonthly', 'nextExpiry', 'nextMonthly'],
  zeroDte: ['netGex', 'callGex', 'putGex', 'share'],
  expectedMove: ['nextExpiry', 'nextMonthly'],
  // Added by this project: the move's horizon T, and the previous report's quote session that freshness counts from.
  move: ['expiry', 'atmIv', 'move', 'lower', 'upper', 'years'],
  change: ['previousAsOf', 'previousSession', 'spot', 'netGex', 'flip', 'callWall', 'putWall', 'oi'],
  changeOi: ['strike', 'callOi', 'putOi'],
  grid: ['strikes', 'expiries', 'netGex'],
};

/** §17's additions for crypto books: every crypto record breaks its book down by venue. */
export const SECTION_17 = {
  venues: [
    'venue',
    'asOf',
    'contractsIn',
    'contractsUsed',
    'netGex',
    'callGex',
    'putGex',
    'share',
    'netGexByStrike',
  ],
  venuesLeftOut: ['venue', 'reason'],
};

const keys = (o: unknown) => Object.keys(o as object).sort();
const sorted = (a: string[]) => [...a].sort();

/** Every problem with a record's shape, as readable lines (empty when it follows §7 exactly). */
export function shapeProblems(record: Record<string, unknown>): string[] {
  const r = record as Record<string, Record<string, unknown> & unknown[]>;
  const problems: string[] = [];
  const check = (path: string, value: unknown, expected: string[]) => {
    if (JSON.stringify(keys(value)) !== JSON.stringify(sorted(expected))) {
      problems.push(`${path}: keys ${keys(value).join(',')} instead of ${sorted(expected).join(',')}`);
    }
  };
  const crypto = ['deribit', 'bybit', 'okx', 'binance'].includes(r.source as unknown as string);
  const leftOut = r.venuesLeftOut !== undefined;
  check('record', r, [
    ...SECTION_7.top,
    ...(crypto ? ['venues'] : []),
    ...(leftOut ? ['venuesLeftOut'] : []),
  ]);
  if (crypto) {
    (r.venues as unknown[]).forEach((row, i) => check(`venues[${i}]`, row, SECTION_17.venues));
    const shares = (r.venues as unknown as { share: number }[]).reduce((sum, v) => sum + v.share, 0);
    if (Math.abs(shares - 1) > 1e-9) problems.push(`venues' shares sum to ${shares}`);
  }
  if (leftOut)
    (r.venuesLeftOut as unknown[]).forEach((row, i) =>
      check(`venuesLeftOut[${i}]`, row, SECTION_17.venuesLeftOut),
    );
  for (const part of [
    'assumptions',
    'dataQuality',
    'totals',
    'flip',
    'levels',
    'profile',
    'zeroDte',
    'expectedMove',
    'grid',
  ] as const) {
    check(part, r[part], SECTION_7[part]);
  }
  for (const which of ['nextExpiry', 'nextMonthly']) {
    const move = (r.expectedMove as unknown as Record<string, unknown>)?.[which];
    if (move !== null) check(`expectedMove.${which}`, move, SECTION_7.move);
  }
  if (r.change !== null && r.change !== undefined) {
    check('change', r.change, SECTION_7.change);
    (r.change.oi as unknown[]).forEach((row, i) => check(`change.oi[${i}]`, row, SECTION_7.changeOi));
  }
  if (r.schemaVersion !== (2 as unknown)) problems.push(`schemaVersion ${r.schemaVersion}`);
  check('dataQuality.skipped', r.dataQuality?.skipped, SECTION_7.skipped);
  const spotCheck = r.dataQuality?.spotCheck as { status?: string } | undefined;
  check(
    'dataQuality.spotCheck',
    spotCheck,
    spotCheck?.status === 'passed' ? SECTION_7.spotCheckPassed : SECTION_7.spotCheckSkipped,
  );
  (r.byStrike as unknown[]).forEach((row, i) => check(`byStrike[${i}]`, row, SECTION_7.byStrike));
  (r.byExpiry as unknown[]).forEach((row, i) => check(`byExpiry[${i}]`, row, SECTION_7.byExpiry));
  if (!['cboe', 'cboe-csv', 'deribit', 'bybit', 'okx', 'binance'].includes(r.source as unknown as string))
    problems.push(`source ${r.source}`);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(r.asOf as unknown as string))
    problems.push(`asOf ${r.asOf}`);
  if (!['positive', 'negative'].includes(r.regime as unknown as string)) problems.push(`regime ${r.regime}`);
  if (!['found', 'none-in-range'].includes(r.flip?.status as string))
    problems.push(`flip.status ${r.flip?.status}`);
  const strikes = (r.byStrike as { strike: number }[]).map((s) => s.strike);
  if (strikes.some((s, i) => i > 0 && s <= (strikes[i - 1] as number)))
    problems.push('byStrike not sorted by strike');
  const dates = (r.byExpiry as { expiry: string }[]).map((s) => s.expiry);
  if (dates.some((d, i) => !/^\d{4}-\d\d-\d\d$/.test(d) || (i > 0 && d <= (dates[i - 1] as string)))) {
    problems.push('byExpiry not YYYY-MM-DD sorted by date');
  }
  const points = (r.assumptions as unknown as { profilePoints: number }).profilePoints;
  for (const curve of ['levels', 'all', 'exNextExpiry', 'exNextMonthly']) {
    if ((r.profile?.[curve] as unknown[]).length !== points) problems.push(`profile.${curve} length`);
  }
  return problems;
}
