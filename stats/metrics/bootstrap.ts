/**
 * Paired bootstrap of metric differences: the same resampled rows for candidate and baseline, a seeded
 * PRNG, the 95% percentile interval (numpy's linear percentile), resamples where either value is
 * undefined skipped and counted.
 */
import { xoshiro128 } from './prng.ts';
import type { MetricSet } from './types.ts';

/** The bootstrap comparison of one metric. */
export interface BootstrapResult {
  method: 'bootstrap';
  candidate: number | null;
  baseline: number | null;
  /** candidate - baseline. */
  difference: number | null;
  ci_low: number | null;
  ci_high: number | null;
  /** Resamples used (the metric defined for both models). */
  resamples: number;
  /** Resamples skipped because the metric was undefined on them. */
  skipped: number;
  seed: number;
  reason?: string;
}

/** numpy's `percentile(a, q, method='linear')` of sorted values (q in [0, 100]). */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  const virtual = (n - 1) * (q / 100);
  if (virtual >= n - 1) return sorted[n - 1];
  const lo = Math.floor(virtual);
  const t = virtual - lo;
  const a = sorted[lo];
  const b = sorted[lo + 1];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** Options for `pairedBootstrap`. */
export interface BootstrapOptions {
  /** Rows in the evaluation set. */
  n: number;
  /** Metrics of both models on the rows `idx`. */
  compute: (idx: Int32Array) => { candidate: MetricSet; baseline: MetricSet };
  /** The metrics to compare. */
  metrics: string[];
  /** Point estimates on all rows. */
  full: { candidate: MetricSet; baseline: MetricSet };
  /** Default 1000. */
  resamples?: number;
  /** Default 0. */
  seed?: number;
  /** Confidence level. Default 0.95. */
  level?: number;
}

/** Bootstrap every metric in `metrics` at once (one set of resamples shared by all metrics). */
export function pairedBootstrap(opts: BootstrapOptions): Record<string, BootstrapResult> {
  const B = opts.resamples ?? 1000;
  const seed = opts.seed ?? 0;
  const lowQ = (100 - (opts.level ?? 0.95) * 100) / 2;
  const rng = xoshiro128(seed);
  const diffs = new Map(opts.metrics.map((m) => [m, [] as number[]]));
  const skipped = new Map(opts.metrics.map((m) => [m, 0]));
  const idx = new Int32Array(opts.n);
  for (let b = 0; b < B && opts.n > 0; b++) {
    for (let i = 0; i < opts.n; i++) idx[i] = rng.index(opts.n);
    const r = opts.compute(idx);
    for (const m of opts.metrics) {
      const c = r.candidate.values[m];
      const s = r.baseline.values[m];
      if (c === null || s === null || c === undefined || s === undefined) skipped.set(m, skipped.get(m)! + 1);
      else diffs.get(m)!.push(c - s);
    }
  }
  const out: Record<string, BootstrapResult> = {};
  for (const m of opts.metrics) {
    const candidate = opts.full.candidate.values[m] ?? null;
    const baseline = opts.full.baseline.values[m] ?? null;
    const d = Float64Array.from(diffs.get(m)!).sort();
    const res: BootstrapResult = {
      method: 'bootstrap',
      candidate,
      baseline,
      difference: candidate !== null && baseline !== null ? candidate - baseline : null,
      ci_low: d.length ? percentileSorted(d, lowQ) : null,
      ci_high: d.length ? percentileSorted(d, 100 - lowQ) : null,
      resamples: d.length,
      skipped: skipped.get(m)!,
      seed,
    };
    if (!d.length) res.reason = opts.n === 0 ? 'no rows to resample' : `${m} is undefined on every resample`;
    out[m] = res;
  }
  return out;
}
