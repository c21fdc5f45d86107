/**
 * Binary classification metrics with sklearn's exact semantics: labels 0/1 (positive 1), scores are
 * P(class 1), hard predictions are `score >= threshold`, zero_division = 0.
 */
import { averagePrecisionFromCurve, clfCurve, rocAucFromCurve } from './curve.ts';
import { npMean } from '../numpy.ts';
import { EPS, metricSet, type MetricSet } from './types.ts';

/** Names of the binary metrics, in report order. */
export const BINARY_METRICS = [
  'roc_auc',
  'average_precision',
  'log_loss',
  'brier_score_loss',
  'accuracy',
  'balanced_accuracy',
  'precision',
  'recall',
  'f1',
] as const;

/** Labels, scores and (optionally) the rows to use, for resampling without copying. */
export interface BinaryInput {
  /** 0 or 1 per row. */
  y: ArrayLike<number>;
  /** P(class 1) per row. */
  score: ArrayLike<number>;
  /** Hard-prediction threshold. Default 0.5. */
  threshold?: number;
  /** Rows to use (with repeats, for the bootstrap). Default all rows. */
  idx?: ArrayLike<number>;
}

function logLoss(
  y: ArrayLike<number>,
  score: ArrayLike<number>,
  idx: ArrayLike<number> | undefined,
  n: number,
) {
  const loss = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = idx ? idx[i] : i;
    const p1 = Math.min(Math.max(score[r], EPS), 1 - EPS);
    const p0 = 1 - p1;
    const s = p0 + p1;
    loss[i] = -Math.log((y[r] === 1 ? p1 : p0) / s);
  }
  return npMean(loss);
}

/** All binary metrics. roc_auc and log_loss are undefined with one class, average_precision with no positive. */
export function binaryMetrics(input: BinaryInput): MetricSet {
  const { y, score, idx } = input;
  const threshold = input.threshold ?? 0.5;
  const n = idx ? idx.length : y.length;
  if (n === 0) {
    return metricSet(BINARY_METRICS.map((m) => [m, { reason: 'no rows to evaluate' }]));
  }
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = idx ? idx[i] : i;
    const t = y[r] === 1 ? 1 : 0;
    const pred = score[r] >= threshold;
    if (t === 1) pred ? tp++ : fn++;
    else pred ? fp++ : tn++;
    const d = t - score[r];
    sq[i] = d * d;
  }
  const oneClass =
    tp + fn === 0 ? 'the labels hold only class 0' : tn + fp === 0 ? 'the labels hold only class 1' : '';
  const curve = clfCurve(y, score, idx);
  const auc = rocAucFromCurve(curve);
  const ap = averagePrecisionFromCurve(curve);
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const denom = precision + recall;
  const f1 = (2 * precision * recall) / (denom === 0 ? 1 : denom);
  const perClass: number[] = [];
  if (tn + fp > 0) perClass.push(tn / (tn + fp));
  if (tp + fn > 0) perClass.push(tp / (tp + fn));
  return metricSet([
    ['roc_auc', auc ?? { reason: `ROC AUC is undefined: ${oneClass}` }],
    [
      'average_precision',
      ap ?? { reason: 'average precision is undefined: the labels hold no positive (1)' },
    ],
    ['log_loss', oneClass ? { reason: `log loss is undefined: ${oneClass}` } : logLoss(y, score, idx, n)],
    ['brier_score_loss', npMean(sq)],
    ['accuracy', (tp + tn) / n],
    ['balanced_accuracy', npMean(perClass)],
    ['precision', precision],
    ['recall', recall],
    ['f1', f1],
  ]);
}
