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

const OSI = /^(?<root>[A-Z0-9.]{1,6})(?<yy>\d{2})(?<mm>\d{2})(?<dd>\d{2})(?<cp>[CP])(?<strike>\d{8})$/;
/** Reads an OSI option symbol such as `SPXW231215C04500000`; null when it is not one. */
export function parseOsi(symbol: string): OsiSymbol | null {
  const g = OSI.exec(symbol.trim())?.groups;
  if (!g) return null;
  const { root, yy, mm, dd, cp, strike } = g as Record<'root' | 'yy' | 'mm' | 'dd' | 'cp' | 'strike', string>;
  const expiry = expiryInstant('cboe', root, 2000 + Number(yy), Number(mm), Number(dd));
  if (!Number.isFinite(expiry)) return null;
  return {
    root,
    underlying: ROOT_TO_UNDERLYING[root] ?? root,
    type: cp === 'C' ? 'call' : 'put',
    strike: Number(strike) / 1000,
    expiry,
  };
}

/** A Cboe contract from its OSI symbol and quoted fields (valued on spot). */
export function cboeContract(
  osi: OsiSymbol,
  fields: { openInterest: number; iv: number; vendorGamma: number },
  spot: number,
): OptionContract {
  const contract: OptionContract = {
    underlying: osi.underlying,
    root: osi.root,
    type: osi.type,
    strike: osi.strike,
    expiry: osi.expiry,
    openInterest: fields.openInterest,
    iv: fields.iv,
    multiplier: VENUES.cboe.multiplier,
    forward: spot,
  };
  if (Number.isFinite(fields.vendorGamma)) contract.vendorGamma = fields.vendorGamma;
  return contract;
}
