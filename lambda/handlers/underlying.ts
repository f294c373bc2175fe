import { isNyseHoliday } from '../calendar';
import { liveInput } from '../live/fetch';
import { analyseInput, publishInput } from '../pipeline';
import { GROUPS, VENUES } from '../venues';
import { entryPoint, type RuntimeConfig } from './config';

/** One item of the state machine's map: which underlying. */
export interface UnderlyingEvent {
  symbol: string;
}

export type UnderlyingResult =
  | { symbol: string; status: 'published'; asOf: string; regime: string; netGex: number; latest: boolean }
  | { symbol: string; status: 'skipped'; reason: string };

/**
 * Fetch live, validate, analyse, publish (dated files first, `latest` last). A failure throws a
 * `RunFailure` whose name says the stage and whether it is transient: Step Functions retries the transient
 * ones and, in the end, records it for the aggregate step; nothing is written before validation passes.
 */
export function underlyingHandler(config: RuntimeConfig) {
  return async (event: UnderlyingEvent): Promise<UnderlyingResult> => {
    const symbol = String(event.symbol ?? '').toUpperCase();
    const input = liveInput(symbol, config.live, config.now);
    // The symbol's schedule group says whether an exchange calendar applies: nothing is fetched on a holiday.
    if (GROUPS[VENUES[input.origin].group].calendar === 'nyse' && isNyseHoliday(config.now())) {
      return { symbol, status: 'skipped', reason: 'NYSE holiday' };
    }
    const record = await analyseInput(input, config.analysis);
    const published = await publishInput(input, config.store, record, {
      analysis: config.analysis,
      freshness: config.freshness,
      warn: (message) => config.logger.warn(message),
    });
    const result = {
      symbol,
      status: 'published' as const,
      asOf: record.asOf,
      regime: record.regime,
      netGex: record.totals.netGex,
      latest: published.latest,
    };
    config.logger.info('published', result);
    return result;
  };
}

/** The Lambda entry point. */
export const handler = entryPoint(underlyingHandler);
