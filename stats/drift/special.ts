/**
 * The chi-squared survival function for integer degrees of freedom, accurate to a few ulps (closed forms with
 * positive terms only, so tails keep their relative precision). erfc and numpy's sum are in stats/.
 */
import { erfc } from '../erfc.ts';

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
