/**
 * DeLong's paired test for two ROC AUCs on the same rows (DeLong, DeLong & Clarke-Pearson 1988, with
 * Sun & Xu's mid-rank computation). p = erfc(|z|/sqrt 2).
 */
import { erfc } from './erfc.ts';

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

/** Mid-ranks (1-based; ties share the mean of their ranks). */
function midranks(x: Float64Array): Float64Array {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j < n && x[order[j]] === x[order[i]]) j++;
    const r = 0.5 * (i + j - 1) + 1;
    for (let t = i; t < j; t++) ranks[order[t]] = r;
    i = j;
  }
  return ranks;
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

/** Structural components V10 (per positive) and V01 (per negative) of one model's AUC. */
function components(pos: Float64Array, neg: Float64Array) {
  const m = pos.length;
  const n = neg.length;
  const all = new Float64Array(m + n);
  all.set(pos);
  all.set(neg, m);
  const tz = midranks(all);
  const tx = midranks(pos);
  const ty = midranks(neg);
  const v10 = new Float64Array(m);
  const v01 = new Float64Array(n);
  for (let i = 0; i < m; i++) v10[i] = (tz[i] - tx[i]) / n;
  for (let j = 0; j < n; j++) v01[j] = 1.0 - (tz[m + j] - ty[j]) / m;
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
  const posRows: number[] = [];
  const negRows: number[] = [];
  for (let i = 0; i < y.length; i++) (y[i] === 1 ? posRows : negRows).push(i);
  const m = posRows.length;
  const n = negRows.length;
  if (m < 2 || n < 2) return undef('DeLong needs at least two positives and two negatives');
  const pick = (s: ArrayLike<number>, rows: number[]) => Float64Array.from(rows, (r) => s[r]);
  const a = components(pick(input.candidate, posRows), pick(input.candidate, negRows));
  const b = components(pick(input.baseline, posRows), pick(input.baseline, negRows));
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
