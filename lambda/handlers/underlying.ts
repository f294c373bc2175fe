import { isNyseHoliday } from '../calendar';
import { liveInput } from '../live/fetch';
import { analyseInput, publishInput } from '../pipeline';
import { FAILURES } from '../contract';
import { RunFailure } from '../failure';
import { GROUPS, VENUES } from '../venues';
import { entryPoint, type RuntimeConfig } from './config';

/** One item of the state machine's map: which underlying. */
export interface UnderlyingEvent {
  symbol: string;
}

/** What the map keeps of each underlying: small, so 500 of them stay far below the 256 KB state limit. */
export type UnderlyingResult =
  | { symbol: string; status: 'published'; asOf: string; latest: boolean }
  | { symbol: string; status: 'skipped'; reason: string };

/**
 * Fetch live, validate, analyse, publish (dated files first, `latest` last). A failure throws a
 * `RunFailure` whose name says the stage and whether it is transient: Step Functions retries the transient
 * ones and, in the end, records it for the aggregate step; nothing is written before validation passes.
 */
export function underlyingHandler(config: RuntimeConfig) {
  return async (event: UnderlyingEvent): Promise<UnderlyingResult> => {
    const symbol = String(event.symbol ?? '').toUpperCase();
    const input = liveInput(symbol, { ...config.live, warn: (m) => config.logger.warn(m) }, config.now);
    // The symbol's schedule group says whether an exchange calendar applies: nothing is fetched on a holiday.
    if (GROUPS[VENUES[input.origin].group].calendar === 'nyse' && isNyseHoliday(config.now())) {
      return { symbol, status: 'skipped', reason: 'NYSE holiday' };
    }
    try {
      // A live symbol is one chain.
      const [analysed] = await analyseInput(input, config.analysis);
      if (analysed instanceof RunFailure) throw analysed;
      const { record } = analysed!;
      const published = await publishInput(analysed!, config.store, {
        analysis: config.analysis,
        freshness: config.freshness,
        warn: (message) => config.logger.warn(message),
      });
      config.logger.info('published', {
        symbol,
        asOf: record.asOf,
        regime: record.regime,
        netGex: record.totals.netGex,
        latest: published.latest,
      });
      return { symbol, status: 'published', asOf: record.asOf, latest: published.latest };
    } catch (e) {
      // The whole cause is told here, once per attempt: the map passes on only the failure's name.
      const f = e as RunFailure;
      config.logger.error('underlying failed', {
        symbol,
        venue: input.origin,
        stage: f.stage,
        error: f.name,
        transient: FAILURES[f.name].transient,
        cause: f.reason.message,
      });
      throw e;
    }
  };
}

/** The Lambda entry point. */
export const handler = entryPoint(underlyingHandler);
