/**
 * Multiclass metrics with sklearn's scorer names and semantics: classes 0..k-1 are the probability
 * columns, the hard label is the first argmax, averages run over the classes present in labels or
 * predictions (sklearn's `unique_labels`), zero_division = 0, roc_auc_ovr is the macro one-vs-rest AUC.
 */
import { clfCurve, rocAucFromCurve } from './curve.ts';
import { npMean, npSum } from '../numpy.ts';
import { EPS, metricSet, type MetricSet } from './types.ts';

/** Names of the multiclass metrics, in report order. */
export const MULTICLASS_METRICS = [
  'accuracy',
  'balanced_accuracy',
  'precision_macro',
  'recall_macro',
  'f1_macro',
  'precision_micro',
  'recall_micro',
  'f1_micro',
  'precision_weighted',
  'recall_weighted',
  'f1_weighted',
  'log_loss',
  'roc_auc_ovr',
] as const;

const f1Of = (p: number, r: number) => (2 * p * r) / (p + r === 0 ? 1 : p + r);

function weighted(values: number[], weights: number[]): number {
  return npSum(values.map((v, i) => v * weights[i])) / npSum(weights);
}

/** All multiclass metrics for class indexes `y` and probability rows `proba` (k columns). */
export function multiclassMetrics(input: {
  y: ArrayLike<number>;
  proba: ArrayLike<ArrayLike<number>>;
  k: number;
  idx?: ArrayLike<number>;
}): MetricSet {
  const { y, proba, k, idx } = input;
  const n = idx ? idx.length : y.length;
  if (n === 0) return metricSet(MULTICLASS_METRICS.map((m) => [m, { reason: 'no rows to evaluate' }]));
  const tp = new Array<number>(k).fill(0);
  const predicted = new Array<number>(k).fill(0);
  const support = new Array<number>(k).fill(0);
  const loss = new Float64Array(n);
  const yi = new Float64Array(n);
  let rowsSumToOne = true;
  for (let i = 0; i < n; i++) {
    const r = idx ? idx[i] : i;
    const row = proba[r];
    let best = 0;
    for (let c = 1; c < k; c++) if (row[c] > row[best]) best = c;
    const t = y[r];
    yi[i] = t;
    support[t]++;
    predicted[best]++;
    if (best === t) tp[t]++;
    const clipped = new Float64Array(k);
    for (let c = 0; c < k; c++) clipped[c] = Math.min(Math.max(row[c], EPS), 1 - EPS);
    loss[i] = -Math.log(clipped[t] / npSum(clipped));
    const total = npSum(row as number[]);
    if (!(Math.abs(1 - total) <= 1e-8 + 1e-5 * Math.abs(total))) rowsSumToOne = false;
  }
  const labels = [...Array(k).keys()].filter((c) => support[c] > 0 || predicted[c] > 0);
  const present = labels.filter((c) => support[c] > 0);
  const prec = labels.map((c) => (predicted[c] ? tp[c] / predicted[c] : 0));
  const rec = labels.map((c) => (support[c] ? tp[c] / support[c] : 0));
  const f1 = labels.map((_, i) => f1Of(prec[i], rec[i]));
  const w = labels.map((c) => support[c]);
  const tpSum = labels.reduce((a, c) => a + tp[c], 0);
  const micro = tpSum / n;
  const oneClass = present.length < 2 ? `the labels hold only class ${present[0]}` : '';
  const absent = [...Array(k).keys()].filter((c) => support[c] === 0);
  let auc: number | { reason: string };
  if (!rowsSumToOne) {
    auc = { reason: 'one-vs-rest ROC AUC is undefined: the class probabilities of a row do not sum to 1' };
  } else if (oneClass || absent.length) {
    auc = {
      reason: `one-vs-rest ROC AUC is undefined: ${oneClass || `class ${absent.join(', ')} absent from the labels`}`,
    };
  } else {
    const aucs: number[] = [];
    const col = new Float64Array(n);
    const bin = new Float64Array(n);
    for (let c = 0; c < k; c++) {
      for (let i = 0; i < n; i++) {
        col[i] = proba[idx ? idx[i] : i][c];
        bin[i] = yi[i] === c ? 1 : 0;
      }
      aucs.push(rocAucFromCurve(clfCurve(bin, col)) as number);
    }
    auc = npMean(aucs);
  }
  return metricSet([
    ['accuracy', tpSum / n],
    ['balanced_accuracy', npMean(present.map((c) => tp[c] / support[c]))],
    ['precision_macro', npMean(prec)],
    ['recall_macro', npMean(rec)],
    ['f1_macro', npMean(f1)],
    ['precision_micro', micro],
    ['recall_micro', micro],
    ['f1_micro', f1Of(micro, micro)],
    ['precision_weighted', weighted(prec, w)],
    ['recall_weighted', weighted(rec, w)],
    ['f1_weighted', weighted(f1, w)],
    ['log_loss', oneClass ? { reason: `log loss is undefined: ${oneClass}` } : npMean(loss)],
    ['roc_auc_ovr', auc],
  ]);
}
