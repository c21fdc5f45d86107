/**
 * Presenting an evaluation: the PR comment (verdict first, candidate vs champion with differences and
 * p-values/intervals, slices, gates, a Mermaid chart, details collapsed), the check-run summary, and text.
 */
import { details, escapeText, table } from '../../../github/markdown.ts';
import type { GateResult } from './gates.ts';
import type { EvaluationReport } from './run.ts';

const fmt = (v: number | null | undefined, digits = 4) =>
  v === null || v === undefined || Number.isNaN(v)
    ? '—'
    : Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3)
      ? v.toExponential(3)
      : v.toFixed(digits);
const signed = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : `${v > 0 ? '+' : ''}${fmt(v)}`;

function gateLine(g: GateResult): string {
  const status = g.passed === null ? '⏭️ not judged' : g.passed ? '✅ pass' : '❌ fail';
  return `${status}`;
}

/** One sentence each: gates, better or not, significant or not. */
export function verdict(r: EvaluationReport): string[] {
  const failed = r.gates.filter((g) => g.passed === false);
  const lines = [
    r.passed
      ? `✅ **Passed** ${r.gates.length ? `all ${r.gates.filter((g) => g.passed !== null).length} judged gate(s)` : '(no gates declared)'}`
      : `❌ **Failed** ${failed.length} gate(s): ${failed.map((g) => `${escapeText(g.metric)} ${g.kind}`).join(', ')}`,
  ];
  const p = r.primary_metric.name;
  if (r.first_version || !r.comparison) {
    lines.push(`First version of this model (no champion): judged on absolute gates only.`);
    return lines;
  }
  const c = r.comparison[p];
  const d = c?.difference ?? null;
  const sign = r.primary_metric.direction === 'maximize' ? 1 : -1;
  const better =
    d === null
      ? 'cannot be compared'
      : sign * d > 0
        ? 'better than'
        : sign * d < 0
          ? 'worse than'
          : 'equal to';
  let sig = '';
  if (c?.method === 'delong')
    sig =
      c.p_value === null
        ? `; significance undefined (${c.reason})`
        : `; DeLong p = ${fmt(c.p_value)} (${c.p_value < 0.05 ? 'significant' : 'not significant'} at 0.05)`;
  else if (c?.method === 'bootstrap')
    sig =
      c.ci_low === null || c.ci_high === null
        ? ''
        : `; 95% CI [${signed(c.ci_low)}, ${signed(c.ci_high)}] (${c.ci_low > 0 || c.ci_high < 0 ? 'significant' : 'not significant'})`;
  lines.push(`Candidate is **${better}** the champion on ${escapeText(p)} (${signed(d)})${sig}.`);
  return lines;
}

function metricsTable(r: EvaluationReport): string {
  const rows = Object.keys(r.metrics).map((m) => {
    const c = r.comparison?.[m];
    const test = !c
      ? '—'
      : c.method === 'delong'
        ? c.p_value === null
          ? 'undefined'
          : `p = ${fmt(c.p_value)}`
        : c.ci_low === null
          ? 'undefined'
          : `[${signed(c.ci_low)}, ${signed(c.ci_high)}]`;
    const name = m === r.primary_metric.name ? `**${escapeText(m)}**` : escapeText(m);
    return r.baseline
      ? [name, fmt(r.metrics[m]), fmt(r.baseline.metrics[m]), signed(c?.difference), test]
      : [name, fmt(r.metrics[m])];
  });
  const header = r.baseline
    ? ['metric', 'candidate', 'champion', 'difference', 'p-value / 95% CI']
    : ['metric', 'candidate'];
  return table(header, rows, { raw: true });
}

function slicesTable(r: EvaluationReport): string {
  const s = r.slices ?? [];
  const rows = s.map((x) => [
    escapeText(x.column),
    escapeText(x.value),
    String(x.rows),
    fmt(x.candidate),
    ...(r.baseline ? [fmt(x.baseline), signed(x.difference)] : []),
  ]);
  return table(
    ['slice', 'value', 'rows', 'candidate', ...(r.baseline ? ['champion', 'difference'] : [])],
    rows,
    { raw: true },
  );
}

