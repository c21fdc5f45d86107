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

/** Order statistics picked from unsorted values, and a counter of the values below a number. */
interface Selection {
  picked: Map<number, number>;
  /** Number of values < x: exact, or undefined when x falls in a bucket that was not gathered and is not empty. */
  below: (x: number) => number | undefined;
}

/**
 * One pass for the range, one for a 65 536-bucket equal-width histogram (the bucket index is monotone in the value,
 * so every value of a lower bucket is smaller), then only the buckets that hold a wanted position are gathered and
 * sorted. Exact for any data; fast unless most values share a bucket (then it costs one sort of that bucket).
 */
function select(values: Float64Array, ks: number[]): Selection {
  const n = values.length;
  const picked = new Map<number, number>();
  const wanted = [...new Set(ks)].filter((k) => k >= 0 && k < n).sort((x, y) => x - y);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (wanted.length === 0 || !(max > min)) {
    for (const k of wanted) picked.set(k, min);
    return { picked, below: (x) => (n > 0 && x > min ? n : 0) };
  }
  const top = SELECT_BUCKETS - 1;
  // Values are halved first when max - min overflows (still monotone; exact unless subnormal).
  const h = Number.isFinite(max - min) ? 1 : 0.5;
  const mh = min * h;
  const scale = SELECT_BUCKETS / (max * h - mh);
  const counts = new Int32Array(SELECT_BUCKETS);
  for (let i = 0; i < n; i++) counts[Math.min(top, Math.floor((values[i] * h - mh) * scale))]++;
  // prefix[b]: values in the buckets before b; the bucket and the offset in it of every wanted order statistic.
  const prefix = new Float64Array(SELECT_BUCKETS + 1);
  for (let b = 0; b < SELECT_BUCKETS; b++) prefix[b + 1] = prefix[b] + counts[b];
  const slot = new Int32Array(SELECT_BUCKETS).fill(-1);
  const parts: Float64Array[] = [];
  const where: [number, number, number][] = [];
  for (let w = 0, b = 0; w < wanted.length; w++) {
    while (prefix[b + 1] <= wanted[w]) b++;
    if (slot[b] < 0) {
      slot[b] = parts.length;
      parts.push(new Float64Array(counts[b]));
    }
    where.push([wanted[w], b, wanted[w] - prefix[b]]);
  }
  const fill = new Int32Array(parts.length);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const p = slot[Math.min(top, Math.floor((v * h - mh) * scale))];
    if (p >= 0) parts[p][fill[p]++] = v;
  }
  const sorted = parts.map((g) => (g.length > 64 ? sortFloat64(g) : g.sort()));
  for (const [k, b, offset] of where) picked.set(k, sorted[slot[b]][offset]);
  const below = (x: number): number | undefined => {
    if (!(x > min)) return 0;
    if (x > max) return n;
    const b = Math.min(top, Math.floor((x * h - mh) * scale));
    if (slot[b] < 0) return counts[b] === 0 ? prefix[b] : undefined;
    const g = sorted[slot[b]];
    let lo = 0;
    let hi = g.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (g[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return prefix[b] + lo;
  };
  return { picked, below };
}

/** The values at sorted positions `ks` of finite `values` (any order), without sorting them all (see `select`). */
export function selectSorted(values: Float64Array, ks: number[]): Map<number, number> {
  return select(values, ks).picked;
}

function decilePositions(n: number): number[] {
  const ks = [0, n - 1];
  for (let k = 1; k <= 9; k++) {
    const lo = Math.floor((n - 1) * (k / 10));
    ks.push(lo, lo + 1);
  }
  return ks;
}

/** `decileEdges` of unsorted values, without sorting them (the same numbers: same order statistics, same lerp). */
export function decileEdgesUnsorted(values: Float64Array): number[] {
  return decileBins(values).edges;
}

/**
 * The reference-quantile bins of unsorted finite values: `decileEdges` and the count per bin, both from one
 * selection (the counts come from the selection's histogram: no second pass over the values).
 */
export function decileBins(values: Float64Array): { edges: number[]; counts: number[] } {
  const n = values.length;
  const { picked, below } = select(values, decilePositions(n));
  const view: ArrayLike<number> = { length: n, ...Object.fromEntries(picked) };
  const edges = decileEdges(view);
  const cum = edges.map(below);
  if (n === 0 || cum.some((c) => c === undefined)) return { edges, counts: binCounts(values, edges) };
  const at = [0, ...(cum as number[]), n];
  return { edges, counts: at.slice(1).map((c, i) => c - at[i]) };
}

/**
 * Counts per bin for inner `edges` (ascending): the bin of v is the number of edges <= v (NaN falls in bin 0).
 * Up to 9 edges, each value is binned by 9 branch-free comparisons; more edges use a binary search.
 */
export function binCounts(values: ArrayLike<number>, edges: ArrayLike<number>): number[] {
  const m = edges.length;
  const counts = new Float64Array(m + 1);
  if (m > 9) {
    for (let i = 0; i < values.length; i++) counts[binIndex(edges, values[i])]++;
    return Array.from(counts);
  }
  // Missing edges are NaN: no value is >= NaN, so they never count.
  const e = Float64Array.from({ length: 9 }, (_, k) => (k < m ? edges[k] : Number.NaN));
  const [e0, e1, e2, e3, e4, e5, e6, e7, e8] = e;
  const c = new Int32Array(10);
  const x = values instanceof Float64Array ? values : Float64Array.from(values);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    c[
      +(v >= e0) +
        +(v >= e1) +
        +(v >= e2) +
        +(v >= e3) +
        +(v >= e4) +
        +(v >= e5) +
        +(v >= e6) +
        +(v >= e7) +
        +(v >= e8)
    ]++;
  }
  for (let b = 0; b <= m; b++) counts[b] = c[b];
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
