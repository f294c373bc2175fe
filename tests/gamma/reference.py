"""Reference numbers for two bundled chains, computed from the raw files without the product's code.

Run once by hand (python3 with numpy and scipy, preinstalled on the dev image):

    python3 tests/gamma/reference.py

Its output is pinned in tests/gamma/pinned.test.ts and tests/gamma/properties.test.ts. Everything here follows
docs/methodology.md directly: its own CSV/JSON reading, the §3 filters in order, calendar time with the
5-minute floor (§2), the New York expiry instants from the IANA zone (§2), Black-76 gamma (§4), the
201-level profile with a root finder on the continuous curve (§5), the levels of §6.
"""

import csv
import json
import math
import re
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from scipy.optimize import brentq

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parent.parent / "samples"
YEAR_S = 365 * 86400
FLOOR_S = 5 * 60
NEW_YORK = ZoneInfo("America/New_York")
AM_ROOTS = {"SPX", "NDX", "RUT", "VIX", "DJX"}


def spx_contracts():
    """cboe_SPX_2023-09-14.csv: spot 4505.1001, snapshot 'September 14, 2023 at 4:31 PM EDT' = 20:31 UTC."""
    lines = (SAMPLES / "cboe_SPX_2023-09-14.csv").read_text().splitlines()
    spot = float(re.search(r"Last: ([0-9.]+)", lines[1]).group(1))
    assert "September 14, 2023 at 4:31 PM EDT" in lines[2]
    as_of = datetime(2023, 9, 14, 20, 31, tzinfo=timezone.utc).timestamp()
    rows = list(csv.reader(lines[4:]))
    contracts = []
    for row in rows:
        date = datetime.strptime(row[0], "%a %b %d %Y").date()
        strike = float(row[11])
        # Calls: symbol, last, net, bid, ask, volume, IV, delta, gamma, OI; puts the same from column 12.
        for kind, col in (("call", 1), ("put", 12)):
            root = re.match(r"[A-Z]+", row[col]).group(0)
            hour, minute = (9, 30) if root in AM_ROOTS else (16, 0)
            expiry = datetime(date.year, date.month, date.day, hour, minute, tzinfo=NEW_YORK).timestamp()
            contracts.append(
                dict(kind=kind, strike=strike, expiry=expiry, date=date.isoformat(),
                     oi=float(row[col + 9]), iv=float(row[col + 6]), forward=spot, mult=100)
            )
    return spot, as_of, contracts, 0.20


MONTHS = {m: i + 1 for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split())}


def btc_contracts():
    """deribit_BTC_2026-03-13.json: spot = the index (estimated_delivery_price), asOf = the latest creation_timestamp."""
    result = json.loads((SAMPLES / "deribit_BTC_2026-03-13.json").read_text())["result"]
    spot = result[0]["estimated_delivery_price"]
    as_of = max(r["creation_timestamp"] for r in result) / 1000
    contracts = []
    for r in result:
        _, day, strike, kind = r["instrument_name"].split("-")
        d, mon, yy = int(day[:-5]), MONTHS[day[-5:-2]], 2000 + int(day[-2:])
        expiry = datetime(yy, mon, d, 8, 0, tzinfo=timezone.utc).timestamp()
        iv = r["mark_iv"] / 100 if r["mark_iv"] is not None else float("nan")
        contracts.append(
            dict(kind="call" if kind == "C" else "put", strike=float(strike), expiry=expiry,
                 date=f"{yy:04d}-{mon:02d}-{d:02d}", oi=r["open_interest"] or 0.0, iv=iv,
                 forward=r["underlying_price"], mult=1)
        )
    return spot, as_of, contracts, 0.30


def skip_reason(c, as_of):
    """docs/methodology.md §3, in order: the first reason a contract does not count, or None."""
    if not c["expiry"] > as_of:
        return "expired"
    if not c["oi"] > 0:
        return "no_open_interest"
    if not (math.isfinite(c["iv"]) and c["iv"] > 0):
        return "no_iv"
    if c["iv"] < 0.01 or c["iv"] > 5.0:
        return "iv_out_of_range"
    if not (c["strike"] > 0 and c["forward"] > 0):
        return "bad_price"
    return None


def analyse(spot, as_of, contracts, width):
    reasons = [skip_reason(c, as_of) for c in contracts]
    used = [c for c, reason in zip(contracts, reasons) if reason is None]
    skipped = {r: reasons.count(r) for r in ("expired", "no_open_interest", "no_iv", "iv_out_of_range", "bad_price")}
    k = np.array([c["strike"] for c in used])
    sigma = np.array([c["iv"] for c in used])
    t = np.array([max(c["expiry"] - as_of, FLOOR_S) / YEAR_S for c in used])
    ratio = np.array([c["forward"] / spot for c in used])
    weight = np.array([(1 if c["kind"] == "call" else -1) * c["oi"] * c["mult"] * 0.01 for c in used])

    def gex(level):
        f = ratio * level
        vol = sigma * np.sqrt(t)
        d1 = (np.log(f / k) + vol * vol / 2) / vol
        gamma = np.exp(-d1 * d1 / 2) / math.sqrt(2 * math.pi) / (f * vol)
        return weight * gamma * f * f

    at_spot = gex(spot)
    calls = np.array([c["kind"] == "call" for c in used])
    by_strike = {}
    for c, g in zip(used, at_spot):
        row = by_strike.setdefault(c["strike"], [0.0, 0.0])
        row[0 if c["kind"] == "call" else 1] += g
    strikes = sorted(by_strike)
    # Ties to the lower strike: max() keeps the first of equal keys, and strikes are ascending.
    call_wall = max((s for s in strikes if s >= spot), key=lambda s: abs(by_strike[s][0]))
    put_wall = max((s for s in strikes if s <= spot), key=lambda s: abs(by_strike[s][1]))
    abs_gamma = max(strikes, key=lambda s: abs(by_strike[s][0]) + abs(by_strike[s][1]))

    first = min(c["date"] for c in used)
    nearest = [c for c in used if c["date"] == first]
    listed = sorted({c["strike"] for c in nearest})

    def pain(x):
        return sum(c["oi"] * (max(x - c["strike"], 0) if c["kind"] == "call" else max(c["strike"] - x, 0))
                   for c in nearest)

    max_pain = min(listed, key=pain)

    levels = spot * (1 - width) + np.arange(201) * (2 * width * spot / 200)
    curve = np.array([gex(level).sum() for level in levels])
    crossings = [brentq(lambda x: gex(x).sum(), a, b, xtol=1e-9 * spot)
                 for a, b, fa, fb in zip(levels, levels[1:], curve, curve[1:]) if fa * fb < 0]
    flip = min(crossings, key=lambda x: abs(x - spot)) if crossings else None
    dates = sorted({c["date"] for c in used})
    return dict(
        nextExpiry=dates[0], expiries=len(dates), strikes=len(strikes),
        contractsIn=len(contracts), contractsUsed=len(used), skipped=skipped, netGex=at_spot.sum(), callGex=at_spot[calls].sum(), putGex=at_spot[~calls].sum(),
        callWall=call_wall, putWall=put_wall, absGammaStrike=abs_gamma, maxPain=max_pain, maxPainDate=first,
        crossings=crossings, flip=flip,
    )


if __name__ == "__main__":
    for name, load in (("SPX 2023-09-14", spx_contracts), ("BTC 2026-03-13", btc_contracts)):
        out = analyse(*load())
        print(name, {key: (repr(float(v)) if isinstance(v, (float, np.floating)) else v) for key, v in out.items()})
