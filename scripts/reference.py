#!/usr/bin/env python3
"""Independent reference implementation of the gamma report's calculation.

Written from docs/methodology.md (§1-§10 and §12) alone, sharing no code with lambda/, so that a
bug in either one shows up as a disagreement in tests/reference.test.ts. r = q = 0 throughout.

    python3 scripts/reference.py FILE [--as-of ISO] [--positioning classic|dealer-short]
                                      [--strike-window PCT] [--profile-only]

Prints one JSON object on stdout; a chain the spec refuses gives a one-line error on stderr and exit status 1.

Readings chosen where the spec leaves room (the most literal one each time):
- "Remaining expiry dates" (§5 next expiry / next monthly, §6 nearest expiry, §12 first 12 dates) are the
  dates, in the market zone, of the contracts that are not expired at asOf, whether or not they count (§3).
- "Listed strikes" are the strikes of those unexpired contracts: §12's grid columns are the strikes listed on
  any remaining date (the sentence picks dates and strikes independently) within +-strikeWindowPct of spot,
  bounds included, and §6's max-pain candidates are the strikes listed on the nearest date. Everything
  summed (GEX, open interest in max pain, IVs) comes only from the contracts that count (§3). In §10 the
  bracketing strikes are those with a counted contract, because the sentence defines a strike's IV from the
  contracts that count on that date.
- §10's T uses the latest expiry instant among the counted contracts on that date (printed as `years`).
- byStrike / byExpiry rows exist for the strikes / dates that have at least one counted contract.
- The standard monthly date (§5) is a remaining expiry date that is the third Friday of its month (Cboe) or
  the last Friday of its month (Deribit); no holiday shift. No such date remaining gives null.
- Tilt and the zero-DTE share use the written formula (callGex - putGex) as "gross" under every
  positioning model, although under dealer-short that difference is not a gross (tilt leaves [-1, 1]).
- §6 is applied as written under every positioning model: the call wall is the largest callGex and the
  absolute gamma strike the largest callGex + |putGex|, even under dealer-short where callGex <= 0.
- Coverage (§3) is checked only for a side (calls or puts) with unexpired open interest; a side with none
  has nothing to cover.
- A Cboe CSV `Date:` line with a time of day but no zone is read as America/New_York local time. EDT and EST
  are taken as written (UTC-4 / UTC-5), not checked against the date.
- Deribit spot is the median `estimated_delivery_price` over the rows (§3); the symbol is the most frequent
  underlying among the contracts read.
- The spot check (§3) pairs a call and a put by (root, strike) on the date; a date qualifies when at least 3
  distinct strikes have such a pair with bid > 0 and ask > 0 on both; the Cboe forward is the median over
  those pairs of K + mid(call) - mid(put); the Deribit forward the median `underlying_price` of every
  unexpired row on that date. "Within 60 days": every contract of the date expires at most 60 x 86400 s
  after asOf. The gap is spot / forward - 1; VIX and VIXW chains are not checked.
- A sign change of the `all` profile (§5) is a pair of neighbouring levels whose values have strictly
  opposite signs; a level where the curve is exactly 0 is itself a crossing. Each bracket is refined by
  bisection until it is no wider than 1e-6 x spot, and its midpoint is reported.
- Max pain and the walls break ties towards the lower strike; the flip, towards the lower crossing.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import functools
import json
import math
import re
import sys
import time
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np

NEW_YORK = ZoneInfo('America/New_York')
YEAR_S = 365 * 86400.0
MIN_T = 300.0 / YEAR_S
ROOT_TO_UNDERLYING = {'SPXW': 'SPX', 'NDXP': 'NDX', 'RUTW': 'RUT', 'VIXW': 'VIX'}
AM_SETTLED = {'SPX', 'NDX', 'RUT', 'VIX', 'DJX'}
REASONS = ['expired', 'no_open_interest', 'no_iv', 'iv_out_of_range', 'bad_price']
PLAIN_NUMBER = re.compile(r'[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?')
OSI = re.compile(r'([A-Z0-9.]{1,6})(\d{2})(\d{2})(\d{2})([CP])(\d{8})')
DERIBIT_NAME = re.compile(r'([A-Z0-9]+)(?:_([A-Z]+))?-(\d{1,2})([A-Z]{3})(\d{2})-(\d+(?:d\d+)?)-([CP])')
MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})


class Refused(Exception):
    """The spec refuses the chain (or the file cannot be read); the message is the one-line error."""


# ---------------------------------------------------------------- reading: §1, §2


def number(value, where: str) -> float | None:
    """A present cell must be a plain number (§3); an empty cell or null is missing."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise Refused(f'{where}: "{value}" is not a plain number')
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise Refused(f'{where}: "{value}" is not a plain number')
        return float(value)
    text = str(value).strip()
    if text == '':
        return None
    if not PLAIN_NUMBER.fullmatch(text):
        raise Refused(f'{where}: "{value}" is not a plain number')
    return float(text)


