import { isNyseHoliday } from '../calendar';
import { liveInput } from '../live/fetch';
import { analyseInput, publishInput } from '../pipeline';
import { FAILURES, type FailureName } from '../contract';
import { RunFailure } from '../failure';
import { GROUPS, tickerSymbol, VENUES } from '../venues';
import { entryPoint, type RuntimeConfig } from './config';

/**
 * What the state machine's distributed map hands one invocation: a batch of its watchlist's rows (the item
 * reader names the one column `symbol`).
 */
export interface BatchEvent {
  Items: { symbol: string }[];
}

/** What becomes of one underlying: small, so a batch's results stay a few hundred bytes. */
export type UnderlyingResult =
  | { symbol: string; status: 'published'; asOf: string; latest: boolean }
  | { symbol: string; status: 'skipped'; reason: string }
  | { symbol: string; status: 'failed'; error: FailureName };

/**
 * One underlying: fetch live, validate, analyse, publish (dated files first, `latest` last). A failure throws
 * a `RunFailure` whose name says the stage and whether it is transient; nothing is written before validation
 * passes.
 */
export function publishUnderlying(config: RuntimeConfig) {
  return async (symbol: string): Promise<Exclude<UnderlyingResult, { status: 'failed' }>> => {
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
      if (!(e instanceof RunFailure)) throw e;
      // The whole cause is told here, once: the batch's results keep only the failure's name.
      config.logger.error('underlying failed', {
        symbol,
        venue: input.origin,
        stage: e.stage,
        error: e.name,
        transient: FAILURES[e.name].transient,
        cause: e.reason.message,
      });
      throw e;
    }
  };
}

/**
 * A batch, one underlying after the other (so a run asks a venue for at most one chain per batch at once):
 * each underlying's failure is recorded under its name and the batch goes on, so one bad symbol never costs
 * the others their report. A fault outside the product's own failures (a bug) still fails the invocation.
 */
export function underlyingHandler(config: RuntimeConfig) {
  const publish = publishUnderlying(config);
  return async (event: BatchEvent): Promise<UnderlyingResult[]> => {
    const results: UnderlyingResult[] = [];
    for (const item of event.Items) {
      const symbol = tickerSymbol(String(item.symbol ?? ''));
      if (symbol === null) throw new Error(`batch item ${JSON.stringify(item)} is not a ticker symbol`);
      try {
        results.push(await publish(symbol));
      } catch (e) {
        if (!(e instanceof RunFailure)) throw e;
        results.push({ symbol, status: 'failed', error: e.name });
      }
    }
    return results;
  };
}

/** The Lambda entry point. */
export const handler = entryPoint(underlyingHandler);
