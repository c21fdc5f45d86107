/** Regression metrics with sklearn's exact semantics (numpy summation order, `force_finite`). */
import { npMean, npSum } from '../numpy.ts';
import { EPS, metricSet, type MetricSet } from './types.ts';

/** Names of the regression metrics, in report order. */
export const REGRESSION_METRICS = [
  'mse',
  'rmse',
  'mae',
  'r2',
  'mape',
  'median_absolute_error',
  'explained_variance',
] as const;

/** sklearn's `_assemble_r2_explained_variance` with force_finite=True. */
function assemble(numerator: number, denominator: number): number {
  if (numerator !== 0 && denominator !== 0) return 1 - numerator / denominator;
  if (numerator !== 0) return 0.0;
  return 1.0;
}

/** Median as numpy computes it (mean of the two middle values for an even count). */
function median(a: Float64Array): number {
  const s = Float64Array.from(a).sort();
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** All regression metrics for targets `y` and predictions `pred` (optionally on the rows `idx`). */
export function regressionMetrics(input: {
  y: ArrayLike<number>;
  pred: ArrayLike<number>;
  idx?: ArrayLike<number>;
}): MetricSet {
  const { idx } = input;
  const n = idx ? idx.length : input.y.length;
  if (n === 0) return metricSet(REGRESSION_METRICS.map((m) => [m, { reason: 'no rows to evaluate' }]));
  const y = new Float64Array(n);
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = idx ? idx[i] : i;
    y[i] = input.y[r];
    p[i] = input.pred[r];
  }
  const diff = new Float64Array(n);
  const sq = new Float64Array(n);
  const abs = new Float64Array(n);
  const ape = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = y[i] - p[i];
    diff[i] = d;
    sq[i] = d * d;
    abs[i] = Math.abs(p[i] - y[i]);
    ape[i] = abs[i] / Math.max(Math.abs(y[i]), EPS);
  }
  const mse = npMean(sq);
  const yMean = npMean(y);
  const dev = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const e = y[i] - yMean;
    dev[i] = e * e;
  }
  const dMean = npMean(diff);
  const resid = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const e = diff[i] - dMean;
    resid[i] = e * e;
  }
  const fewRows = { reason: 'R^2 is undefined with fewer than two rows' };
  return metricSet([
    ['mse', mse],
    ['rmse', Math.sqrt(mse)],
    ['mae', npMean(abs)],
    ['r2', n < 2 ? fewRows : assemble(npSum(sq), npSum(dev))],
    ['mape', npMean(ape)],
    ['median_absolute_error', median(abs)],
    ['explained_variance', assemble(npMean(resid), npMean(dev))],
  ]);
}