@functools.cache
def cboe_expiry(root: str, yy: int, mm: int, dd: int) -> float:
    at = (9, 30) if root in AM_SETTLED else (16, 0)
    return datetime(2000 + yy, mm, dd, *at, tzinfo=NEW_YORK).timestamp()


def cboe_contract(symbol: str, iv, oi, where: str, forward: float, bid=None, ask=None) -> dict:
    m = OSI.fullmatch(symbol.strip())
    if not m:
        raise Refused(f'{where}: "{symbol}" is not an OSI option symbol')
    root, yy, mm, dd, cp, strike = m.groups()
    return {
        'underlying': ROOT_TO_UNDERLYING.get(root, root),
        'root': root,
        'call': cp == 'C',
        'strike': int(strike) / 1000.0,
        'expiry': cboe_expiry(root, int(yy), int(mm), int(dd)),
        'oi': oi,
        'iv': iv,
        'multiplier': 100.0,
        'forward': forward,
        'bid': bid,
        'ask': ask,
    }


def read_cboe_json(doc: dict, name: str):
    data = doc.get('data') if isinstance(doc.get('data'), dict) else doc
    as_of = None
    if isinstance(doc.get('timestamp'), str):
        as_of = datetime.strptime(doc['timestamp'], '%Y-%m-%d %H:%M:%S').replace(tzinfo=timezone.utc).timestamp()
    spot = number(data.get('current_price'), f'{name}: current_price')
    contracts = []
    for i, o in enumerate(data.get('options') or []):
        where = f'{name}: options[{i}]'
        iv = number(o.get('iv'), f'{where}.iv')
        oi = number(o.get('open_interest'), f'{where}.open_interest')
        bid = number(o.get('bid'), f'{where}.bid')
        ask = number(o.get('ask'), f'{where}.ask')
        contracts.append(cboe_contract(str(o.get('option', '')), iv, oi, f'{where}.option', spot, bid, ask))
    return contracts, spot, as_of


def parse_cboe_date(text: str) -> float | None:
    """The forms of §2: 'September 14, 2023 at 4:31 PM EDT', '8 June 2023 7:56 PM EDT', '5 April 2023, 19:41
    UTC−4', a bare date (16:15 New York). None when the text is not one of them."""
    t = text.strip().strip('"').replace('\u2212', '-').strip()
    m = re.fullmatch(
        r'(?:(?P<mon1>[A-Za-z]+)\.?\s+(?P<day1>\d{1,2})|(?P<day2>\d{1,2})\s+(?P<mon2>[A-Za-z]+)\.?)\s*,?\s*'
        r'(?P<year>\d{4})'
        r'(?:\s*,?\s*(?:at\s+)?(?P<h>\d{1,2}):(?P<mi>\d{2})(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?))?'
        r'(?:\s*(?P<zone>EDT|EST|(?:UTC|GMT)(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?))?)?',
        t,
        re.I,
    )
    if not m:
        return None
    month = MONTHS.get((m['mon1'] or m['mon2']).lower())
    if month is None:
        return None
    try:
        day = date(int(m['year']), month, int(m['day1'] or m['day2']))
    except ValueError:
        return None
    if m['h'] is None:
        return datetime(day.year, day.month, day.day, 16, 15, tzinfo=NEW_YORK).timestamp()
    hour, minute = int(m['h']), int(m['mi'])
    if m['ampm']:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m['ampm'][0].lower() == 'p' else 0)
    if hour > 23 or minute > 59:
        return None
    zone = (m['zone'] or '').upper().replace(' ', '')
    if zone == '':
        tz = NEW_YORK
    elif zone == 'EDT':
        tz = timezone(timedelta(hours=-4))
    elif zone == 'EST':
        tz = timezone(timedelta(hours=-5))
    else:
        off = zone[3:]
        if off == '':
            tz = timezone.utc
        else:
            sign = -1 if off[0] == '-' else 1
            hh, _, mm = off[1:].partition(':')
            if len(hh) > 2:  # '+0530'
                hh, mm = hh[:-2], hh[-2:]
            tz = timezone(sign * timedelta(hours=int(hh), minutes=int(mm or 0)))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz).timestamp()


