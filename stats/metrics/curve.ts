/**
 * Ranking metrics exactly as sklearn computes them: the (fps, tps) curve over distinct thresholds
 * (`_binary_clf_curve`), ROC AUC by the trapezoid over `roc_curve(drop_intermediate=True)`, and
 * average precision as the uninterpolated step sum.
 */
import { npSum } from '../numpy.ts';

/** Cumulative false and true positives at each distinct score, from the highest score down. */
export interface ClfCurve {
  fps: Float64Array;
  tps: Float64Array;
}

/** The curve for labels `y` (1 positive, anything else negative) and scores, sorting each class once. */
export function clfCurve(y: ArrayLike<number>, score: ArrayLike<number>, idx?: ArrayLike<number>): ClfCurve {
  const n = idx ? idx.length : y.length;
  let np = 0;
  for (let i = 0; i < n; i++) if (y[idx ? idx[i] : i] === 1) np++;
  const pos = new Float64Array(np);
  const neg = new Float64Array(n - np);
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    const r = idx ? idx[i] : i;
    if (y[r] === 1) pos[a++] = score[r];
    else neg[b++] = score[r];
  }
  pos.sort();
  neg.sort();
  const fps = new Float64Array(n);
  const tps = new Float64Array(n);
  let i = pos.length - 1;
  let j = neg.length - 1;
  let tp = 0;
  let fp = 0;
  let m = 0;
  while (i >= 0 || j >= 0) {
    const v = i < 0 ? neg[j] : j < 0 ? pos[i] : Math.max(pos[i], neg[j]);
    while (i >= 0 && pos[i] === v) {
      tp++;
      i--;
    }
    while (j >= 0 && neg[j] === v) {
      fp++;
      j--;
    }
    fps[m] = fp;
    tps[m] = tp;
    m++;
  }
  return { fps: fps.subarray(0, m), tps: tps.subarray(0, m) };
}

/** ROC AUC from a curve; undefined (null) when one class is absent. */
export function rocAucFromCurve({ fps, tps }: ClfCurve): number | null {
  const m = fps.length;
  const P = tps[m - 1];
  const N = fps[m - 1];
  if (!(P > 0) || !(N > 0)) return null;
  // drop_intermediate: keep the ends and every point where the second difference of fps or tps is non-zero.
  const xs: number[] = [0];
  const ys: number[] = [0];
  for (let k = 0; k < m; k++) {
    const keep =
      m <= 2 ||
      k === 0 ||
      k === m - 1 ||
      fps[k + 1] - 2 * fps[k] + fps[k - 1] !== 0 ||
      tps[k + 1] - 2 * tps[k] + tps[k - 1] !== 0;
    if (keep) {
      xs.push(fps[k] / N);
      ys.push(tps[k] / P);
    }
  }
  const terms = new Float64Array(xs.length - 1);
  for (let k = 1; k < xs.length; k++) terms[k - 1] = ((xs[k] - xs[k - 1]) * (ys[k] + ys[k - 1])) / 2.0;
  return npSum(terms);
}

/** Average precision (no interpolation) from a curve; undefined (null) when there is no positive. */
export function averagePrecisionFromCurve({ fps, tps }: ClfCurve): number | null {
  const m = fps.length;
  const P = tps[m - 1];
  if (!(P > 0)) return null;
  // sklearn reverses the curve, appends precision 1 / recall 0, and sums -diff(recall) * precision[:-1].
  const terms = new Float64Array(m);
  for (let t = 0; t < m; t++) {
    const k = m - 1 - t;
    const precision = tps[k] / (tps[k] + fps[k]);
    const recall = tps[k] / P;
    const nextRecall = k === 0 ? 0 : tps[k - 1] / P;
    terms[t] = (nextRecall - recall) * precision;
  }
  return -npSum(terms);
}
