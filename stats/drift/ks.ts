/**
 * Two-sample Kolmogorov-Smirnov test, two-sided, as `scipy.stats.ks_2samp(method='auto')`: the exact p-value
 * when max(n1, n2) <= 10000 (scipy's lattice-path algorithms), else `kstwo.sf(D, round(n1 n2 / (n1 + n2)))`.
 */
import { kolmognSf } from './kolmogorov.ts';

/** Largest sample size for which `auto` computes the exact p-value. */
export const KS_MAX_EXACT_N = 10000;

/** Result of a two-sample KS test. */
export interface KsResult {
  statistic: number;
  pValue: number;
  /** 'exact' or 'asymp', as scipy chose. */
  mode: 'exact' | 'asymp';
}

/**
 * The KS statistic D of two ascending samples (one merge walk; right-continuous ECDFs as scipy). Off ties, each
 * step takes the smaller head without a branch; the difference is checked after every step, which is safe: inside
 * a run of one sample's values it moves one way, so its extremes are where the run starts and ends. A value held
 * by both samples is taken from both before the check.
 */
export function ksStatistic(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  // The last point (both ECDFs at 1) has difference 0.
  let maxS = 0;
  let minS = 0;
  while (i < n1 && j < n2) {
    const x = a[i];
    const y = b[j];
    if (x === y) {
      while (i < n1 && a[i] === x) i++;
      while (j < n2 && b[j] === x) j++;
    } else {
      const s = +(x < y);
      i += s;
      j += 1 - s;
    }
    const d = i / n1 - j / n2;
    maxS = Math.max(maxS, d);
    minS = Math.min(minS, d);
  }
  const negMin = Math.min(-minS, 1);
  return Math.max(negMin, maxS);
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y) [x, y] = [y, x % y];
  return x;
}

/** numpy's round (half to even). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** P(D >= h/n) for two samples of equal size n (scipy's `_compute_prob_outside_square`). */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

/** Share of lattice paths leaving the band |x/m - y/n| < h/lcm (scipy's `_compute_outer_prob_inside_method`). */
function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const A = new Float64Array(n + 2).fill(1);
  for (let j = minj; j < maxj; j++) A[j] = 0;
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj] * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1];
}

/** Two-sided two-sample KS test of two ascending samples, as `ks_2samp(a, b, method='auto')`. */
export function ks2samp(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('ks2samp: both samples must be non-empty');
  let d = ksStatistic(a, b);
  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    d = h / lcm;
    if (h === 0) return { statistic: d, pValue: 1, mode: 'exact' };
    const p = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
    if (p >= 0 && p <= 1) return { statistic: d, pValue: p, mode: 'exact' };
  }
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = (m * n) / (m + n);
  const p = kolmognSf(roundHalfEven(en), d);
  return { statistic: d, pValue: Math.min(Math.max(p, 0), 1), mode: 'asymp' };
}
