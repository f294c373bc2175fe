import { InputError } from '../errors';
import type { OptionChain } from '../types';
import { VENUES, type Venue } from '../venues';
import { checkChain } from './checks';
import { screen } from './exposure';

/**
 * A crypto book across venues (docs/methodology.md §17): each venue's chain, normalised to §1 by its reader,
 * summed into one chain per underlying. Pure: no I/O, no clock.
 */

/** A venue whose snapshot is further than this from the book's reference instant is left out (§17). */
export const MAX_APART_MS = 15 * 60 * 1000;

export interface LeftOut {
  venue: Venue;
  reason: string;
}

export interface BookOptions {
  /** @default MAX_APART_MS */
  maxApartMs?: number;
  /** Told once for each venue left out, with a sentence naming it and why. */
  warn?: (message: string) => void;
}

const iso = (ms: number) => new Date(ms).toISOString();
/** A duration in whole minutes and the seconds beyond, to the millisecond: `15 min`, `15 min 0.001 s`. */
const minutes = (ms: number) => {
  const rest = ms % 60000;
  return `${Math.floor(ms / 60000)} min${rest === 0 ? '' : ` ${rest / 1000} s`}`;
};

/**
 * The book's reference instant (§17): the median of the venues' snapshot instants, where the median of an even
 * count is one of the two middle snapshots — Deribit's when it is one of them, else the later — so that the
 * reference is always a venue's own snapshot and that venue is always in the book.
 */
export function referenceChain(chains: readonly OptionChain[]): OptionChain {
  const sorted = [...chains].sort((a, b) => a.asOf - b.asOf);
  const upper = sorted[sorted.length >> 1]!;
  if (sorted.length % 2 === 1) return upper;
  const lower = sorted[(sorted.length >> 1) - 1]!;
  return lower.venue === 'deribit' && upper.venue !== 'deribit' ? lower : upper;
}

/** The venue's chain-level refusal of §3 as a sentence, or null when its chain passes on its own. */
function refusal(chain: OptionChain): string | null {
  const { used, skipped } = screen(chain);
  try {
    checkChain(chain, used, skipped);
    return null;
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
}

/**
 * One book from the venues' chains of one underlying (§17). Each venue's chain must pass §3 on its own (a
 * one-sided or mispriced venue would otherwise hide behind the others); a venue whose snapshot is more than
 * `maxApartMs` from the reference instant is left out; the rest are summed. The book's spot is Deribit's index
 * where Deribit is in it, else the first venue's (in the order given) that is; its snapshot is the reference
 * instant; every contract keeps its own forward and is marked with its venue, so the same strike on two venues
 * is two contracts. Throws when the chains are of different underlyings, when a venue comes twice, and when
 * no venue is left.
 */
export function combineBook(
  chains: readonly OptionChain[],
  opts: BookOptions = {},
): { chain: OptionChain; leftOut: LeftOut[] } {
  const maxApart = opts.maxApartMs ?? MAX_APART_MS;
  if (chains.length === 0) throw new InputError('a book needs at least one venue’s chain');
  const symbol = chains[0]!.symbol;
  const other = chains.find((c) => c.symbol !== symbol);
  if (other)
    throw new InputError(
      `a book is one underlying: ${chains[0]!.venue} ${symbol} and ${other.venue} ${other.symbol} cannot be combined`,
    );
  const seen = new Set<Venue>();
  for (const c of chains) {
    if (seen.has(c.venue)) throw new InputError(`${symbol} book: ${VENUES[c.venue].name} is given twice`);
    seen.add(c.venue);
  }

  const leftOut: LeftOut[] = [];
  const leave = (venue: Venue, reason: string) => {
    leftOut.push({ venue, reason });
    opts.warn?.(`${symbol} book: ${VENUES[venue].name} left out: ${reason}`);
  };
  const sound = chains.filter((c) => {
    const reason = refusal(c);
    if (reason !== null) leave(c.venue, reason);
    return reason === null;
  });
  if (sound.length === 0)
    throw new InputError(
      `${symbol} book: every venue is refused (${leftOut.map((l) => `${VENUES[l.venue].name}: ${l.reason}`).join('; ')})`,
    );

  const reference = referenceChain(sound);
  const kept = sound.filter((c) => {
    const apart = Math.abs(c.asOf - reference.asOf);
    if (apart <= maxApart) return true;
    leave(
      c.venue,
      `its snapshot ${iso(c.asOf)} is ${minutes(apart)} from the book’s ${iso(reference.asOf)} (${VENUES[reference.venue].name}’s), more than ${minutes(maxApart)}`,
    );
    return false;
  });

  const spotFrom = kept.find((c) => c.venue === 'deribit') ?? kept[0]!;
  const chain: OptionChain = {
    symbol,
    source: spotFrom.source,
    venue: spotFrom.venue,
    asOf: reference.asOf,
    spot: spotFrom.spot,
    contracts: kept.flatMap((c) => c.contracts.map((k) => ({ ...k, venue: c.venue }))),
    book: { venues: kept.map((c) => ({ venue: c.venue, asOf: c.asOf })), leftOut },
  };
  if (reference.quoteTime !== undefined) chain.quoteTime = reference.quoteTime;
  if (reference.ageAsOf !== undefined) chain.ageAsOf = reference.ageAsOf;
  return { chain, leftOut };
}
