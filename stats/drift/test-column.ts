/**
 * Per-column drift: choose the method (Evidently's `auto` rule, or the one asked for), run it, compare with the
 * threshold; and the dataset verdict from the share of drifted columns. Problems with one column's data become
 * that column's `error`, never an exception.
 */
import type { ColumnData } from './column.ts';
import { ks2samp } from './ks.ts';
import {
  binPair,
  ColumnTestError,
  chiSquareHomogeneity,
  jensenShannon,
  normedWasserstein,
  proportionZTest,
  psi,
  type StatResult,
  valueCountPair,
} from './methods.ts';

/** A drift test. */
export type DriftMethod = 'ks' | 'wasserstein' | 'psi' | 'jensenshannon' | 'chisquare' | 'ztest';
/** A drift test or `auto` (chosen per column). */
export type MethodChoice = DriftMethod | 'auto';

/** Every method name, in the order the help lists them. */
export const DRIFT_METHODS: readonly MethodChoice[] = [
  'auto',
  'ks',
  'wasserstein',
  'psi',
  'jensenshannon',
  'chisquare',
  'ztest',
];

/** Default threshold per method: p-value (ks, chisquare, ztest) or distance (the others). */
export const DEFAULT_THRESHOLDS: Readonly<Record<DriftMethod, number>> = {
  ks: 0.05,
  wasserstein: 0.1,
  psi: 0.1,
  jensenshannon: 0.1,
  chisquare: 0.05,
  ztest: 0.05,
};

/** Default minimum of values on each side below which a column is "not enough data". */
export const DEFAULT_MIN_ROWS = 30;

/** One column's verdict, in the `mlops drift --json` shape. */
export interface ColumnDriftResult {
  name: string;
  method: MethodChoice;
  statistic: number | null;
  p_value: number | null;
  threshold: number | null;
  drifted: boolean;
  error?: string;
}

/** Distinct values in both sides together, counted exactly up to `cap` (returns cap + 1 beyond). */
export function unionDistinct(ref: ColumnData, cur: ColumnData, cap = 5): number {
  const refN = ref.kind === 'numeric' ? ref.distinct : ref.counts.size + ref.overflowDistinct;
  const curN = cur.kind === 'numeric' ? cur.distinct : cur.counts.size + cur.overflowDistinct;
  if (refN > cap || curN > cap) return cap + 1;
  const [r] = valueCountPair(ref, cur);
  return r.length;
}

/** Evidently's choice, made on the finite values: n = reference values, u = distinct values of both sides. */
export function chooseMethod(ref: ColumnData, cur: ColumnData): DriftMethod {
  const u = unionDistinct(ref, cur);
  const numeric = ref.kind === 'numeric';
  if (ref.count <= 1000) {
    if (numeric && u > 5) return 'ks';
    return u > 2 ? 'chisquare' : 'ztest';
  }
  return numeric && u > 5 ? 'wasserstein' : 'jensenshannon';
}

/** Run one method on two prepared columns. Throws ColumnTestError when the method cannot apply. */
export function runMethod(method: DriftMethod, ref: ColumnData, cur: ColumnData): StatResult {
  if (method === 'ks' || method === 'wasserstein') {
    if (ref.kind !== 'numeric' || cur.kind !== 'numeric') {
      throw new ColumnTestError(`${method} needs a numeric column; this one is categorical`);
    }
    if (method === 'wasserstein') return normedWasserstein(ref.sorted, cur.sorted);
    const r = ks2samp(ref.sorted, cur.sorted);
    return { statistic: r.statistic, pValue: r.pValue };
  }
  if (method === 'psi' || method === 'jensenshannon') {
    const bins = binPair(ref, cur);
    return method === 'psi' ? psi(bins.ref, bins.cur) : jensenShannon(bins.ref, bins.cur);
  }
  const [r, c] = valueCountPair(ref, cur);
  return method === 'chisquare' ? chiSquareHomogeneity(r, c) : proportionZTest(r, c);
}

/** The verdict for a statistic: ks p <= t; chisquare and ztest p < t; distances >= t. */
export function isDrifted(method: DriftMethod, r: StatResult, threshold: number): boolean {
  if (method === 'ks') return (r.pValue as number) <= threshold;
  if (method === 'chisquare' || method === 'ztest') return (r.pValue as number) < threshold;
  return r.statistic >= threshold;
}

/** Options of `testColumn`. */
export interface TestColumnOptions {
  method?: MethodChoice;
  threshold?: number;
  minRows?: number;
}

function describeEmpty(side: string, col: ColumnData): string {
  const dropped = [
    col.missing ? `${col.missing} missing` : '',
    col.nonFinite ? `${col.nonFinite} NaN/inf` : '',
  ].filter(Boolean);
  return `no values in ${side} after dropping ${dropped.length ? dropped.join(' and ') : 'nothing'} (${col.rows} rows)`;
}

/** Test one column. Data problems (empty side, too few values, kinds that differ, a method that cannot apply) become `error`. */
export function testColumn(
  name: string,
  ref: ColumnData,
  cur: ColumnData,
  opts: TestColumnOptions = {},
): ColumnDriftResult {
  const asked = opts.method ?? 'auto';
  const fail = (error: string, method: MethodChoice = asked): ColumnDriftResult => ({
    name,
    method,
    statistic: null,
    p_value: null,
    threshold: opts.threshold ?? (method === 'auto' ? null : DEFAULT_THRESHOLDS[method]),
    drifted: false,
    error,
  });
  if (ref.kind !== cur.kind) {
    return fail(
      `reference is ${ref.kind} but current is ${cur.kind}; mark the column categorical or fix its type`,
    );
  }
  if (ref.count === 0) return fail(describeEmpty('reference', ref));
  if (cur.count === 0) return fail(describeEmpty('current', cur));
  const minRows = opts.minRows ?? DEFAULT_MIN_ROWS;
  if (ref.count < minRows || cur.count < minRows) {
    return fail(
      `not enough data: ${ref.count} reference and ${cur.count} current values (minimum ${minRows})`,
    );
  }
  for (const [side, col] of [
    ['reference', ref],
    ['current', cur],
  ] as const) {
    if (col.kind === 'categorical' && col.overflowDistinct > 0) {
      return fail(
        `too many distinct values in ${side} (more than ${col.counts.size}); ignore the column or treat it as numeric`,
      );
    }
  }
  const method = asked === 'auto' ? chooseMethod(ref, cur) : asked;
  const threshold = opts.threshold ?? DEFAULT_THRESHOLDS[method];
  try {
    const r = runMethod(method, ref, cur);
    return {
      name,
      method,
      statistic: r.statistic,
      p_value: r.pValue,
      threshold,
      drifted: isDrifted(method, r, threshold),
    };
  } catch (err) {
    if (err instanceof ColumnTestError) return fail(err.message, method);
    throw err;
  }
}

/** The dataset verdict: share of drifted columns among those tested (errors left out), drift when >= `share`. */
export function datasetVerdict(
  columns: ColumnDriftResult[],
  share = 0.5,
): { share_drifted: number; dataset_drift: boolean } {
  const tested = columns.filter((c) => c.error === undefined);
  if (tested.length === 0) return { share_drifted: 0, dataset_drift: false };
  const shareDrifted = tested.filter((c) => c.drifted).length / tested.length;
  return { share_drifted: shareDrifted, dataset_drift: shareDrifted >= share };
}
