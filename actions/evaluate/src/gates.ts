/**
 * Gates from `model.yaml` applied to an evaluation: absolute bounds (min/max), regression and improvement
 * over the champion, the largest slice regression, and significance. Without a champion only the absolute
 * gates are judged, and the verdict says so.
 */
import { UsageError } from '../../../core/errors.ts';
import type { Direction, MetricGate } from '../../../registry/types.ts';
import type { EvaluationResult } from './evaluate.ts';

/** Metrics where lower is better. */
const LOWER_IS_BETTER = new Set([
  'log_loss',
  'brier_score_loss',
  'mse',
  'rmse',
  'mae',
  'mape',
  'median_absolute_error',
]);

/** Which way is better for a metric (the primary metric's declared direction wins). */
export function directionOf(metric: string, primary?: { name: string; direction: Direction }): Direction {
  if (primary && primary.name === metric) return primary.direction;
  return LOWER_IS_BETTER.has(metric) ? 'minimize' : 'maximize';
}

/** One checked gate. */
export interface GateResult {
  metric: string;
  kind:
    | 'min'
    | 'max'
    | 'max_regression'
    | 'max_slice_regression'
    | 'min_improvement'
    | 'min_relative_improvement'
    | 'significant';
  threshold: number | boolean;
  /** The value compared (null when undefined). */
  value: number | null;
  /** null: not judged (no champion). */
  passed: boolean | null;
  note?: string;
}

/** Every gate's result, and the verdict: passed when no judged gate failed. */
export function applyGates(
  gates: MetricGate[],
  result: EvaluationResult,
  primary?: { name: string; direction: Direction },
): { gates: GateResult[]; passed: boolean; firstVersion: boolean } {
  const out: GateResult[] = [];
  const hasBase = result.baseline !== undefined;
  for (const g of gates) {
    for (const k of [
      'min',
      'max',
      'max_regression',
      'max_slice_regression',
      'min_improvement',
      'min_relative_improvement',
    ] as const) {
      if (g[k] !== undefined && !(typeof g[k] === 'number' && Number.isFinite(g[k]))) {
        throw new UsageError(
          `gate ${k} for '${g.metric}' is ${JSON.stringify(g[k])}; expected a finite number.`,
        );
      }
    }
    const dir = directionOf(g.metric, primary);
    const sign = dir === 'maximize' ? 1 : -1;
    const value = result.metrics[g.metric];
    if (value === undefined) {
      throw new UsageError(
        `gate metric '${g.metric}' is not a ${result.task} metric; expected one of ${Object.keys(result.metrics).join(', ')}.`,
      );
    }
    if (g.min !== undefined)
      out.push({
        metric: g.metric,
        kind: 'min',
        threshold: g.min,
        value,
        passed: value !== null && value >= g.min,
      });
    if (g.max !== undefined)
      out.push({
        metric: g.metric,
        kind: 'max',
        threshold: g.max,
        value,
        passed: value !== null && value <= g.max,
      });
    const base = result.baseline?.metrics[g.metric] ?? null;
    const gain = value !== null && base !== null ? sign * (value - base) : null;
    const relative = (
      kind: GateResult['kind'],
      threshold: number,
      v: number | null,
      test: (x: number) => boolean,
    ) =>
      out.push(
        hasBase
          ? { metric: g.metric, kind, threshold, value: v, passed: v !== null && test(v) }
          : { metric: g.metric, kind, threshold, value: null, passed: null, note: 'no champion' },
      );
    if (g.max_regression !== undefined)
      relative(
        'max_regression',
        g.max_regression,
        gain === null ? null : -gain,
        (x) => x <= g.max_regression!,
      );
    if (g.min_improvement !== undefined)
      relative('min_improvement', g.min_improvement, gain, (x) => x >= g.min_improvement!);
    if (g.min_relative_improvement !== undefined) {
      const rel = gain !== null && base !== null && base !== 0 ? gain / Math.abs(base) : null;
      relative(
        'min_relative_improvement',
        g.min_relative_improvement,
        rel,
        (x) => x >= g.min_relative_improvement!,
      );
    }
    if (g.max_slice_regression !== undefined) {
      if (primary && g.metric !== primary.name)
        throw new UsageError(
          `gate max_slice_regression for '${g.metric}': slices are measured on the primary metric '${primary.name}'; move it to the '${primary.name}' gate.`,
        );
      const worst = (result.slices ?? [])
        .filter((s) => s.difference !== null && s.difference !== undefined)
        .reduce<number | null>(
          (w, s) => Math.max(w ?? Number.NEGATIVE_INFINITY, -sign * (s.difference as number)),
          null,
        );
      if (!hasBase) relative('max_slice_regression', g.max_slice_regression, null, () => true);
      else
        out.push({
          metric: g.metric,
          kind: 'max_slice_regression',
          threshold: g.max_slice_regression,
          value: worst,
          passed: worst === null || worst <= g.max_slice_regression,
          note: worst === null ? 'no slices compared' : undefined,
        });
    }
    if (g.significant) {
      const c = result.comparison?.[g.metric];
      const significant =
        c === undefined
          ? null
          : c.method === 'delong'
            ? c.p_value === null
              ? null
              : c.p_value < 0.05 && sign * (c.difference ?? 0) > 0
            : c.ci_low === null || c.ci_high === null
              ? null
              : sign > 0
                ? c.ci_low > 0
                : c.ci_high < 0;
      relative('significant', 1, significant === null ? null : significant ? 1 : 0, (x) => x === 1);
      out[out.length - 1].threshold = true;
    }
  }
  return { gates: out, passed: out.every((r) => r.passed !== false), firstVersion: !hasBase };
}
