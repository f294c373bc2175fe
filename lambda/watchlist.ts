import { ConfigError } from './contract';
import { printable } from './errors';
import { tickerSymbol, unservedReason } from './venues';

/**
 * A watchlist file as the CLI (`--watchlist`) and the CDK app (context `watchlistFile`) read it: one symbol a
 * line, `#` starts a comment, blank lines are skipped. Every bad line is reported at once, named by file and
 * line: not a ticker, served by no venue, or listed twice.
 */
export function parseWatchlist(text: string, origin: string): string[] {
  const seen = new Map<string, number>();
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const entry = raw.replace(/#.*/, '').trim();
    if (entry === '') return;
    const where = `${printable(origin)}:${i + 1}`;
    const symbol = tickerSymbol(entry);
    if (symbol === null) {
      problems.push(
        `${where}: ${JSON.stringify(entry)} is not a ticker symbol (one symbol a line, # for comments)`,
      );
      return;
    }
    const why = unservedReason(symbol);
    if (why !== null) problems.push(`${where}: ${why}`);
    else if (seen.has(symbol))
      problems.push(`${where}: ${symbol} is listed twice (first on line ${seen.get(symbol)})`);
    else seen.set(symbol, i + 1);
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return [...seen.keys()];
}
