/**
 * The drift statistics other than KS, each as DESIGN.md states it (scipy / Evidently semantics), on prepared
 * columns: normed Wasserstein, PSI and Jensen-Shannon on reference-quantile or per-value bins, chi-squared
 * test of homogeneity (Yates for one degree of freedom) and the pooled two-proportion z-test.
 */
import { type ColumnData, moreDistinctThan, type NumericColumn, numericCounts } from './column.ts';
import { binCounts, binCountsSorted, decileBins, decileEdges } from './quantile.ts';
import { erfc } from '../erfc.ts';
import { npSum } from '../numpy.ts';
import { chi2Sf } from './special.ts';

/** A statistic and its p-value (null for distances). */
export interface StatResult {
  statistic: number;
  pValue: number | null;
}

/** A failure of one column's test that is the data's fault (reported for the column, not thrown further). */
export class ColumnTestError extends Error {
  override name = 'ColumnTestError';
}

/** `np.std(x)` (ddof 0) of a sorted array, with numpy's pairwise sums. */
export function npStd(x: Float64Array): number {
  const mean = npSum(x) / x.length;
  const sq = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) sq[i] = (x[i] - mean) ** 2;
  return Math.sqrt(npSum(sq) / x.length);
}

/** `scipy.stats.wasserstein_distance(a, b)` of two ascending samples (same terms, in the same order, as scipy). */
export function wassersteinDistance(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  const terms = new Float64Array(n1 + n2 - 1);
  let t = 0;
  let i = 0;
  let j = 0;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j];
    const i0 = i;
    const j0 = j;
    while (i < n1 && a[i] <= v) i++;
    while (j < n2 && b[j] <= v) j++;
    // one merged position per tied value: zero steps, then the step to the next value
    t += i - i0 + (j - j0) - 1;
    if (i >= n1 && j >= n2) break;
    const next = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j];
    terms[t++] = Math.abs(i / n1 - j / n2) * (next - v);
  }
  return npSum(terms, 0, n1 + n2 - 1);
}

/** Evidently's normed Wasserstein: distance / max(std(reference), 0.001). */
export function normedWasserstein(ref: Float64Array, cur: Float64Array): StatResult {
  return { statistic: wassersteinDistance(ref, cur) / Math.max(npStd(ref), 0.001), pValue: null };
}

/** Counts per bin on both sides: reference-decile bins for numeric columns with > 20 distinct reference values, else one bin per value of the union. */
export function binPair(ref: ColumnData, cur: ColumnData): { ref: number[]; cur: number[] } {
  if (ref.kind === 'numeric' && cur.kind === 'numeric' && moreDistinctThan(ref, 20)) {
    const count = (c: NumericColumn, edges: number[]) =>
      c.values ? binCounts(c.values, edges) : binCountsSorted(c.sorted, edges);
    let bins = ref.bins;
    if (!bins) {
      if (ref.values) bins = decileBins(ref.values);
      else {
        const edges = decileEdges(ref.sorted);
        bins = { edges, counts: count(ref, edges) };
      }
    }
    return { ref: bins.counts, cur: count(cur, bins.edges) };
  }
  const [r, c] = valueCountPair(ref, cur);
  return { ref: r, cur: c };
}

/** Counts per distinct value of the union of both sides (ascending numbers, or sorted category text). */
export function valueCountPair(ref: ColumnData, cur: ColumnData): [number[], number[], (number | string)[]] {
  if (ref.kind === 'numeric' && cur.kind === 'numeric') {
    const rc = numericCounts(ref);
    const cc = numericCounts(cur);
    const keys = [...new Set([...rc.keys(), ...cc.keys()])].sort((x, y) => x - y);
    return [keys.map((k) => rc.get(k) ?? 0), keys.map((k) => cc.get(k) ?? 0), keys];
  }
  if (ref.kind === 'categorical' && cur.kind === 'categorical') {
    const keys = [...new Set([...ref.counts.keys(), ...cur.counts.keys()])].sort();
    return [keys.map((k) => ref.counts.get(k) ?? 0), keys.map((k) => cur.counts.get(k) ?? 0), keys];
  }
  throw new ColumnTestError('reference and current columns are of different kinds');
}

function totals(counts: number[]): number {
  let s = 0;
  for (const c of counts) s += c;
  return s;
}

/** Population stability index with proportions floored at 1e-4: sum((q - p) ln(q / p)). */
export function psi(refCounts: number[], curCounts: number[]): StatResult {
  const nr = totals(refCounts);
  const nc = totals(curCounts);
  const terms = refCounts.map((rc, i) => {
    const p = Math.max(rc / nr, 1e-4);
    const q = Math.max(curCounts[i] / nc, 1e-4);
    return (q - p) * Math.log(q / p);
  });
  return { statistic: npSum(terms), pValue: null };
}

function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Number.POSITIVE_INFINITY;
}

/** `scipy.spatial.distance.jensenshannon(p, q)` (natural log) on the proportions per bin. */
export function jensenShannon(refCounts: number[], curCounts: number[]): StatResult {
  const nr = totals(refCounts);
  const nc = totals(curCounts);
  let p = refCounts.map((c) => c / nr);
  let q = curCounts.map((c) => c / nc);
  const sp = npSum(p);
  const sq = npSum(q);
  p = p.map((v) => v / sp);
  q = q.map((v) => v / sq);
  const m = p.map((v, i) => (v + q[i]) / 2);
  const left = npSum(p.map((v, i) => relEntr(v, m[i])));
  const right = npSum(q.map((v, i) => relEntr(v, m[i])));
  return { statistic: Math.sqrt((left + right) / 2), pValue: null };
}

/** Chi-squared test of homogeneity on the 2 x k table (`chi2_contingency`, Yates when dof = 1). */
export function chiSquareHomogeneity(refCounts: number[], curCounts: number[]): StatResult {
  const keep = refCounts.map((r, i) => r + curCounts[i] > 0);
  const r = refCounts.filter((_, i) => keep[i]);
  const c = curCounts.filter((_, i) => keep[i]);
  const k = r.length;
  const dof = k - 1;
  if (dof <= 0) return { statistic: 0, pValue: 1 };
  const rows = [totals(r), totals(c)];
  const total = rows[0] + rows[1];
  const observed = [r, c];
  const terms: number[] = [];
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < k; j++) {
      const expected = (rows[i] * (r[j] + c[j])) / total;
      let o = observed[i][j];
      if (dof === 1) {
        const diff = expected - o;
        o += Math.min(0.5, Math.abs(diff)) * Math.sign(diff);
      }
      terms.push((o - expected) ** 2 / expected);
    }
  }
  const statistic = npSum(terms);
  return { statistic, pValue: chi2Sf(statistic, dof) };
}

/** Pooled two-proportion z-test on at most 2 distinct values; p = erfc(|z| / sqrt 2). */
export function proportionZTest(refCounts: number[], curCounts: number[]): StatResult {
  if (refCounts.length > 2) {
    throw new ColumnTestError(`ztest needs at most 2 distinct values; the column has ${refCounts.length}`);
  }
  const n1 = totals(refCounts);
  const n2 = totals(curCounts);
  if (refCounts.length < 2) return { statistic: 0, pValue: 1 };
  const x1 = refCounts[0];
  const x2 = curCounts[0];
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return { statistic: 0, pValue: 1 };
  const z = (x1 / n1 - x2 / n2) / se;
  return { statistic: z, pValue: erfc(Math.abs(z) / Math.SQRT2) };
}

/** True when the numeric column's values are all one value or it is empty. */
export function isConstant(col: NumericColumn): boolean {
  return col.distinct <= 1;
}
