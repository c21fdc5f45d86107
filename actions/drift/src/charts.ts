/**
 * What the reports draw and rank: shared histograms of both sides of a column, summary numbers, and how far past
 * its threshold a column's statistic is.
 */
import type { ColumnData } from '../../../stats/drift/column.ts';
import { histogramSorted, type NumericSummary, summarizeSorted } from '../../../stats/drift/quantile.ts';
import type { ColumnDriftResult } from '../../../stats/drift/test-column.ts';

/** Both sides of a column as proportions over the same bins. */
export interface HistogramPair {
  /** Bin labels: `[lo, hi)` ranges or category names. */
  labels: string[];
  /** Bin edges for numeric columns (labels.length + 1 values). */
  edges?: number[];
  ref: number[];
  cur: number[];
}

/** Bins of a numeric histogram. */
export const CHART_BINS = 20;
/** Categories drawn for a categorical column (the most frequent of both sides). */
export const CHART_CATEGORIES = 12;

/** A short number for tables and labels (4 significant digits; exponent form when tiny or huge). */
export function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined) return '—';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-4) return x.toExponential(3);
  return String(Number(x.toPrecision(4)));
}

/** Proportions of both sides over shared bins: equal-width over both ranges, or the top categories. */
export function histogramPair(ref: ColumnData, cur: ColumnData): HistogramPair | undefined {
  if (ref.kind === 'numeric' && cur.kind === 'numeric') {
    if (ref.count === 0 && cur.count === 0) return undefined;
    // Few distinct values (a label, a flag, a count): one bar per value.
    const rv = ref.count ? ref.valueCounts : new Map<number, number>();
    const cv = cur.count ? cur.valueCounts : new Map<number, number>();
    if (rv && cv) {
      const keys = [...new Set([...rv.keys(), ...cv.keys()])].sort((a, b) => a - b);
      if (keys.length <= CHART_BINS) {
        const share = (m: Map<number, number>, n: number) => keys.map((k) => (n ? (m.get(k) ?? 0) / n : 0));
        return { labels: keys.map(fmt), ref: share(rv, ref.count), cur: share(cv, cur.count) };
      }
    }
    const lo = Math.min(ref.sorted[0] ?? Infinity, cur.sorted[0] ?? Infinity);
    const hi = Math.max(ref.sorted.at(-1) ?? -Infinity, cur.sorted.at(-1) ?? -Infinity);
    const bins = hi > lo ? CHART_BINS : 1;
    const share = (s: Float64Array) => {
      const counts = histogramSorted(s, lo, hi, bins);
      return counts.map((c) => (s.length ? c / s.length : 0));
    };
    const edges = Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
    const labels = edges.slice(0, -1).map((e, i) => `${fmt(e)}–${fmt(edges[i + 1])}`);
    return { labels, edges, ref: share(ref.sorted), cur: share(cur.sorted) };
  }
  if (ref.kind === 'categorical' && cur.kind === 'categorical') {
    const total = new Map<string, number>();
    for (const [side, col] of [
      [ref.count, ref],
      [cur.count, cur],
    ] as const) {
      for (const [k, v] of col.counts) total.set(k, (total.get(k) ?? 0) + (side ? v / side : 0));
    }
    const labels = [...total.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, CHART_CATEGORIES)
      .map(([k]) => k);
    const share = (col: typeof ref) =>
      labels.map((k) => (col.count ? (col.counts.get(k) ?? 0) / col.count : 0));
    return { labels, ref: share(ref), cur: share(cur) };
  }
  return undefined;
}

/** Summary numbers of a numeric side (undefined for categorical or empty columns). */
export function summaryOf(col: ColumnData | undefined): NumericSummary | undefined {
  if (col?.kind !== 'numeric' || col.sorted.length === 0) return undefined;
  return summarizeSorted(col.sorted);
}

/**
 * How far past its threshold a result is: statistic / threshold for distances, log p / log threshold for
 * p-values (both >= 1 around the drift boundary); -1 for errors.
 */
export function severity(r: ColumnDriftResult): number {
  if (r.error !== undefined || r.statistic === null || r.threshold === null) return -1;
  if (r.p_value !== null) {
    if (r.p_value <= 0) return Number.POSITIVE_INFINITY;
    return r.threshold > 0 && r.threshold < 1 ? Math.log(r.p_value) / Math.log(r.threshold) : 0;
  }
  return r.threshold > 0 ? r.statistic / r.threshold : r.statistic;
}

/** Results ordered most drifted first (drifted before not, then by severity). */
export function byDrift(results: ColumnDriftResult[]): ColumnDriftResult[] {
  return [...results].sort(
    (a, b) =>
      Number(b.drifted) - Number(a.drifted) || severity(b) - severity(a) || a.name.localeCompare(b.name),
  );
}
