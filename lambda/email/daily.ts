import { latestRecords } from '../publish';
import type { Freshness, Summary } from '../report/screener';
import type { Store } from '../store/store';
import { composeEmail, DETAIL_LIMIT, type Email } from './compose';

/**
 * The daily email of what the store lists: for a short watchlist it reads each underlying's latest record
 * for its block; a long one needs only the summaries the index was built from.
 */
export async function dailyEmail(
  store: Store,
  entries: readonly Summary[],
  options: { siteUrl: string; now: Date; freshness: Freshness; warn?: (message: string) => void },
): Promise<Email> {
  const symbols = entries.length <= DETAIL_LIMIT ? entries.map((e) => e.row.symbol) : [];
  const records = await latestRecords(store, symbols, options.warn);
  return composeEmail(entries, records, options.siteUrl, options.now, options.freshness);
}
