#!/usr/bin/env python3
"""The regime evidence of docs/methodology.md §16, written again from the text alone, in plain Python (the
standard library only) and sharing no code with lambda/: it reads every dated record a store folder holds
(`<SYM>/<YYYY-MM-DD>.json`), not the history points the product computes from, and prints
{ symbol: evidence } as JSON. tests/backfill.test.ts compares it with each `<SYM>/evidence.json`.

usage: python3 scripts/evidence.py STORE_DIR
"""
import json
import math
import os
import re
import sys
from datetime import datetime

# Pair gaps in hours by schedule group: crypto for Deribit records, equity for Cboe ones.
GAPS = {"deribit": (20.0, 28.0), "cboe": (16.0, 100.0), "cboe-csv": (16.0, 100.0)}
YEAR_SECONDS = 365 * 86400
Z95 = 1.959964


def instant(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def records_of(folder):
    """The records of one underlying, by asOf; of two with one asOf, the later file name."""
    by_time = {}
    for name in sorted(os.listdir(folder)):
        if re.fullmatch(r"\d{4}-\d\d-\d\d\.json", name):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                rec = json.load(f)
            by_time[instant(rec["asOf"])] = rec
    return [by_time[t] for t in sorted(by_time)]


def pairs_of(records, min_h, max_h):
    times = [instant(r["asOf"]) for r in records]
    out = []
    for i, r in enumerate(records):
        later = [j for j in range(len(records)) if times[j] - times[i] >= min_h * 3600]
        if not later:
            continue
        j = later[0]
        if times[j] - times[i] > max_h * 3600:
            continue
        dt = (times[j] - times[i]) / YEAR_SECONDS
        ret = math.log(records[j]["spot"] / r["spot"])
        out.append({"i": r, "j": records[j], "dt": dt, "r": ret, "x": abs(ret) / math.sqrt(dt)})
    return out


def group_stats(pairs):
    n = len(pairs)
    if n == 0:
        return {"n": 0, "meanAbsReturn": None, "rmsReturn": None, "annualisedVol": None}
    return {
        "n": n,
        "meanAbsReturn": sum(abs(p["r"]) for p in pairs) / n,
        "rmsReturn": math.sqrt(sum(p["r"] ** 2 for p in pairs) / n),
        "annualisedVol": math.sqrt(sum(p["r"] ** 2 / p["dt"] for p in pairs) / n),
    }


def ranks(values):
    """Average ranks from 1: each value's rank is 1 + (values below) + (values equal, itself excluded) / 2."""
    return [1 + sum(w < v for w in values) + (sum(w == v for w in values) - 1) / 2 for v in values]


def mann_whitney(a, b):
    if len(a) < 5 or len(b) < 5:
        return None
    u = sum(1.0 if x > y else 0.5 if x == y else 0.0 for x in a for y in b)
    n1, n2 = len(a), len(b)
    n = n1 + n2
    both = a + b
    tie_sum = sum(c ** 3 - c for c in (both.count(v) for v in set(both)))
    var = n1 * n2 / 12 * ((n + 1) - tie_sum / (n * (n - 1)))
    if var <= 0:
        return None
    z = (u - n1 * n2 / 2) / math.sqrt(var)
    return {"u": u, "z": z, "p": min(1.0, math.erfc(abs(z) / math.sqrt(2)))}


def spearman(xs, ys):
    if len(xs) < 5:
        return None
    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    if sxx == 0 or syy == 0:
        return None
    return {"rho": sxy / math.sqrt(sxx * syy), "n": len(xs)}


def wilson(k, n):
    if n == 0:
        return None
    p = k / n
    denom = 1 + Z95 ** 2 / n
    centre = (p + Z95 ** 2 / (2 * n)) / denom
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95 ** 2 / (4 * n * n)) / denom
    return [centre - half, centre + half]


def rate(pairs, counts, hit, name):
    over = [p for p in pairs if counts(p)]
    k = sum(1 for p in over if hit(p))
    return {"n": len(over), name: k, "rate": k / len(over) if over else None, "wilson95": wilson(k, len(over))}


def atm_iv(rec):
    move = (rec.get("expectedMove") or {}).get("nextExpiry")
    return None if move is None else move["atmIv"]


def evidence(symbol, records):
    min_h, max_h = GAPS[records[0]["source"]]
    pairs = pairs_of(records, min_h, max_h)
    pos = [p for p in pairs if p["i"]["totals"]["netGex"] > 0]
    neg = [p for p in pairs if p["i"]["totals"]["netGex"] < 0]
    gp, gn = group_stats(pos), group_stats(neg)
    ratio = None
    if len(pos) >= 2 and len(neg) >= 2 and gp["annualisedVol"] > 0:
        ratio = gn["annualisedVol"] / gp["annualisedVol"]
    tilted = [p for p in pairs if p["i"]["totals"].get("tilt") is not None]
    return {
        "symbol": symbol,
        "from": records[0]["asOf"],
        "to": records[-1]["asOf"],
        "pairs": len(pairs),
        "minGapHours": min_h,
        "maxGapHours": max_h,
        "byRegime": {"positive": gp, "negative": gn},
        "volRatio": ratio,
        "mannWhitney": mann_whitney([p["x"] for p in neg], [p["x"] for p in pos]),
        "spearman": spearman([p["i"]["totals"]["tilt"] for p in tilted], [p["x"] for p in tilted]),
        "expectedMove": rate(
            pairs,
            lambda p: atm_iv(p["i"]) is not None,
            lambda p: abs(p["j"]["spot"] - p["i"]["spot"]) <= p["i"]["spot"] * atm_iv(p["i"]) * math.sqrt(p["dt"]),
            "inside",
        ),
        "callWall": rate(
            pairs,
            lambda p: p["i"]["levels"]["callWall"] is not None and p["i"]["levels"]["callWall"] > p["i"]["spot"],
            lambda p: p["j"]["spot"] <= p["i"]["levels"]["callWall"],
            "held",
        ),
        "putWall": rate(
            pairs,
            lambda p: p["i"]["levels"]["putWall"] is not None and p["i"]["levels"]["putWall"] < p["i"]["spot"],
            lambda p: p["j"]["spot"] >= p["i"]["levels"]["putWall"],
            "held",
        ),
    }


def main():
    store = sys.argv[1]
    out = {}
    for symbol in sorted(os.listdir(store)):
        folder = os.path.join(store, symbol)
        if os.path.isdir(folder):
            records = records_of(folder)
            if records:
                out[symbol] = evidence(symbol, records)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
