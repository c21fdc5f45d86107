/**
 * Presenting an evaluation: the PR comment (verdict and next step first; gates; candidate vs champion with
 * differences and p-values/intervals; slices; a Mermaid chart; details collapsed), the check-run title, and text.
 * User text (model, metric, column and slice names) is escaped.
 */
import { details, escapeText, table } from '../../../github/markdown.ts';
import type { GateResult } from './gates.ts';
import type { EvaluationReport } from './run.ts';

/** A metric value for people: 4 decimals, scientific when tiny or huge, an em dash when undefined. */
export const fmt = (v: number | null | undefined, digits = 4): string =>
  v === null || v === undefined || Number.isNaN(v)
    ? '—'
    : Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3)
      ? v.toExponential(2)
      : v.toFixed(digits);
const signed = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : `${v > 0 ? '+' : v < 0 ? '−' : ''}${fmt(Math.abs(v))}`;
const pValue = (p: number) => (p < 0.001 ? '< 0.001' : p.toFixed(3));
const pct = (v: number) => `${Number((v * 100).toPrecision(3))}%`;

/** Rows of the slice table shown in the comment; the rest are in the job summary's JSON report. */
export const SLICE_ROWS_SHOWN = 25;

/** A threshold as the user wrote it (no padding zeros). */
const short = (v: number) => String(Number(v.toPrecision(6)));

function gateRule(g: GateResult): string {
  const t = typeof g.threshold === 'number' ? short(g.threshold) : '';
  switch (g.kind) {
    case 'min':
      return `≥ ${t}`;
    case 'max':
      return `≤ ${t}`;
    case 'max_regression':
      return `regression vs champion ≤ ${t}`;
    case 'min_improvement':
      return `improvement vs champion ≥ ${t}`;
    case 'min_relative_improvement':
      return `relative improvement ≥ ${typeof g.threshold === 'number' ? pct(g.threshold) : t}`;
    case 'max_slice_regression':
      return `worst slice regression ≤ ${t}`;
    case 'significant':
      return 'better than champion, significant at 0.05';
  }
}

function gateValue(g: GateResult): string {
  if (g.kind === 'significant') return g.value === null ? '—' : g.value === 1 ? 'yes' : 'no';
  if (g.kind === 'min_relative_improvement' && g.value !== null) return pct(g.value);
  // A negative regression is an improvement: say so rather than print a negative number.
  if ((g.kind === 'max_regression' || g.kind === 'max_slice_regression') && g.value !== null && g.value <= 0)
    return g.value === 0 ? 'none' : `none (better by ${fmt(-g.value)})`;
  return fmt(g.value);
}

/** The check run's title: the verdict in a few words. */
export function checkTitle(r: EvaluationReport, championLabel?: string): string {
  const p = r.primary_metric.name;
  const failed = r.gates.filter((g) => g.passed === false).length;
  const head = r.passed
    ? 'Passed'
    : `Failed ${failed} of ${r.gates.length} gate${r.gates.length === 1 ? '' : 's'}`;
  const base = r.baseline?.metrics[p];
  const vs = championLabel && base !== undefined ? ` vs ${fmt(base)} (${championLabel})` : '';
  return `${head}: ${p} ${fmt(r.metrics[p])}${vs}`;
}

