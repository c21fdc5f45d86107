"""Reference values for the drift statistics, computed with Debian's scipy/numpy (run with /usr/bin/python3).

Usage: /usr/bin/python3 test/stats/drift/reference.py OUT.json [--large]
Writes a list of cases {method, ref, cur, statistic, p_value, auto}; non-finite numbers are written as the
strings "NaN", "Infinity", "-Infinity" and dropped before any statistic, as DESIGN.md states.
"""
import json
import math
import sys

import numpy as np
from scipy import spatial, special, stats


def finite(xs):
    return [x for x in xs if x is not None and not (isinstance(x, float) and not math.isfinite(x))]


def bins(ref, cur, categorical):
    if not categorical and len(set(ref)) > 20:
        r = np.sort(np.asarray(ref, dtype=float))
        edges = np.unique(np.quantile(r, [k / 10 for k in range(1, 10)]))
        rc = np.bincount(np.searchsorted(edges, r, side='right'), minlength=len(edges) + 1)
        cc = np.bincount(np.searchsorted(edges, np.asarray(cur, dtype=float), side='right'), minlength=len(edges) + 1)
        return rc.astype(float), cc.astype(float)
    keys = sorted(set(ref) | set(cur))
    return (np.array([ref.count(k) for k in keys], dtype=float), np.array([cur.count(k) for k in keys], dtype=float))


def compute(method, ref, cur, categorical):
    if method == 'ks':
        r = stats.ks_2samp(ref, cur, method='auto')
        return float(r.statistic), float(r.pvalue)
    if method == 'wasserstein':
        return float(stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)), None
    if method in ('psi', 'jensenshannon'):
        rc, cc = bins(ref, cur, categorical)
        p, q = rc / rc.sum(), cc / cc.sum()
        if method == 'jensenshannon':
            return float(spatial.distance.jensenshannon(p, q)), None
        p, q = np.maximum(p, 1e-4), np.maximum(q, 1e-4)
        return float(np.sum((q - p) * np.log(q / p))), None
    keys = sorted(set(ref) | set(cur))
    rc = [ref.count(k) for k in keys]
    cc = [cur.count(k) for k in keys]
    if method == 'chisquare':
        table = np.array([rc, cc])
        r = stats.chi2_contingency(table, correction=True)
        return float(r[0]), float(r[1])
    if method == 'ztest':
        if len(keys) < 2:
            return 0.0, 1.0
        n1, n2, x1, x2 = len(ref), len(cur), rc[0], cc[0]
        pooled = (x1 + x2) / (n1 + n2)
        se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = (x1 / n1 - x2 / n2) / se
        return float(z), float(special.erfc(abs(z) / math.sqrt(2)))
    raise ValueError(method)


def auto(ref, cur, categorical):
    u = len(set(ref) | set(cur))
    if len(ref) <= 1000:
        if not categorical and u > 5:
            return 'ks'
        return 'chisquare' if u > 2 else 'ztest'
    return 'wasserstein' if (not categorical and u > 5) else 'jensenshannon'


def enc(x):
    if isinstance(x, float) and math.isnan(x):
        return 'NaN'
    if isinstance(x, float) and math.isinf(x):
        return 'Infinity' if x > 0 else '-Infinity'
    return x


def main():
    out, large = sys.argv[1], '--large' in sys.argv
    rng = np.random.default_rng(20240607)
    cases = []

    def add(name, methods, ref, cur, categorical=False):
        fr, fc = finite(ref), finite(cur)
        for m in methods:
            s, p = compute(m, fr, fc, categorical)
            cases.append({'name': name, 'method': m, 'categorical': categorical, 'ref': [enc(x) for x in ref],
                          'cur': [enc(x) for x in cur], 'statistic': s, 'p_value': p, 'auto': auto(fr, fc, categorical)})

    numeric = ['ks', 'wasserstein', 'psi', 'jensenshannon']
    r = lambda n, loc=0.0, scale=1.0: [float(x) for x in rng.normal(loc, scale, n)]
    add('small equal n', numeric, r(8), r(8, 0.5))
    add('small unequal n', numeric, r(5), r(7, 1.0))
    add('single values', ['ks', 'wasserstein', 'chisquare', 'ztest'], [1.0], [2.0])
    add('constant both', numeric + ['chisquare', 'ztest'], [3.0] * 40, [3.0] * 35)
    add('constant reference', numeric, [3.0] * 40, r(50, 3.0))
    add('ties', numeric + ['chisquare'], [float(x) for x in rng.integers(0, 30, 300)], [float(x) for x in rng.integers(2, 32, 250)])
    add('few values', ['ks', 'psi', 'jensenshannon', 'chisquare'], [float(x) for x in rng.integers(0, 4, 200)], [float(x) for x in rng.integers(0, 5, 150)])
    add('binary', ['ztest', 'chisquare', 'psi', 'jensenshannon'], [float(x) for x in rng.integers(0, 2, 500)], [float(x) for x in (rng.random(400) < 0.6)])
    add('binary strong', ['ztest'], [1.0] * 990 + [0.0] * 10, [0.0] * 990 + [1.0] * 10)
    add('one value each side', ['ztest', 'chisquare'], [0.0] * 50, [1.0] * 60)
    add('non-finite dropped', numeric, r(60) + [math.nan, math.inf, -math.inf, None], [math.nan] + r(70, 0.3))
    add('shifted 1000', numeric, r(1000), r(800, 0.2))
    add('equal n 2000', ['ks'], r(2000), r(2000, 0.1))
    add('exact limit 10000', ['ks'], r(10000), r(3000, 0.05))
    add('asymptotic small en', ['ks'], r(10001), r(40, 0.2))
    add('asymptotic en 140', ['ks'], r(12000), r(142, 0.3))
    cats = ['a', 'b', 'c', 'd', 'e']
    add('categorical', ['chisquare', 'psi', 'jensenshannon'], [str(x) for x in rng.choice(cats, 300)], [str(x) for x in rng.choice(cats + ['f'], 280)], True)
    add('categorical two', ['chisquare', 'ztest', 'psi', 'jensenshannon'], [str(x) for x in rng.choice(['x', 'y'], 120)], [str(x) for x in rng.choice(['x', 'y'], 130, p=[0.7, 0.3])], True)
    add('unseen category', ['chisquare', 'psi', 'jensenshannon'], ['a'] * 50 + ['b'] * 50, ['a'] * 40 + ['b'] * 40 + ['new'] * 20, True)
    add('category missing in current', ['chisquare', 'psi', 'jensenshannon'], ['a'] * 50 + ['b'] * 30 + ['c'] * 20, ['a'] * 60 + ['b'] * 40, True)
    if large:
        add('asymptotic large', ['ks', 'wasserstein', 'psi', 'jensenshannon'], r(20000), r(15000, 0.03))
        add('asymptotic no shift', ['ks'], r(30000), r(25000))
        add('asymptotic tiny p', ['ks'], r(12000), r(11000, 0.3))
        add('large ties', ['ks', 'wasserstein', 'psi'], [float(x) for x in rng.integers(0, 50, 15000)], [float(x) for x in rng.integers(0, 52, 12000)])
    with open(out, 'w') as f:
        json.dump(cases, f)


main()
