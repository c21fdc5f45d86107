/**
 * Special functions the drift tests need, accurate to a few ulps: numpy's pairwise sum, erfc, and the chi-squared
 * survival function for integer degrees of freedom (closed forms with positive terms only, so tails keep their
 * relative precision).
 */
import { twoProd } from './double-double.ts';

/** `np.sum` of a float64 array: numpy's pairwise summation, bit for bit. */
export function npSum(a: ArrayLike<number>, start = 0, end = a.length): number {
  const n = end - start;
  if (n < 8) {
    let res = 0;
    for (let i = start; i < end; i++) res += a[i];
    return res;
  }
  if (n <= 128) {
    const r = [
      a[start],
      a[start + 1],
      a[start + 2],
      a[start + 3],
      a[start + 4],
      a[start + 5],
      a[start + 6],
      a[start + 7],
    ];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[start + i + j];
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return npSum(a, start, start + n2) + npSum(a, start + n2, end);
}

/** exp(-x^2) without the rounding error of squaring x. */
function expMinusSquare(x: number): number {
  const sq = twoProd(x, x);
  return Math.exp(-sq.hi) * Math.exp(-sq.lo);
}

/** The complementary error function, relative error of a few ulps (tails included). */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 1) {
    // erf(x) = 2x/sqrt(pi) e^{-x^2} sum (2x^2)^n / (1*3*...*(2n+1)): positive terms
    const x2 = 2 * x * x;
    let term = 1;
    let sum = 1;
    for (let n = 1; n < 500; n++) {
      term *= x2 / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return 1 - ((2 * x) / Math.sqrt(Math.PI)) * expMinusSquare(x) * sum;
  }
  if (x > 27.3) return 0;
  // continued fraction (modified Lentz): erfc(x) = e^{-x^2}/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
  const tiny = 1e-300;
  let f = x;
  let C = x;
  let D = 0;
  for (let k = 1; k < 5000; k++) {
    const a = k / 2;
    D = x + a * D;
    D = D === 0 ? 1 / tiny : 1 / D;
    C = x + a / C;
    if (C === 0) C = tiny;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-17) break;
  }
  return expMinusSquare(x) / Math.sqrt(Math.PI) / f;
}

/** P(X >= x) for X ~ chi-squared with `dof` (a positive integer) degrees of freedom: scipy's `chi2.sf`. */
export function chi2Sf(x: number, dof: number): number {
  if (!(x > 0)) return 1;
  const y = x / 2;
  // Q(a, y) for a = dof / 2 as e^-y times a sum of positive terms y^b / Gamma(b + 1) (plus erfc(sqrt y) for odd dof)
  const even = dof % 2 === 0;
  let term = even ? 1 : (2 * Math.sqrt(y)) / Math.sqrt(Math.PI);
  let sum = 0;
  let logScale = 0;
  const terms = even ? dof / 2 : (dof - 1) / 2;
  for (let k = 0; k < terms; k++) {
    if (k > 0) term *= y / (even ? k : k + 0.5);
    sum += term;
    if (sum > 1e280) {
      term /= 1e280;
      sum /= 1e280;
      logScale += Math.log(1e280);
    }
  }
  const ey = Math.exp(-y);
  const tail =
    logScale === 0 && ey > 1e-290 ? sum * ey : sum > 0 ? Math.exp(Math.log(sum) + logScale - y) : 0;
  return even ? tail : erfc(Math.sqrt(y)) + tail;
}