def read_cboe_csv(text: str, name: str):
    lines = text.splitlines()
    spot = as_of = None
    date_line = None
    header_at = None
    for i, line in enumerate(lines):
        if header_at is None and line.lstrip('"').startswith('Expiration Date,'):
            header_at = i
            break
        if spot is None and (m := re.search(r'Last:\s*([^,"]*)', line)):
            spot = number(m.group(1), f'{name}: line {i + 1}: Last')
        if date_line is None and (m := re.search(r'Date:\s*(.*?)\s*"?\s*(?:,\s*(?:Bid|Ask|Size|Volume)\s*:|$)', line)):
            date_line = (i + 1, m.group(1))
    if header_at is None:
        raise Refused(f'{name}: no "Expiration Date,Calls,..." header line')
    if date_line is not None:
        as_of = parse_cboe_date(date_line[1])
    header = [h.strip() for h in next(csv.reader([lines[header_at]]))]
    split = header.index('Strike')

    def col(label: str, side: int) -> int:
        cols = [j for j, h in enumerate(header) if h == label and (j < split) == (side == 0)]
        if not cols:
            raise Refused(f'{name}: header has no {label} column for the {"calls" if side == 0 else "puts"}')
        return cols[0]

    sides = [
        (col(label, s), col('IV', s), col('Open Interest', s), col('Bid', s), col('Ask', s))
        for s, label in ((0, 'Calls'), (1, 'Puts'))
    ]
    read_cols = [j for side in sides for j in side[1:]]
    numeric = [j for j, h in enumerate(header) if h not in ('Expiration Date', 'Calls', 'Puts', '')]
    # One regex per row instead of one per cell keeps the 10,000-row files fast; a row that fails it is
    # walked cell by cell to name the bad one.
    cell = PLAIN_NUMBER.pattern
    row_ok = re.compile(rf'(?:{cell})?(?:\x00(?:{cell})?)*')
    contracts = []
    for n, row in enumerate(csv.reader(lines[header_at + 1 :]), start=header_at + 2):
        if not row or all(c.strip() == '' for c in row):
            continue
        if len(row) < len(header):
            raise Refused(f'{name}: line {n}: {len(row)} cells, the header has {len(header)}')
        if not row_ok.fullmatch('\x00'.join(row[j].strip() for j in numeric)):
            for j in numeric:
                number(row[j], f'{name}: line {n}, column {header[j]}')
        values = {j: float(row[j]) if row[j].strip() else None for j in read_cols}
        for sym_col, iv_col, oi_col, bid_col, ask_col in sides:
            if row[sym_col].strip() == '':
                continue
            contracts.append(
                cboe_contract(
                    row[sym_col],
                    values[iv_col],
                    values[oi_col],
                    f'{name}: line {n}',
                    spot,
                    values[bid_col],
                    values[ask_col],
                )
            )
    return contracts, spot, as_of, date_line