/** The verdict lines: gates, next step, better or not and whether the difference is real, worst slice. */
export function verdict(
  r: EvaluationReport,
  o: { championLabel?: string; noChampion?: string } = {},
): string[] {
  const failed = r.gates.filter((g) => g.passed === false);
  const judged = r.gates.filter((g) => g.passed !== null).length;
  const p = r.primary_metric.name;
  const lines = [
    r.passed
      ? `✅ **Passed** ${r.gates.length ? `all ${judged} judged gate${judged === 1 ? '' : 's'}` : '(no gates declared in model.yaml)'}. **Next:** an owner reviews and approves this PR; the promotion gate then lets it merge.`
      : `❌ **Failed** ${failed.length} of ${r.gates.length} gate${r.gates.length === 1 ? '' : 's'}: ${failed.map((g) => `${escapeText(g.metric)} ${gateRule(g)}`).join('; ')}. **Next:** this candidate cannot be promoted; retrain or fix the data, push, and it is evaluated again.`,
  ];
  const c = r.comparison?.[p];
  if (!r.baseline || !c) {
    lines.push(
      `${escapeText(p)} = **${fmt(r.metrics[p])}**. ${o.noChampion ?? 'No champion to compare with'}: only absolute gates were judged.`,
    );
    return lines;
  }
  const d = c.difference;
  const sign = r.primary_metric.direction === 'maximize' ? 1 : -1;
  const better =
    d === null
      ? 'cannot be compared with'
      : sign * d > 0
        ? 'better than'
        : sign * d < 0
          ? 'worse than'
          : 'equal to';
  let sig = '';
  if (c.method === 'delong')
    sig =
      c.p_value === null
        ? '; significance undefined'
        : `; DeLong p ${c.p_value < 0.001 ? '' : '= '}${pValue(c.p_value)}, ${c.p_value < 0.05 ? 'significant' : 'not significant, could be chance'}`;
  else if (c.ci_low !== null && c.ci_high !== null)
    sig = `; 95% CI [${signed(c.ci_low)}, ${signed(c.ci_high)}], ${c.ci_low > 0 || c.ci_high < 0 ? 'significant' : 'not significant, could be chance'}`;
  const champ = o.championLabel ? ` ${escapeText(o.championLabel)}` : '';
  lines.push(
    `Candidate is **${better}** champion${champ} on ${escapeText(p)}: ${fmt(r.metrics[p])} vs ${fmt(r.baseline.metrics[p])} (**${signed(d)}**${sig}).`,
  );
  const worst = (r.slices ?? [])
    .filter((s) => s.difference !== null && s.difference !== undefined && sign * (s.difference as number) < 0)
    .sort((a, b) => sign * (a.difference as number) - sign * (b.difference as number))[0];
  if (worst)
    lines.push(
      `Worst slice: ${escapeText(worst.column)} = ${escapeText(worst.value)} (${worst.rows} rows), ${escapeText(p)} ${signed(worst.difference)}.`,
    );
  else if (r.slices?.length) lines.push('No slice is worse than with the champion.');
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
          : `p ${c.p_value < 0.001 ? '' : '= '}${pValue(c.p_value)}`
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

function slicesTable(r: EvaluationReport, limit: number): string {
  const sign = r.primary_metric.direction === 'maximize' ? 1 : -1;
  const all = [...(r.slices ?? [])];
  // Worst regressions first when there is a champion, so that a cut keeps what matters.
  if (r.baseline) all.sort((a, b) => sign * ((a.difference ?? 0) - (b.difference ?? 0)));
  const shown = all.slice(0, limit);
  const rows = shown.map((x) => [
    escapeText(x.column),
    escapeText(x.value),
    String(x.rows),
    fmt(x.candidate),
    ...(r.baseline ? [fmt(x.baseline), signed(x.difference)] : []),
  ]);
  const t = table(
    ['slice', 'value', 'rows', 'candidate', ...(r.baseline ? ['champion', 'difference'] : [])],
    rows,
    { raw: true },
  );
  return all.length > shown.length
    ? `${t}\n\n_${all.length - shown.length} more slice values in the job summary._`
    : t;
}

function gatesTable(r: EvaluationReport): string {
  const rows = r.gates.map((g) => [
    escapeText(g.metric),
    gateRule(g),
    gateValue(g),
    (g.passed === null ? '⏭️ not judged' : g.passed ? '✅ pass' : '❌ fail') +
      (g.note ? ` (${escapeText(g.note)})` : ''),
  ]);
  return table(['metric', 'gate', 'value', 'result'], rows, { raw: true });
}

/**
 * A Mermaid xychart of one series. Every point of a chart must be measured the same way: the comment draws
 * the values measured on the evaluation rows and the values recorded at registration as two charts.
 */
export function chart(
  metric: string,
  points: { label: string; value: number | null }[],
  o: { title?: string; kind?: 'line' | 'bar' } = {},
): string {
  const pts = points.filter((p) => p.value !== null && Number.isFinite(p.value));
  if (pts.length < 2) return '';
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_.@ ,-]/g, '_');
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${safe(o.title ?? `${metric} by version`)}"`,
    `  x-axis [${pts.map((p) => `"${safe(p.label)}"`).join(', ')}]`,
    `  y-axis "${safe(metric)}"`,
    `  ${o.kind ?? 'line'} [${pts.map((p) => Number((p.value as number).toPrecision(6))).join(', ')}]`,
    '```',
  ].join('\n');
}

