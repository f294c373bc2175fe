import { analyse } from '../gamma/analyse';
import { isNyseHoliday } from '../calendar';
import { publishReport } from '../publish';
import { fetchLiveChain } from '../sources/live';
import type { RuntimeConfig } from './config';
import { runtimeFromEnv } from './config';

/** One item of the state machine's map: which underlying, and whether the NYSE calendar applies. */
export interface UnderlyingEvent {
  symbol: string;
  /** `nyse` for the equity run: nothing is fetched on an exchange holiday. */
  calendar?: 'nyse' | 'none';
}

export type UnderlyingResult =
  | { symbol: string; status: 'published'; asOf: string; regime: string; netGex: number; latest: boolean }
  | { symbol: string; status: 'skipped'; reason: string };

/**
 * Fetch live, analyse, publish (dated files first, `latest` last). Any failure throws, so Step Functions
 * retries it and, in the end, records it; nothing is written for a failed underlying.
 */
export function underlyingHandler(config: RuntimeConfig) {
  return async (event: UnderlyingEvent): Promise<UnderlyingResult> => {
    const symbol = String(event.symbol ?? '').toUpperCase();
    if (event.calendar === 'nyse' && isNyseHoliday(config.now())) {
      return { symbol, status: 'skipped', reason: 'NYSE holiday' };
    }
    const chain = await fetchLiveChain(symbol, config.live);
    const record = analyse(chain, config.analysis);
    const published = await publishReport(config.store, record, { strikeWindowPct: config.strikeWindowPct });
    const result = {
      symbol,
      status: 'published' as const,
      asOf: record.asOf,
      regime: record.regime,
      netGex: record.totals.netGex,
      latest: published.latest,
    };
    console.log(JSON.stringify({ level: 'info', message: 'published', ...result }));
    return result;
  };
}

let live: ReturnType<typeof underlyingHandler> | undefined;
/** The Lambda entry point: collaborators from the environment, built on the first invocation. */
export const handler = (event: UnderlyingEvent) =>
  (live ??= underlyingHandler(runtimeFromEnv(process.env)))(event);