def read_deribit(rows: list[dict], name: str, line_of):
    contracts = []
    stamps = []
    indices = []
    for i, r in enumerate(rows):
        where = line_of(i)
        inst = str(r.get('instrument_name', '')).strip()
        m = DERIBIT_NAME.fullmatch(inst)
        if not m:
            raise Refused(f'{where}: "{inst}" is not a Deribit option name')
        base, linear, dd, mon, yy, strike, cp = m.groups()
        # §3: every field naming a currency agrees with the instrument.
        named = {
            'base_currency': base,
            'quote_currency': linear or base,
        }
        for field, expected in named.items():
            given = str(r.get(field) or '').strip()
            if given and given != expected:
                raise Refused(f'{where}: {field} {given} disagrees with the instrument {inst}')
        index_name = str(r.get('underlying_index') or '').strip()
        coin = re.match(r'(?:SYN\.)?([A-Z0-9]+)(?:_[A-Z]+)?-', index_name)
        if coin and coin.group(1) != base:
            raise Refused(f'{where}: underlying_index {index_name} disagrees with the instrument {inst}')
        month = MONTHS.get(mon.lower())
        if month is None:
            raise Refused(f'{where}: "{inst}" has no month {mon}')
        expiry = datetime(2000 + int(yy), month, int(dd), 8, 0, tzinfo=timezone.utc).timestamp()
        mark_iv = number(r.get('mark_iv'), f'{where}: mark_iv')
        stamp = number(r.get('creation_timestamp'), f'{where}: creation_timestamp')
        index = number(r.get('estimated_delivery_price'), f'{where}: estimated_delivery_price')
        if stamp is not None:
            stamps.append(stamp)
        if index is not None:
            indices.append(index)
        contracts.append(
            {
                'underlying': base,
                'root': base,
                'call': cp == 'C',
                'strike': float(strike.replace('d', '.')),
                'expiry': expiry,
                'oi': number(r.get('open_interest'), f'{where}: open_interest'),
                'iv': None if mark_iv is None else mark_iv / 100.0,
                'multiplier': 1.0,
                'forward': number(r.get('underlying_price'), f'{where}: underlying_price'),
                'bid': number(r.get('bid_price'), f'{where}: bid_price'),
                'ask': number(r.get('ask_price'), f'{where}: ask_price'),
            }
        )
    # §3: the spot is the median index over the rows, never one row's.
    spot = float(np.median(indices)) if indices else None
    if not stamps:
        return contracts, spot, None
    return contracts, spot, max(stamps) / 1000.0


def read_bybit(doc: dict, name: str):
    """Bybit /v5/market/tickers?category=option (§17): openInterest in coins, markIv decimal, underlyingPrice
    the expiry's forward, indexPrice spot (median over the rows), `time` the snapshot (ms), 08:00 UTC expiries."""
    contracts = []
    indices = []
    for i, r in enumerate(doc['result']['list']):
        where = f'{name}: result.list[{i}]'
        # USDC-settled `BTC-27JUN25-120000-P`, USDT-settled `…-P-USDT`: two roots.
        symbol = str(r.get('symbol', ''))
        settle = symbol.endswith('-USDT')
        m = DERIBIT_NAME.fullmatch(symbol[:-5] if settle else symbol)
        if not m or m.group(2):
            raise Refused(f'{where}: "{r.get("symbol")}" is not a Bybit option name')
        base, _, dd, mon, yy, strike, cp = m.groups()
        month = MONTHS.get(mon.lower())
        if month is None:
            raise Refused(f'{where}: no month {mon}')
        index = number(r.get('indexPrice'), f'{where}: indexPrice')
        if index is not None:
            indices.append(index)
        contracts.append(
            {
                'underlying': base,
                'root': f'{base}-USDT' if settle else base,
                'call': cp == 'C',
                'strike': float(strike),
                'expiry': datetime(2000 + int(yy), month, int(dd), 8, 0, tzinfo=timezone.utc).timestamp(),
                'oi': number(r.get('openInterest'), f'{where}: openInterest'),
                'iv': number(r.get('markIv'), f'{where}: markIv'),
                'multiplier': 1.0,
                'forward': number(r.get('underlyingPrice'), f'{where}: underlyingPrice'),
                'bid': number(r.get('bid1Price'), f'{where}: bid1Price'),
                'ask': number(r.get('ask1Price'), f'{where}: ask1Price'),
            }
        )
    spot = float(np.median(indices)) if indices else None
    return contracts, spot, doc['time'] / 1000.0


def read_chain(path: str):
    """-> (venue, contracts, spot, asOf seconds or None, why asOf is missing)."""
    name = path.rsplit('/', 1)[-1]
    with open(path, encoding='utf-8-sig') as f:
        text = f.read()
    if text.lstrip().startswith('{'):
        doc = json.loads(text)
        if isinstance(doc.get('result'), dict) and doc['result'].get('category') == 'option':
            contracts, spot, as_of = read_bybit(doc, name)
            return 'bybit', contracts, spot, as_of, f'{name}: no time'
        if isinstance(doc.get('result'), list):
            contracts, spot, as_of = read_deribit(doc['result'], name, lambda i: f'{name}: result[{i}]')
            return 'deribit', contracts, spot, as_of, f'{name}: no creation_timestamp'
        contracts, spot, as_of = read_cboe_json(doc, name)
        return 'cboe', contracts, spot, as_of, f'{name}: no top-level timestamp'
    first = text.lstrip().split('\n', 1)[0]
    if 'instrument_name' in first:
        lines = text.splitlines()
        header = next(csv.reader([lines[0]]))
        rows = []
        for n, cells in enumerate(csv.reader(lines[1:]), start=2):
            if not cells:
                continue
            if len(cells) < len(header):
                raise Refused(f'{name}: line {n}: {len(cells)} cells, the header has {len(header)}')
            rows.append(dict(zip(header, cells)))
        contracts, spot, as_of = read_deribit(rows, name, lambda i: f'{name}: line {i + 2}')
        return 'deribit', contracts, spot, as_of, f'{name}: no creation_timestamp'
    contracts, spot, as_of, date_line = read_cboe_csv(text, name)
    why = (
        f'{name}: no Date: line'
        if date_line is None
        else f'{name}: line {date_line[0]}: cannot read the date "{date_line[1]}"'
    )
    return 'cboe', contracts, spot, as_of, why