/** The charts of the comment: candidate vs champion on these rows; registered history, labelled, apart. */
function charts(
  r: EvaluationReport,
  o: { candidateLabel: string; championLabel?: string; history?: { label: string; value: number | null }[] },
): string[] {
  const m = r.primary_metric.name;
  const out: string[] = [];
  const measured = chart(
    m,
    [
      { label: `${o.championLabel ?? 'baseline'} champion`, value: r.baseline?.metrics[m] ?? null },
      { label: `${o.candidateLabel} candidate`, value: r.metrics[m] ?? null },
    ],
    { title: `${m} measured on these ${r.rows} evaluation rows`, kind: 'bar' },
  );
  if (measured) out.push(measured);
  const recorded = chart(m, o.history ?? [], {
    title: `${m} recorded at registration, training or validation data, not these rows`,
  });
  if (recorded) out.push(recorded);
  return out;
}

/** The sticky PR comment body (without the marker, which the forge adds). */
export function renderComment(o: {
  model: string;
  report: EvaluationReport;
  candidateLabel: string;
  championLabel?: string;
  /** Why there is no champion (first version, or the candidate is already the champion). */
  noChampion?: string;
  /** The primary metric recorded at registration by the registered versions (a separate chart). */
  history?: { label: string; value: number | null }[];
  /** Evaluated artifacts: name -> sha256. */
  artifacts?: Record<string, string>;
  runUrl?: string;
  /** Slice rows shown (default SLICE_ROWS_SHOWN); the job summary passes Infinity. */
  sliceRows?: number;
}): string {
  const r = o.report;
  const parts = [
    `### mlops evaluate: ${escapeText(o.model)} ${escapeText(o.candidateLabel)}${o.championLabel ? ` vs ${escapeText(o.championLabel)}` : ''}`,
    '',
    ...verdict(r, o).map((l) => `- ${l}`),
    '',
    '#### Gates',
    r.gates.length ? gatesTable(r) : '_No gates declared in model.yaml._',
    '',
    '#### Metrics',
    metricsTable(r),
  ];
  if (r.slices?.length)
    parts.push(
      '',
      `#### Slices (${escapeText(r.primary_metric.name)})`,
      slicesTable(r, o.sliceRows ?? SLICE_ROWS_SHOWN),
    );
  for (const c of charts(r, o)) parts.push('', c);
  const extra = [
    `- ${r.task}, ${r.rows} rows evaluated${r.dropped_rows ? ` (${r.dropped_rows} dropped for missing values)` : ''}${r.baseline ? `; difference = candidate − champion${bootstrapNote(r)}` : ''}.`,
    ...Object.entries(r.undefined ?? {}).map(
      ([m, why]) => `- ${escapeText(m)} undefined: ${escapeText(why)}`,
    ),
    ...Object.entries(o.artifacts ?? {}).map(
      ([p, sha]) => `- ${escapeText(p)} sha256 \`${sha.replace(/[^0-9a-f]/g, '')}\``,
    ),
    o.runUrl ? `- [Workflow run and job summary](${encodeURI(o.runUrl)})` : '',
  ].filter(Boolean);
  parts.push('', details('Details', extra.join('\n')));
  return parts.join('\n');
}

function bootstrapNote(r: EvaluationReport): string {
  for (const c of Object.values(r.comparison ?? {}))
    if (c.method === 'bootstrap')
      return `; intervals from ${c.resamples + (c.skipped ?? 0)} paired bootstrap resamples (seed ${c.seed})`;
  return '';
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
