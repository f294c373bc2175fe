import type { OptionContract, OptionType } from '../types';
import { expiryInstant, VENUES } from '../venues';

/** Cboe roots whose weekly/PM series belong to another underlying (docs/methodology.md §1). */
const ROOT_TO_UNDERLYING: Record<string, string> = { SPXW: 'SPX', NDXP: 'NDX', RUTW: 'RUT', VIXW: 'VIX' };

export interface OsiSymbol {
  root: string;
  underlying: string;
  type: OptionType;
  strike: number;
  /** Expiry instant, epoch ms UTC. */
  expiry: number;
}

/** `SPXW231215C04500000`: a root of 1 to 6 characters, YYMMDD, C or P, the strike × 1000 in 8 digits. */
const OSI = /^[A-Z0-9.]{1,6}\d{6}[CP]\d{8}$/;
/** Type and strike: the last 9 characters. */
const TAIL = 9;

type Series = Pick<OsiSymbol, 'root' | 'underlying' | 'expiry'>;

/**
 * Reads OSI option symbols such as `SPXW231215C04500000`, each root and date decoded once per chain (a chain
 * has a few hundred series and tens of thousands of symbols): null when a symbol is not one, or names a date
 * that does not exist. The answer is one object rewritten by each call (a chain of 250,000 contracts makes no
 * garbage here): use it before reading the next symbol.
 */
export function osiReader(): (symbol: string) => Readonly<OsiSymbol> | null {
  const known = new Map<string, Series | null>();
  const decode = (key: string): Series | null => {
    const root = key.slice(0, key.length - 6);
    const [yy, mm, dd] = [0, 2, 4].map((i) => Number(key.slice(root.length + i, root.length + i + 2)));
    const expiry = expiryInstant('cboe', root, 2000 + yy!, mm!, dd!);
    return Number.isFinite(expiry) ? { root, underlying: ROOT_TO_UNDERLYING[root] ?? root, expiry } : null;
  };
  const read: OsiSymbol = { root: '', underlying: '', type: 'call', strike: NaN, expiry: NaN };
  // Files list a series' symbols together: the last series is checked before any lookup or copy.
  let lastKey = '';
  let last: Series | null = null;
  return (text) => {
    const symbol = text.trim();
    if (!OSI.test(symbol)) return null;
    const split = symbol.length - TAIL;
    if (split !== lastKey.length || !symbol.startsWith(lastKey)) {
      lastKey = symbol.slice(0, split);
      last = known.get(lastKey) ?? null;
      if (!known.has(lastKey)) known.set(lastKey, (last = decode(lastKey)));
    }
    if (last === null) return null;
    read.root = last.root;
    read.underlying = last.underlying;
    read.expiry = last.expiry;
    read.type = symbol.charCodeAt(split) === 67 /* C */ ? 'call' : 'put';
    read.strike = Number(symbol.slice(split + 1)) / 1000;
    return read;
  };
}

/** The fields a Cboe row quotes for one contract; a missing number is NaN. */
export interface CboeQuote {
  openInterest: number;
  iv: number;
  /** Cboe's own rounded gamma: informational only. */
  gamma: number;
  bid: number;
  ask: number;
}

/** A Cboe contract from its OSI symbol and quoted fields (valued on spot). */
export function cboeContract(osi: Readonly<OsiSymbol>, quote: CboeQuote, spot: number): OptionContract {
  const contract: OptionContract = {
    underlying: osi.underlying,
    root: osi.root,
    type: osi.type,
    strike: osi.strike,
    expiry: osi.expiry,
    openInterest: quote.openInterest,
    iv: quote.iv,
    multiplier: VENUES.cboe.multiplier,
    forward: spot,
    bid: quote.bid,
    ask: quote.ask,
  };
  if (Number.isFinite(quote.gamma)) contract.vendorGamma = quote.gamma;
  return contract;
}
