/**
 * The evaluated metrics in the `mlops/evaluate (<model>)` check run's `output.text`: one fenced block whose
 * info string is `json mlops-metrics`, holding `{"metrics":{"<name>":<number|null>}}`. Written by the evaluate
 * action, read by promote's finalise to record the evaluated (not training) metrics in the promotion's audit.
 */

const FENCE = '```json mlops-metrics';

/** The fenced block carrying `metrics` (non-finite numbers become null). */
export function formatCheckMetrics(metrics: Record<string, number | null | undefined>): string {
  const clean = Object.fromEntries(
    Object.entries(metrics).map(([k, v]) => [k, typeof v === 'number' && Number.isFinite(v) ? v : null]),
  );
  return `Evaluated metrics (machine-readable):\n\n${FENCE}\n${JSON.stringify({ metrics: clean })}\n\`\`\`\n`;
}

/** The metrics of the block written by `formatCheckMetrics`; undefined when the text carries none. */
export function parseCheckMetrics(
  text: string | null | undefined,
): Record<string, number | null> | undefined {
  const m = /```json mlops-metrics\n(.*)\n```/.exec(text ?? '');
  if (!m) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(m[1]);
  } catch {
    return undefined;
  }
  const metrics = (v as { metrics?: unknown } | null)?.metrics;
  if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) return undefined;
  const out: Record<string, number | null> = {};
  for (const [k, n] of Object.entries(metrics)) {
    if (n === null || (typeof n === 'number' && Number.isFinite(n))) out[k] = n;
  }
  return out;
}
