"""The Python side of the drift benchmark (run with Debian's /usr/bin/python3; scipy, numpy, pandas).

Usage:
  drift.py stats REF.f64 CUR.f64 ROWS FEATURES   time scipy ks_2samp, wasserstein_distance and a numpy PSI per column
                                                 (wall and CPU seconds of this process)
  drift.py e2e REF.csv CUR.csv                   pandas read_csv + the same verdict as `mlops drift` (auto: normed wasserstein)
  drift.py child CMD...                          run CMD, print {"seconds", "max_rss_kb"} of the child
Prints one JSON object on stdout. The .f64 files hold FEATURES columns of ROWS float64 values each, column after column.
"""
import json
import resource
import subprocess
import sys
import time

import numpy as np
from scipy import stats


def psi(ref, cur):
    edges = np.unique(np.quantile(ref, [k / 10 for k in range(1, 10)]))
    rc = np.bincount(np.searchsorted(edges, ref, side='right'), minlength=len(edges) + 1) / len(ref)
    cc = np.bincount(np.searchsorted(edges, cur, side='right'), minlength=len(edges) + 1) / len(cur)
    p, q = np.maximum(rc, 1e-4), np.maximum(cc, 1e-4)
    return float(np.sum((q - p) * np.log(q / p)))


def time_stats(ref_path, cur_path, rows, features):
    ref = np.fromfile(ref_path, dtype='<f8').reshape(features, rows)
    cur = np.fromfile(cur_path, dtype='<f8').reshape(features, rows)
    # Each statistic first drops NaN and +-inf, as DESIGN.md (and ours) do before any statistic.
    fin = lambda x: x[np.isfinite(x)]
    fns = {
        'ks': lambda a, b: stats.ks_2samp(fin(a), fin(b), method='auto').pvalue,
        'wasserstein': lambda a, b: (lambda a, b: stats.wasserstein_distance(a, b) / max(np.std(a), 0.001))(fin(a), fin(b)),
        'psi': lambda a, b: psi(fin(a), fin(b)),
    }
    out = {}
    for name, fn in fns.items():
        values = []
        t0 = time.perf_counter()
        c0 = time.process_time()
        for k in range(features):
            values.append(float(fn(ref[k], cur[k])))
        cpu = time.process_time() - c0
        out[name] = {'seconds': time.perf_counter() - t0, 'cpu_seconds': cpu, 'values': values}
    out['max_rss_kb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return out


def e2e(ref_path, cur_path):
    import pandas as pd

    t0 = time.perf_counter()
    ref = pd.read_csv(ref_path)
    cur = pd.read_csv(cur_path)
    drifted = 0
    for c in ref.columns:
        a = ref[c].to_numpy(dtype=float)
        b = cur[c].to_numpy(dtype=float)
        a, b = a[np.isfinite(a)], b[np.isfinite(b)]
        if stats.wasserstein_distance(a, b) / max(np.std(a), 0.001) >= 0.1:
            drifted += 1
    share = drifted / len(ref.columns)
    return {'seconds': time.perf_counter() - t0, 'share_drifted': share, 'dataset_drift': share >= 0.5}


def child(cmd):
    t0 = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        sys.stderr.write(done.stderr.decode())
        raise SystemExit(f'{cmd[0]} exited {done.returncode}')
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {'seconds': seconds, 'max_rss_kb': rss, 'stdout': done.stdout.decode()}


if __name__ == '__main__':
    mode = sys.argv[1]
    if mode == 'stats':
        result = time_stats(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif mode == 'e2e':
        result = e2e(sys.argv[2], sys.argv[3])
    else:
        result = child(sys.argv[2:])
    print(json.dumps(result))
