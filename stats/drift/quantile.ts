/**
 * Quantiles and summaries of sorted samples, computed the way numpy does (`np.quantile`, method 'linear').
 */
import { sortFloat64 } from './sort.ts';

/** numpy's `np.quantile(sorted, q)` (linear interpolation, numpy's two-sided lerp) of an ascending array. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const virtual = (n - 1) * q;
  const lo = Math.floor(virtual);
  if (lo >= n - 1) return sorted[n - 1];
  if (lo < 0) return sorted[0];
  const gamma = virtual - lo;
  const a = sorted[lo];
  const b = sorted[lo + 1];
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/** Inner edges of the 10 reference-quantile bins: unique(quantile(ref, k/10 for k = 1..9)). */
export function decileEdges(sorted: ArrayLike<number>): number[] {
  const edges: number[] = [];
  for (let k = 1; k <= 9; k++) {
    const e = quantileSorted(sorted, k / 10);
    if (edges.length === 0 || e !== edges[edges.length - 1]) edges.push(e);
  }
  return edges;
}

/** Buckets of the histogram `selectSorted` narrows the order statistics with. */
const SELECT_BUCKETS = 65_536;

/**
 * The values at sorted positions `ks` of finite `values` (any order), without sorting them all: one pass for the
 * range, one for a 65 536-bucket equal-width histogram (bucket index is monotone in the value), then only the
 * buckets that hold a wanted position are gathered and sorted. Exact for any data; fast unless most values share
 * a bucket (then it costs one sort of that bucket).
 */
export function selectSorted(values: Float64Array, ks: number[]): Map<number, number> {
  const n = values.length;
  const out = new Map<number, number>();
  const wanted = [...new Set(ks)].filter((k) => k >= 0 && k < n).sort((x, y) => x - y);
  if (wanted.length === 0) return out;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max > min)) {
    for (const k of wanted) out.set(k, min);
    return out;
  }
  const top = SELECT_BUCKETS - 1;
  const scale = SELECT_BUCKETS / (max - min);
  const bucket = (v: number) => Math.min(top, Math.floor((v - min) * scale));
  const counts = new Uint32Array(SELECT_BUCKETS);
  for (let i = 0; i < n; i++) counts[bucket(values[i])]++;
  // The bucket and the position inside it of every wanted order statistic.
  const where = new Map<number, { bucket: number; offset: number }>();
  let seen = 0;
  let w = 0;
  for (let b = 0; b < SELECT_BUCKETS && w < wanted.length; b++) {
    while (w < wanted.length && wanted[w] < seen + counts[b]) {
      where.set(wanted[w], { bucket: b, offset: wanted[w] - seen });
      w++;
    }
    seen += counts[b];
  }
  const slot = new Int32Array(SELECT_BUCKETS).fill(-1);
  const parts: Float64Array[] = [];
  for (const { bucket: b } of where.values()) {
    if (slot[b] < 0) {
      slot[b] = parts.length;
      parts.push(new Float64Array(counts[b]));
    }
  }
  const fill = new Uint32Array(parts.length);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const p = slot[bucket(v)];
    if (p >= 0) parts[p][fill[p]++] = v;
  }
  const sorted = parts.map((g) => (g.length > 64 ? sortFloat64(g) : g.sort()));
  for (const [k, { bucket: b, offset }] of where) out.set(k, sorted[slot[b]][offset]);
  return out;
}

/** `decileEdges` of unsorted values, without sorting them (the same numbers: same order statistics, same lerp). */
export function decileEdgesUnsorted(values: Float64Array): number[] {
  const n = values.length;
  const ks = [0, n - 1];
  for (let k = 1; k <= 9; k++) {
    const lo = Math.floor((n - 1) * (k / 10));
    ks.push(lo, lo + 1);
  }
  const picked = selectSorted(values, ks);
  const view: ArrayLike<number> = { length: n, ...Object.fromEntries(picked) };
  return decileEdges(view);
}

/** Cells of the lookup table `binCounts` finds a value's bin with. */
const LOOKUP_CELLS = 1024;

/**
 * Counts per bin of finite values in any order for inner `edges` (ascending): the bin of v is the number of edges
 * <= v. A 1024-cell table over the edges' range gives each value's bin up to a step, which two comparisons settle,
 * so the result is exact whatever the rounding of the cell index.
 */
export function binCounts(values: ArrayLike<number>, edges: ArrayLike<number>): number[] {
  const e = Float64Array.from(edges);
  const m = e.length;
  const counts = new Float64Array(m + 1);
  if (m === 0 || m > 255) {
    for (let i = 0; i < values.length; i++) counts[binIndex(e, values[i])]++;
    return Array.from(counts);
  }
  const lo = e[0];
  const hi = e[m - 1];
  const scale = hi > lo ? LOOKUP_CELLS / (hi - lo) : 1;
  const start = new Uint8Array(LOOKUP_CELLS + 1);
  for (let k = 0, b = 0; k <= LOOKUP_CELLS; k++) {
    const x = lo + k / scale;
    while (b < m && e[b] <= x) b++;
    start[k] = b;
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= lo)) counts[0]++;
    else if (v >= hi) counts[m]++;
    else {
      let b = start[Math.min(LOOKUP_CELLS, Math.floor((v - lo) * scale))];
      while (b > 0 && e[b - 1] > v) b--;
      while (b < m && e[b] <= v) b++;
      counts[b]++;
    }
  }
  return Array.from(counts);
}

/** Index of the bin holding `v` for inner `edges` (bins [e_i, e_i+1), open at both ends): the count of edges <= v. */
export function binIndex(edges: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Counts per bin of a sorted array for inner `edges` (one pass over the sorted values). */
export function binCountsSorted(sorted: ArrayLike<number>, edges: ArrayLike<number>): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  let start = 0;
  for (let b = 0; b < edges.length; b++) {
    // first index with value >= edges[b]
    let lo = start;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < edges[b]) lo = mid + 1;
      else hi = mid;
    }
    counts[b] = lo - start;
    start = lo;
  }
  counts[edges.length] = sorted.length - start;
  return counts;
}

/** Summary statistics shown in reports. */
export interface NumericSummary {
  mean: number;
  /** Population standard deviation (ddof = 0). */
  std: number;
  min: number;
  max: number;
  /** Quantiles at 5, 25, 50, 75 and 95 %. */
  p05: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
}

/** Mean, standard deviation (ddof 0, two-pass), extremes and quantiles of a sorted array; NaN fields when empty. */
export function summarizeSorted(sorted: ArrayLike<number>): NumericSummary {
  const n = sorted.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  const mean = n ? sum / n : Number.NaN;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (sorted[i] - mean) ** 2;
  return {
    mean,
    std: n ? Math.sqrt(ss / n) : Number.NaN,
    min: n ? sorted[0] : Number.NaN,
    max: n ? sorted[n - 1] : Number.NaN,
    p05: quantileSorted(sorted, 0.05),
    p25: quantileSorted(sorted, 0.25),
    p50: quantileSorted(sorted, 0.5),
    p75: quantileSorted(sorted, 0.75),
    p95: quantileSorted(sorted, 0.95),
  };
}

/** Equal-width histogram over [lo, hi] with `bins` bins (the last bin closed), for the HTML report. */
export function histogramSorted(sorted: ArrayLike<number>, lo: number, hi: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  const width = hi - lo;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i];
    if (v < lo || v > hi) continue;
    const b = width > 0 ? Math.min(bins - 1, Math.floor(((v - lo) / width) * bins)) : 0;
    counts[b]++;
  }
  return counts;
}
