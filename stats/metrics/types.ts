/** Metric values with sklearn's names; an undefined metric is null and its reason is in `undefined`. */
export interface MetricSet {
  values: Record<string, number | null>;
  /** metric name -> why it is undefined for this data. */
  undefined: Record<string, string>;
}

/** The tasks the evaluator knows. */
export type Task = 'binary' | 'multiclass' | 'regression';

/** Float64 machine epsilon (`np.finfo(np.float64).eps`), sklearn's log-loss clip and MAPE floor. */
export const EPS = 2.220446049250313e-16;

/** Build a MetricSet from entries whose value is a number or `{ reason }`. */
export function metricSet(entries: [string, number | { reason: string }][]): MetricSet {
  const out: MetricSet = { values: {}, undefined: {} };
  for (const [name, v] of entries) {
    if (typeof v === 'number') out.values[name] = v;
    else {
      out.values[name] = null;
      out.undefined[name] = v.reason;
    }
  }
  return out;
}