function gatesTable(r: EvaluationReport): string {
  const rows = r.gates.map((g) => [
    escapeText(g.metric),
    g.kind,
    String(g.threshold),
    fmt(g.value),
    gateLine(g) + (g.note ? ` (${escapeText(g.note)})` : ''),
  ]);
  return table(['metric', 'gate', 'threshold', 'value', 'result'], rows, { raw: true });
}

/** A Mermaid xychart of the primary metric across registered versions plus this candidate. */
export function chart(metric: string, points: { label: string; value: number | null }[]): string {
  const pts = points.filter((p) => p.value !== null && Number.isFinite(p.value));
  if (pts.length === 0) return '';
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_.@-]/g, '_');
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${safe(metric)} by version"`,
    `  x-axis [${pts.map((p) => `"${safe(p.label)}"`).join(', ')}]`,
    `  y-axis "${safe(metric)}"`,
    `  line [${pts.map((p) => p.value).join(', ')}]`,
    `  bar [${pts.map((p) => p.value).join(', ')}]`,
    '```',
  ].join('\n');
}

/** The sticky PR comment body (without the marker, which the forge adds). */
export function renderComment(o: {
  model: string;
  report: EvaluationReport;
  candidateLabel: string;
  championLabel?: string;
  history?: { label: string; value: number | null }[];
  artifacts?: Record<string, string>;
  runUrl?: string;
}): string {
  const r = o.report;
  const parts = [
    `## Evaluation of ${escapeText(o.model)} ${escapeText(o.candidateLabel)}${o.championLabel ? ` vs champion ${escapeText(o.championLabel)}` : ''}`,
    '',
    ...verdict(r).map((l) => `- ${l}`),
    '',
    '### Gates',
    r.gates.length ? gatesTable(r) : '_No gates declared in model.yaml._',
    '',
    '### Metrics',
    metricsTable(r),
  ];
  if (r.slices?.length) parts.push('', `### Slices (${escapeText(r.primary_metric.name)})`, slicesTable(r));
  const points = [
    ...(o.history ?? []),
    { label: 'candidate', value: r.metrics[r.primary_metric.name] ?? null },
  ];
  const c = chart(r.primary_metric.name, points);
  if (c) parts.push('', c);
  const extra = [
    `Rows evaluated: ${r.rows}${r.dropped_rows ? ` (${r.dropped_rows} dropped for missing values)` : ''}.`,
    ...Object.entries(r.undefined ?? {}).map(
      ([m, why]) => `- ${escapeText(m)} undefined: ${escapeText(why)}`,
    ),
    ...Object.entries(o.artifacts ?? {}).map(
      ([p, sha]) => `- ${escapeText(p)}: \`${sha.replace(/[^0-9a-f]/g, '')}\``,
    ),
    o.runUrl ? `[Workflow run](${encodeURI(o.runUrl)})` : '',
  ].filter(Boolean);
  parts.push('', details('Details', extra.join('\n')));
  return parts.join('\n');
}

/** Plain text for the terminal. */
export function formatReportText(r: EvaluationReport): string {
  const lines = [
    `${r.passed ? 'PASSED' : 'FAILED'}  ${r.task}, ${r.rows} rows, primary metric ${r.primary_metric.name}`,
  ];
  for (const m of Object.keys(r.metrics)) {
    const c = r.comparison?.[m];
    const extra = !c
      ? ''
      : c.method === 'delong'
        ? `  diff ${signed(c.difference)}  p ${fmt(c.p_value)}`
        : `  diff ${signed(c.difference)}  95% CI [${signed(c.ci_low)}, ${signed(c.ci_high)}]`;
    lines.push(
      `  ${m.padEnd(22)} ${fmt(r.metrics[m]).padStart(10)}${r.baseline ? `  champion ${fmt(r.baseline.metrics[m])}` : ''}${extra}`,
    );
  }
  for (const [m, why] of Object.entries(r.undefined ?? {})) lines.push(`  ${m} undefined: ${why}`);
  for (const g of r.gates)
    lines.push(
      `  gate ${g.metric} ${g.kind} ${g.threshold}: ${fmt(g.value)} ${g.passed === null ? 'not judged' : g.passed ? 'pass' : 'FAIL'}`,
    );
  if (r.first_version) lines.push('  first version (no champion): absolute gates only');
  return lines.join('\n');
}
