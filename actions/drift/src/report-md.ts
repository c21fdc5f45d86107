/**
 * The Markdown summary of a drift run (job summary, issue body, `--markdown`): the verdict first, prediction and
 * target drift, a table per column, Mermaid charts of the most drifted features, and data quality.
 */
import { escapeCell, escapeText, table } from '../../../github/markdown.ts';
import type { ColumnData } from '../../../stats/drift/column.ts';
import type { ColumnDriftResult } from '../../../stats/drift/test-column.ts';
import { byDrift, fmt, histogramPair, summaryOf } from './charts.ts';
import { ran } from './outcomes.ts';
import type { DriftRun } from './types.ts';

/** Features drawn as Mermaid charts. */
export const MERMAID_CHARTS = 3;

function verdictCell(r: ColumnDriftResult): string {
  if (r.error !== undefined) return `⚠️ ${escapeCell(r.error)}`;
  return r.drifted ? '🔴 drift' : '🟢 ok';
}

function quantiles(col: ColumnData | undefined): string {
  const s = summaryOf(col);
  return s ? `${fmt(s.p05)} / ${fmt(s.p50)} / ${fmt(s.p95)}` : '—';
}

function columnRow(r: ColumnDriftResult, data?: { ref: ColumnData; cur: ColumnData }): string[] {
  return [
    escapeCell(r.name),
    r.method,
    fmt(r.statistic),
    r.p_value === null ? '—' : fmt(r.p_value),
    fmt(r.threshold),
    verdictCell(r),
    fmt(summaryOf(data?.ref)?.mean),
    fmt(summaryOf(data?.cur)?.mean),
    quantiles(data?.ref),
    quantiles(data?.cur),
  ];
}

const HEADER = [
  'column',
  'method',
  'statistic',
  'p-value',
  'threshold',
  'verdict',
  'ref mean',
  'cur mean',
  'ref p5 / p50 / p95',
  'cur p5 / p50 / p95',
];

/** Text safe inside a Mermaid quoted string. */
function mermaidText(s: string): string {
  return s.replace(/["\\`<>#;]/g, ' ').slice(0, 60);
}

/** A Mermaid xychart of both sides' proportions for one column (bars: reference, line: current). */
export function mermaidChart(name: string, data: { ref: ColumnData; cur: ColumnData }): string | undefined {
  const h = histogramPair(data.ref, data.cur);
  if (!h || h.labels.length === 0) return undefined;
  const top = Math.max(...h.ref, ...h.cur, 0.01);
  const list = (xs: number[]) => `[${xs.map((x) => Number(x.toFixed(4))).join(', ')}]`;
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${mermaidText(name)}: reference (bars) vs current (line)"`,
    `  x-axis [${h.labels.map((l) => `"${mermaidText(l)}"`).join(', ')}]`,
    `  y-axis "share of rows" 0 --> ${Number((top * 1.1).toFixed(3))}`,
    `  bar ${list(h.ref)}`,
    `  line ${list(h.cur)}`,
    '```',
  ].join('\n');
}

function outcomeSection(title: string, o: DriftRun['prediction']): string {
  if (!o) return '';
  if (!ran(o)) return `**${title}:** not tested (${escapeText(o.skipped)}).`;
  const how = o.source === 'model' ? 'champion model run on both samples' : `logged column`;
  return `**${title}** (${how}):\n\n${table(HEADER, [columnRow(o.result, o.data)], { raw: true })}`;
}

function qualitySection(run: DriftRun): string {
  const q = run.features.quality;
  const lines: string[] = [];
  if (q.missing_columns.length)
    lines.push(`- Missing in current: ${q.missing_columns.map((c) => `\`${escapeText(c)}\``).join(', ')}`);
  if (q.new_columns.length)
    lines.push(`- New in current: ${q.new_columns.map((c) => escapeText(c)).join(', ')}`);
  const rows = q.columns
    .filter(
      (c) =>
        (c.current_null_share ?? 0) > 0 || (c.reference_null_share ?? 0) > 0 || (c.unseen_values ?? 0) > 0,
    )
    .map((c) => [
      escapeCell(c.name),
      c.reference_null_share === null ? '—' : `${(c.reference_null_share * 100).toFixed(2)}%`,
      c.current_null_share === null ? '—' : `${(c.current_null_share * 100).toFixed(2)}%`,
      c.unseen_categories?.length
        ? `${c.unseen_values} value(s): ${c.unseen_categories.map(escapeCell).join(', ')}`
        : '—',
    ]);
  if (rows.length)
    lines.push(
      '',
      table(['column', 'ref null share', 'cur null share', 'unseen categories'], rows, { raw: true }),
    );
  return lines.length ? lines.join('\n') : 'No missing or new columns, no nulls, no unseen categories.';
}

/** The verdict line. */
export function verdictLine(run: DriftRun, opts: { plain?: boolean } = {}): string {
  const f = run.features;
  const tested = f.columns.filter((c) => c.error === undefined);
  const drifted = tested.filter((c) => c.drifted).length;
  const head = opts.plain
    ? run.drift
      ? 'Drift detected'
      : 'No drift'
    : run.drift
      ? '🔴 **Drift detected**'
      : '🟢 **No drift**';
  return `${head}: ${drifted} of ${tested.length} tested feature(s) drifted (share ${fmt(f.share_drifted)}; dataset drift ${f.dataset_drift ? 'yes' : 'no'}).`;
}

/** The whole Markdown report. `reportUrl` links the HTML report when it was stored somewhere reachable. */
export function markdownReport(run: DriftRun, opts: { reportUrl?: string } = {}): string {
  const title = run.model ? `Drift report: ${escapeText(run.model)}` : 'Drift report';
  const cur = run.current;
  const window = cur.since ? ` since ${cur.from ?? cur.since} (${escapeText(cur.since)})` : '';
  const parts = [
    `## ${title}`,
    verdictLine(run),
    ...run.reasons.map((r) => `- ${escapeText(r)}`),
    `Reference: ${escapeText(run.referenceLabel)}. Current: ${escapeText(cur.uri)}${window}, ${cur.files} file(s), ${cur.rows} row(s). Run at ${run.time}.`,
  ];
  const pred = outcomeSection('Prediction drift', run.prediction);
  const target = outcomeSection('Target drift', run.target);
  if (pred) parts.push(pred);
  if (target) parts.push(target);
  const ordered = byDrift(run.features.columns);
  parts.push(
    '### Features',
    table(
      HEADER,
      ordered.map((r) => columnRow(r, run.features.data.get(r.name))),
      { raw: true },
    ),
  );
  const charts = ordered
    .filter((r) => r.drifted)
    .slice(0, MERMAID_CHARTS)
    .map((r) => {
      const d = run.features.data.get(r.name);
      return d ? mermaidChart(r.name, d) : undefined;
    })
    .filter((c): c is string => c !== undefined);
  if (charts.length) parts.push('### Most drifted features', ...charts);
  parts.push('### Data quality', qualitySection(run));
  if (opts.reportUrl)
    parts.push(`Full report (HTML with a histogram per feature): ${escapeText(opts.reportUrl)}`);
  return `${parts.join('\n\n')}\n`;
}
