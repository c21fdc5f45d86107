/**
 * DeLong's paired test for two ROC AUCs on the same rows (DeLong, DeLong & Clarke-Pearson 1988, with
 * Sun & Xu's mid-rank computation). p = erfc(|z|/sqrt 2).
 */
import { erfc } from '../erfc.ts';

/** The result of the test; null fields with a reason when it is undefined. */
export interface DeLongResult {
  method: 'delong';
  candidate: number | null;
  baseline: number | null;
  /** candidate - baseline. */
  difference: number | null;
  /** Same sign as the difference. */
  z: number | null;
  p_value: number | null;
  reason?: string;
}

/** Number of values in ascending `sorted` below `v` plus half of those equal to it (ties count 1/2). */
function countBelow(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  const below = lo;
  hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return 0.5 * (below + lo);
}

function cov(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (a[i] - ma) * (b[i] - mb);
  return s / (n - 1);
}

/**
 * Structural components V10 (per positive) and V01 (per negative) of one model's AUC. With mid-ranks, the
 * rank of a positive among all scores minus its rank among positives is the count of negatives below it (ties
 * 1/2), so each component is one binary search in the other class's sorted scores (Sun & Xu, without the ranks).
 */
function components(pos: Float64Array, neg: Float64Array) {
  const m = pos.length;
  const n = neg.length;
  const sortedPos = Float64Array.from(pos).sort();
  const sortedNeg = Float64Array.from(neg).sort();
  const v10 = new Float64Array(m);
  const v01 = new Float64Array(n);
  for (let i = 0; i < m; i++) v10[i] = countBelow(sortedNeg, pos[i]) / n;
  for (let j = 0; j < n; j++) v01[j] = 1.0 - countBelow(sortedPos, neg[j]) / m;
  return { v10, v01 };
}

/**
 * Compare two models' scores on the same rows. `aucs` are the two ROC AUCs as reported (sklearn's);
 * with a zero variance of the difference, p = 1 when the AUCs are equal, else the test is undefined.
 */
export function delongTest(input: {
  y: ArrayLike<number>;
  candidate: ArrayLike<number>;
  baseline: ArrayLike<number>;
  aucs: { candidate: number | null; baseline: number | null };
}): DeLongResult {
  const { y, aucs } = input;
  const undef = (reason: string): DeLongResult => ({
    method: 'delong',
    candidate: aucs.candidate,
    baseline: aucs.baseline,
    difference: aucs.candidate !== null && aucs.baseline !== null ? aucs.candidate - aucs.baseline : null,
    z: null,
    p_value: null,
    reason,
  });
  if (aucs.candidate === null || aucs.baseline === null)
    return undef('ROC AUC is undefined for these labels');
  let m = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === 1) m++;
  const n = y.length - m;
  if (m < 2 || n < 2) return undef('DeLong needs at least two positives and two negatives');
  const split = (s: ArrayLike<number>) => {
    const pos = new Float64Array(m);
    const neg = new Float64Array(n);
    let p = 0;
    let q = 0;
    for (let i = 0; i < y.length; i++) {
      if (y[i] === 1) pos[p++] = s[i];
      else neg[q++] = s[i];
    }
    return components(pos, neg);
  };
  const a = split(input.candidate);
  const b = split(input.baseline);
  const varDiff =
    (cov(a.v10, a.v10) + cov(b.v10, b.v10) - 2 * cov(a.v10, b.v10)) / m +
    (cov(a.v01, a.v01) + cov(b.v01, b.v01) - 2 * cov(a.v01, b.v01)) / n;
  const difference = aucs.candidate - aucs.baseline;
  if (!(varDiff > 0)) {
    if (difference === 0) {
      return {
        method: 'delong',
        candidate: aucs.candidate,
        baseline: aucs.baseline,
        difference,
        z: 0,
        p_value: 1,
      };
    }
    return undef('the variance of the AUC difference is zero but the AUCs differ; DeLong is undefined');
  }
  const z = difference / Math.sqrt(varDiff);
  return {
    method: 'delong',
    candidate: aucs.candidate,
    baseline: aucs.baseline,
    difference,
    z,
    p_value: erfc(Math.abs(z) / Math.SQRT2),
  };
}