# ---------------------------------------------------------------- maths helpers


def market_date(instant: float, venue: str) -> str:
    tz = NEW_YORK if venue == 'cboe' else timezone.utc
    return datetime.fromtimestamp(instant, tz).date().isoformat()


def is_standard_monthly(iso: str, venue: str) -> bool:
    d = date.fromisoformat(iso)
    if d.weekday() != 4:
        return False
    if venue == 'cboe':
        return 15 <= d.day <= 21
    return d.day + 7 > calendar.monthrange(d.year, d.month)[1]


def phi(x):
    return np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def sums_by(keys, values, unique):
    """Sum of values per key, in the order of `unique` (sorted)."""
    idx = np.searchsorted(unique, keys)
    return np.bincount(idx, weights=values, minlength=len(unique))


def iso_utc(seconds: float) -> str:
    dt = datetime.fromtimestamp(seconds, timezone.utc)
    return dt.strftime('%Y-%m-%dT%H:%M:%S.') + f'{dt.microsecond // 1000:03d}Z'


# ---------------------------------------------------------------- §3 spot against the implied forward


def check_chain(name: str, venue: str, unexpired: list[dict], spot: float, as_of: float) -> dict:
    if any(c['root'] in ('VIX', 'VIXW') for c in unexpired):
        return {'status': 'skipped', 'expiry': None, 'forward': None, 'gapPct': None}
    by_date: dict[str, list[dict]] = {}
    for c in unexpired:
        by_date.setdefault(market_date(c['expiry'], venue), []).append(c)
    for day in sorted(by_date):
        on = by_date[day]
        if max(c['expiry'] for c in on) - as_of > 60 * 86400:
            continue
        quoted = lambda c: (c['bid'] or 0) > 0 and (c['ask'] or 0) > 0
        calls = {(c['root'], c['strike']): c for c in on if c['call'] and quoted(c)}
        puts = {(c['root'], c['strike']): c for c in on if not c['call'] and quoted(c)}
        pairs = [(calls[k], puts[k]) for k in calls if k in puts]
        if len({strike for root, strike in calls if (root, strike) in puts}) < 3:
            continue
        if venue == 'cboe':
            values = [c['strike'] + (c['bid'] + c['ask']) / 2 - (p['bid'] + p['ask']) / 2 for c, p in pairs]
        else:
            values = [c['forward'] for c in on if c['forward'] is not None and c['forward'] > 0]
        forward = float(np.median(values))
        gap = spot / forward - 1
        if abs(gap) > 0.10:
            raise Refused(f'{name}: spot {spot} is {gap * 100:.1f}% from the implied forward {forward:.6g}')
        return {'status': 'passed', 'expiry': day, 'forward': forward, 'gapPct': gap * 100}
    return {'status': 'skipped', 'expiry': None, 'forward': None, 'gapPct': None}


# ---------------------------------------------------------------- the analysis


