import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../lambda/contract';
import { parseWatchlist } from '../lambda/watchlist';
import { ROOT } from './helpers';

/** The problems a watchlist is refused with, one line each. */
function problems(text: string): string[] {
  try {
    parseWatchlist(text, 'w.txt');
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('the watchlist was accepted');
}

describe('a watchlist file', () => {
  it('reads one symbol a line, skipping blank lines and # comments, upper-cased, in file order', () => {
    expect(parseWatchlist('# mine\nspy\n\n  qqq   # tech\r\nBTC\n', 'w.txt')).toEqual(['SPY', 'QQQ', 'BTC']);
  });

  it('reads the example shipped in samples/', () => {
    const symbols = parseWatchlist(
      readFileSync(join(ROOT, 'samples', 'watchlist.txt'), 'utf8'),
      'samples/watchlist.txt',
    );
    expect(symbols).toContain('SPX');
    expect(symbols).toContain('BTC');
    expect(symbols).toHaveLength(new Set(symbols).size);
  });

  it('names every bad line at once: not a ticker, no venue, listed twice', () => {
    expect(problems('SPY\nSP Y\n../etc\nSPY\nBTC-USD\n')).toEqual([
      'w.txt:2: "SP Y" is not a ticker symbol (one symbol a line, # for comments)',
      'w.txt:3: "../etc" is not a ticker symbol (one symbol a line, # for comments)',
      'w.txt:4: SPY is listed twice (first on line 1)',
      'w.txt:5: no venue serves "BTC-USD": Cboe (US tickers such as SPX, SPY, AAPL); Deribit (BTC, ETH, BTC-DERIBIT, ETH-DERIBIT, USDC-linear books such as SOL_USDC, XRP_USDC); Bybit (BTC-BYBIT, ETH-BYBIT); OKX (BTC-OKX, ETH-OKX); Binance (BTC-BINANCE, ETH-BINANCE)',
    ]);
  });

  it('accepts an empty file as an empty list', () => {
    expect(parseWatchlist('# nothing yet\n', 'w.txt')).toEqual([]);
  });
});
