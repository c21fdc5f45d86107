/**
 * The evaluation itself, on numbers already read: metrics of the candidate (and baseline), the paired
 * comparison (DeLong for ROC AUC, bootstrap for the rest), and the primary metric per slice.
 */
import {
  binaryMetrics,
  delongTest,
  type MetricSet,
  multiclassMetrics,
  pairedBootstrap,
  regressionMetrics,
  type BootstrapResult,
  type DeLongResult,
  type Task,
} from '../../../stats/metrics/index.ts';
import type { Cell } from '../../../tables/types.ts';

/** Scores of one model: P(class 1), class-probability rows, or regression values. */
export type Scores = ArrayLike<number> | ArrayLike<ArrayLike<number>>;

/** The primary metric of one slice value. */
export interface SliceResult {
  column: string;
  value: string;
  rows: number;
  candidate: number | null;
  baseline?: number | null;
  /** candidate - baseline. */
  difference?: number | null;
}

/** What `mlops evaluate --json` prints (DESIGN.md contract, plus task/rows/baseline/slices). */
export interface EvaluationResult {
  task: Task;
  rows: number;
  metrics: Record<string, number | null>;
  undefined?: Record<string, string>;
  baseline?: { metrics: Record<string, number | null>; undefined?: Record<string, string> };
  comparison?: Record<string, DeLongResult | BootstrapResult>;
  slices?: SliceResult[];
}

/** Inputs of `evaluate`. */
export interface EvaluateOptions {
  task: Task;
  y: ArrayLike<number>;
  candidate: Scores;
  baseline?: Scores;
  /** Number of classes (multiclass). */
  k?: number;
  threshold?: number;
  /** Bootstrap resamples; 0 skips the bootstrap. Default 1000. */
  resamples?: number;
  seed?: number;
  /** Slice columns with their values per row. */
  slices?: { column: string; values: Cell[] }[];
  /** The metric reported per slice. */
  primaryMetric: string;
  /**
   * Hard predictions (`--prediction`): binary 0/1 labels in `candidate`/`baseline`, multiclass one-hot rows.
   * The metrics that need scores are then undefined, and there is no DeLong test.
   */
  hard?: boolean;
}

/** Metrics that need scores or probabilities: undefined for hard predictions. */
export const SCORE_METRICS: Record<Task, readonly string[]> = {
  binary: ['roc_auc', 'average_precision', 'log_loss', 'brier_score_loss'],
  multiclass: ['log_loss', 'roc_auc_ovr'],
  regression: [],
};

const HARD_REASON = 'needs scores or probabilities; hard predictions (--prediction) give labels only';

/** Metrics of one model for a task, optionally on the rows `idx`. */
export function metricsFor(
  o: Pick<EvaluateOptions, 'task' | 'y' | 'k' | 'threshold' | 'hard'>,
  s: Scores,
  idx?: ArrayLike<number>,
): MetricSet {
  const m =
    o.task === 'binary'
      ? binaryMetrics({ y: o.y, score: s as ArrayLike<number>, threshold: o.hard ? 0.5 : o.threshold, idx })
      : o.task === 'multiclass'
        ? multiclassMetrics({ y: o.y, proba: s as ArrayLike<ArrayLike<number>>, k: o.k ?? 0, idx })
        : regressionMetrics({ y: o.y, pred: s as ArrayLike<number>, idx });
  if (o.hard) {
    for (const name of SCORE_METRICS[o.task]) {
      m.values[name] = null;
      m.undefined[name] = `${name} ${HARD_REASON}`;
    }
  }
  return m;
}

const withUndefined = (m: MetricSet) =>
  Object.keys(m.undefined).length ? { metrics: m.values, undefined: m.undefined } : { metrics: m.values };

/** Evaluate the candidate, and compare it with the baseline on the same rows when there is one. */
export function evaluate(o: EvaluateOptions): EvaluationResult {
  const cand = metricsFor(o, o.candidate);
  const out: EvaluationResult = { task: o.task, rows: o.y.length, ...withUndefined(cand) };
  let base: MetricSet | undefined;
  if (o.baseline) {
    base = metricsFor(o, o.baseline);
    out.baseline = withUndefined(base);
    const comparison: Record<string, DeLongResult | BootstrapResult> = {};
    if (o.task === 'binary' && !o.hard) {
      comparison.roc_auc = delongTest({
        y: o.y,
        candidate: o.candidate as ArrayLike<number>,
        baseline: o.baseline as ArrayLike<number>,
        aucs: { candidate: cand.values.roc_auc, baseline: base.values.roc_auc },
      });
    }
    const skip = new Set(o.hard ? SCORE_METRICS[o.task] : []);
    const rest = Object.keys(cand.values).filter((m) => !(m in comparison) && !skip.has(m));
    if ((o.resamples ?? 1000) > 0) {
      Object.assign(
        comparison,
        pairedBootstrap({
          n: o.y.length,
          metrics: rest,
          full: { candidate: cand, baseline: base },
          resamples: o.resamples,
          seed: o.seed,
          compute: (idx) => ({
            candidate: metricsFor(o, o.candidate, idx),
            baseline: metricsFor(o, o.baseline!, idx),
          }),
        }),
      );
    }
    out.comparison = comparison;
  }
  if (o.slices?.length) out.slices = sliceResults(o, base !== undefined);
  return out;
}

function sliceResults(o: EvaluateOptions, withBaseline: boolean): SliceResult[] {
  const results: SliceResult[] = [];
  for (const s of o.slices ?? []) {
    const groups = new Map<string, number[]>();
    s.values.forEach((v, i) => {
      const key = v === null ? '(missing)' : String(v);
      const g = groups.get(key);
      if (g) g.push(i);
      else groups.set(key, [i]);
    });
    for (const [value, idx] of [...groups].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      const c = metricsFor(o, o.candidate, idx).values[o.primaryMetric] ?? null;
      const r: SliceResult = { column: s.column, value, rows: idx.length, candidate: c };
      if (withBaseline) {
        const b = metricsFor(o, o.baseline!, idx).values[o.primaryMetric] ?? null;
        r.baseline = b;
        r.difference = c !== null && b !== null ? c - b : null;
      }
      results.push(r);
    }
  }
  return results;
}
