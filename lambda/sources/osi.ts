import { DateTime } from 'luxon';
import type { OptionContract, OptionType } from '../types';

/** Cboe roots whose weekly/PM series belong to another underlying (METHODOLOGY §1). */
const ROOT_TO_UNDERLYING: Record<string, string> = { SPXW: 'SPX', NDXP: 'NDX', RUTW: 'RUT', VIXW: 'VIX' };

/** Roots settled on the open (AM): they stop trading at 09:30 New York on the expiry date. */
const AM_SETTLED = new Set(['SPX', 'NDX', 'RUT', 'VIX', 'DJX']);

export const NEW_YORK = 'America/New_York';

export interface OsiSymbol {
  root: string;
  underlying: string;
  type: OptionType;
  strike: number;
  /** Expiry instant, epoch ms UTC. */
  expiry: number;
}

const OSI = /^(?<root>[A-Z0-9.]{1,6})(?<yy>\d{2})(?<mm>\d{2})(?<dd>\d{2})(?<cp>[CP])(?<strike>\d{8})$/;
const expiryCache = new Map<string, number>();

/** Expiry instant of a Cboe root on a New York calendar date: 09:30 for AM-settled roots, else 16:00. */
export function cboeExpiry(root: string, year: number, month: number, day: number): number {
  const am = AM_SETTLED.has(root);
  const key = `${year}-${month}-${day}-${am}`;
  let instant = expiryCache.get(key);
  if (instant === undefined) {
    instant = DateTime.fromObject(
      { year, month, day, hour: am ? 9 : 16, minute: am ? 30 : 0 },
      { zone: NEW_YORK },
    ).toMillis();
    expiryCache.set(key, instant);
  }
  return instant;
}

/** Reads an OSI option symbol such as `SPXW231215C04500000`; null when it is not one. */
export function parseOsi(symbol: string): OsiSymbol | null {
  const g = OSI.exec(symbol.trim())?.groups;
  if (!g) return null;
  const { root, yy, mm, dd, cp, strike } = g as Record<'root' | 'yy' | 'mm' | 'dd' | 'cp' | 'strike', string>;
  const expiry = cboeExpiry(root, 2000 + Number(yy), Number(mm), Number(dd));
  if (!Number.isFinite(expiry)) return null;
  return {
    root,
    underlying: ROOT_TO_UNDERLYING[root] ?? root,
    type: cp === 'C' ? 'call' : 'put',
    strike: Number(strike) / 1000,
    expiry,
  };
}

/** A Cboe contract from its OSI symbol and quoted fields (multiplier 100, valued on spot). */
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
    multiplier: 100,
    forward: spot,
  };
  if (Number.isFinite(fields.vendorGamma)) contract.vendorGamma = fields.vendorGamma;
  return contract;
}