def analyse(path: str, as_of_arg: str | None, positioning: str, window_pct: float, profile_only: bool):
    name = path.rsplit('/', 1)[-1]
    venue, rows, spot, as_of, why = read_chain(path)
    if as_of_arg is not None:
        t = datetime.fromisoformat(as_of_arg.replace('Z', '+00:00'))
        as_of = (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).timestamp()
    if as_of is None:
        raise Refused(f'{why}; pass --as-of')
    if as_of < datetime(2000, 1, 1, tzinfo=timezone.utc).timestamp() or as_of > time.time() + 86400:
        raise Refused(f'{name}: asOf {iso_utc(as_of)} is before 2000 or more than a day in the future')
    if spot is None or spot <= 0:
        raise Refused(f'{name}: no positive spot')
    if not rows:
        raise Refused(f'{name}: no contracts')

    seen = set()
    for c in rows:
        key = (c['root'], c['expiry'], c['strike'], c['call'])
        if key in seen:
            raise Refused(
                f'{name}: contract {c["root"]} {iso_utc(c["expiry"])} {c["strike"]:g} '
                f'{"call" if c["call"] else "put"} is listed twice'
            )
        seen.add(key)

    # §3, first reason that applies.
    skipped = dict.fromkeys(REASONS, 0)
    counts = []
    for c in rows:
        oi, iv = c['oi'], c['iv']
        if c['expiry'] <= as_of:
            reason = 'expired'
        elif oi is None or oi <= 0:
            reason = 'no_open_interest'
        elif iv is None or not math.isfinite(iv) or iv <= 0:
            reason = 'no_iv'
        elif iv < 0.01 or iv > 5.0:
            reason = 'iv_out_of_range'
        elif c['strike'] <= 0 or c['forward'] is None or c['forward'] <= 0:
            reason = 'bad_price'
        else:
            reason = None
        if reason:
            skipped[reason] += 1
        counts.append(reason is None)
    if not any(counts):
        raise Refused(f'{name}: no contract counts')
    live = [c for c in rows if c['expiry'] > as_of]
    for side, is_call in (('call', True), ('put', False)):
        if live and not any((c['oi'] or 0) > 0 for c in live if c['call'] == is_call):
            raise Refused(f'{name}: no {side} open interest (one-sided chain)')
    if sum(1 for c in live if (c['oi'] or 0) > 0) < 0.05 * len(live):
        raise Refused(f'{name}: fewer than 5% of unexpired contracts carry open interest')
    for side, is_call in (('call', True), ('put', False)):
        total = sum(c['oi'] for c in rows if c['call'] == is_call and c['expiry'] > as_of and (c['oi'] or 0) > 0)
        used = sum(c['oi'] for c, ok in zip(rows, counts) if ok and c['call'] == is_call)
        if total > 0 and used < 0.5 * total:
            raise Refused(
                f'{name}: only {100 * used / total:.0f}% of {side} open interest has a usable implied volatility'
            )

    unexpired = [c for c in rows if c['expiry'] > as_of]
    used = [c for c, ok in zip(rows, counts) if ok]
    spot_check = check_chain(name, venue, unexpired, spot, as_of)
    underlyings = [c['underlying'] for c in rows]
    symbol = max(sorted(set(underlyings)), key=underlyings.count)
    # A crypto venue other than Deribit publishes its own record under the coin and the venue's name
    # (`BTC-BYBIT`), so it never stands in for the whole book (README, venues).
    if venue not in ('cboe', 'deribit'):
        symbol = f'{symbol}-{venue.upper()}'

    call = np.array([c['call'] for c in used], dtype=bool)
    K = np.array([c['strike'] for c in used], dtype=float)
    oi = np.array([c['oi'] for c in used], dtype=float)
    iv = np.array([c['iv'] for c in used], dtype=float)
    mult = np.array([c['multiplier'] for c in used], dtype=float)
    fwd = np.array([c['forward'] for c in used], dtype=float)
    expiry = np.array([c['expiry'] for c in used], dtype=float)
    day_of = {e: market_date(e, venue) for e in {c['expiry'] for c in unexpired}}
    exp_date = np.array([day_of[e] for e in expiry], dtype=object).astype(str)
    T = np.maximum((expiry - as_of) / YEAR_S, MIN_T)
    sign = np.where(call, 1.0, -1.0) if positioning == 'classic' else -np.ones(len(used))

    # §4 and §9 at spot.
    sd = iv * np.sqrt(T)
    d1 = (np.log(fwd / K) + 0.5 * sd * sd) / sd
    d2 = d1 - sd
    pdf = phi(d1)
    size = sign * oi * mult
    gex = size * pdf / (fwd * sd) * fwd * fwd * 0.01

    # §5 profile: F moves with the level, iv and T fixed (sticky strike).
    remaining = sorted({day_of[c['expiry']] for c in unexpired})
    next_expiry = remaining[0] if remaining else None
    next_monthly = next((d for d in remaining if is_standard_monthly(d, venue)), None)
    w = 0.20 if venue == 'cboe' else 0.30
    levels = np.linspace(spot * (1 - w), spot * (1 + w), 201)
    shift = np.log(fwd / (spot * K))  # ln(F/K) at level L is ln(L) + shift
    weight = size * 0.01 / sd

    def curve_at(level: float) -> float:
        f = fwd * (level / spot)
        return float(np.sum(weight * phi((math.log(level) + shift) / sd + 0.5 * sd) * f))

    grid_d1 = (np.log(levels)[:, None] + shift[None, :]) / sd[None, :] + 0.5 * sd[None, :]
    per = phi(grid_d1) * (fwd[None, :] * (levels[:, None] / spot))
    keep_next = (exp_date != next_expiry).astype(float)
    keep_monthly = (exp_date != next_monthly).astype(float)
    curves = per @ np.stack([weight, weight * keep_next, weight * keep_monthly], axis=1)
    all_curve = curves[:, 0]

    crossings = []
    for i in range(len(levels)):
        if all_curve[i] == 0:
            crossings.append(float(levels[i]))
        elif i + 1 < len(levels) and all_curve[i] * all_curve[i + 1] < 0:
            lo, hi = float(levels[i]), float(levels[i + 1])
            f_lo = all_curve[i]
            while hi - lo > 1e-6 * spot:
                mid = 0.5 * (lo + hi)
                f_mid = curve_at(mid)
                if f_mid == 0:
                    lo = hi = mid
                elif (f_mid < 0) == (f_lo < 0):
                    lo, f_lo = mid, f_mid
                else:
                    hi = mid
            crossings.append(0.5 * (lo + hi))
    flip = min(crossings, key=lambda c: (abs(c - spot), c)) if crossings else None
    out = {
        'symbol': symbol,
        'venue': venue,
        'asOf': iso_utc(as_of),
        'spot': spot,
        'positioning': positioning,
        'dataQuality': {
            'contractsIn': len(rows),
            'contractsUsed': len(used),
            'skipped': skipped,
            'spotCheck': spot_check,
        },
        'flip': {
            'level': flip,
            'crossings': crossings,
            'status': 'found' if flip is not None else 'none-in-range',
            'distancePct': None if flip is None else (spot - flip) / spot * 100,
        },
        'profile': {
            'levels': levels.tolist(),
            'all': all_curve.tolist(),
            'exNextExpiry': curves[:, 1].tolist(),
            'exNextMonthly': curves[:, 2].tolist(),
            'nextExpiry': next_expiry,
            'nextMonthly': next_monthly,
        },
    }
    if profile_only:
        return out

    # N(x) = erfc(-x/sqrt 2)/2, exact in the tails; math.erfc spares the scipy import (a third of the run).
    cdf = np.frompyfunc(lambda x: 0.5 * math.erfc(-x / math.sqrt(2.0)), 1, 1)
    delta = cdf(d1).astype(float) - np.where(call, 0.0, 1.0)
    vanna = -pdf * d2 / iv
    charm = pdf * d2 / (2 * T)
    dex = size * delta * fwd
    vex = size * vanna * fwd * 0.01
    cex = size * charm * fwd / 365
    call_gex = np.where(call, gex, 0.0)
    put_gex = np.where(call, 0.0, gex)
    call_oi = np.where(call, oi, 0.0)
    put_oi = np.where(call, 0.0, oi)

    def rows_by(keys, label, to_json):
        unique = np.unique(keys)
        cols = {
            'callGex': sums_by(keys, call_gex, unique),
            'putGex': sums_by(keys, put_gex, unique),
            'netGex': sums_by(keys, gex, unique),
            'callOi': sums_by(keys, call_oi, unique),
            'putOi': sums_by(keys, put_oi, unique),
            'netDex': sums_by(keys, dex, unique),
            'netVex': sums_by(keys, vex, unique),
            'netCex': sums_by(keys, cex, unique),
        }
        return unique, cols, [
            {label: to_json(u), **{k: float(v[j]) for k, v in cols.items()}} for j, u in enumerate(unique)
        ]

    strikes, by_k, by_strike = rows_by(K, 'strike', float)
    _, _, by_expiry = rows_by(exp_date, 'expiry', str)

    call_total, put_total = float(call_gex.sum()), float(put_gex.sum())
    gross = call_total - put_total
    net = float(gex.sum())
    today = market_date(as_of, venue)
    zero = exp_date == today
    z_call, z_put = float(call_gex[zero].sum()), float(put_gex[zero].sum())

    # §6 levels from the byStrike sums (np.argmax keeps the first, i.e. the lowest strike, on ties).
    def wall(mask, score):
        return float(strikes[mask][np.argmax(score[mask])]) if mask.any() else None

    call_wall = wall(strikes >= spot, by_k['callGex'])
    put_wall = wall(strikes <= spot, np.abs(by_k['putGex']))
    abs_gamma = wall(np.ones(len(strikes), dtype=bool), by_k['callGex'] + np.abs(by_k['putGex']))
    max_pain = None
    if next_expiry is not None:
        candidates = np.array(sorted({c['strike'] for c in unexpired if day_of[c['expiry']] == next_expiry}))
        on = exp_date == next_expiry
        kc, oc = K[on & call], oi[on & call]
        kp, op = K[on & ~call], oi[on & ~call]
        pain = (np.maximum(candidates[:, None] - kc[None, :], 0) * oc[None, :]).sum(1) + (
            np.maximum(kp[None, :] - candidates[:, None], 0) * op[None, :]
        ).sum(1)
        max_pain = float(candidates[np.argmin(pain)])

    # §10 expected move.
    def expected_move(day):
        if day is None:
            return None
        on = exp_date == day
        if not on.any():
            return None
        forward = spot if venue == 'cboe' else float(fwd[on].mean())
        ks = np.unique(K[on])
        ivs = sums_by(K[on], iv[on], ks) / np.bincount(np.searchsorted(ks, K[on]), minlength=len(ks))
        below, above = ks <= forward, ks >= forward
        if not below.any() or not above.any():
            return None
        j_lo, j_hi = np.flatnonzero(below)[-1], np.flatnonzero(above)[0]
        if ks[j_lo] == ks[j_hi]:
            atm = float(ivs[j_lo])
        else:
            x = (forward - ks[j_lo]) / (ks[j_hi] - ks[j_lo])
            atm = float(ivs[j_lo] + x * (ivs[j_hi] - ivs[j_lo]))
        t = max((float(expiry[on].max()) - as_of) / YEAR_S, MIN_T)
        move = forward * atm * math.sqrt(t)
        return {'expiry': day, 'atmIv': atm, 'move': move, 'lower': forward - move, 'upper': forward + move, 'years': t}

    # §12 grid.
    grid_dates = remaining[:12]
    half = window_pct / 100.0 * spot
    grid_strikes = sorted({c['strike'] for c in unexpired if spot - half <= c['strike'] <= spot + half})
    cells = np.zeros((len(grid_dates), len(grid_strikes)))
    if grid_dates and grid_strikes:
        gk = np.array(grid_strikes)
        for i, day in enumerate(grid_dates):
            on = (exp_date == day) & np.isin(K, gk)
            np.add.at(cells[i], np.searchsorted(gk, K[on]), gex[on])

    out.update(
        {
            'totals': {
                'netGex': net,
                'callGex': call_total,
                'putGex': put_total,
                'netDex': float(dex.sum()),
                'netVex': float(vex.sum()),
                'netCex': float(cex.sum()),
                'tilt': net / gross if gross != 0 else 0.0,
            },
            'regime': 'positive' if net > 0 else 'negative',
            'zeroDte': {
                'netGex': z_call + z_put,
                'callGex': z_call,
                'putGex': z_put,
                'share': (z_call - z_put) / gross if gross != 0 else 0.0,
            },
            'expectedMove': {'nextExpiry': expected_move(next_expiry), 'nextMonthly': expected_move(next_monthly)},
            'levels': {'callWall': call_wall, 'putWall': put_wall, 'absGammaStrike': abs_gamma, 'maxPain': max_pain},
            'grid': {'strikes': grid_strikes, 'expiries': grid_dates, 'netGex': cells.tolist()},
            'byStrike': by_strike,
            'byExpiry': by_expiry,
        }
    )
    return out


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    p.add_argument('file')
    p.add_argument('--as-of', dest='as_of')
    p.add_argument('--positioning', choices=['classic', 'dealer-short'], default='classic')
    p.add_argument('--strike-window', dest='window', type=float, default=10.0)
    p.add_argument('--profile-only', action='store_true')
    a = p.parse_args(argv)
    try:
        out = analyse(a.file, a.as_of, a.positioning, a.window, a.profile_only)
    except (Refused, OSError, ValueError) as e:
        print(f'reference.py: {e}', file=sys.stderr)
        return 1
    json.dump(out, sys.stdout, allow_nan=False, separators=(',', ':'))
    sys.stdout.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
