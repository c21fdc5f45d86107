/**
 * The train step's job summary: how the command ended, the final metrics, and a Mermaid chart of each
 * metric over steps (at most 100 points per chart, evenly thinned, the last point always kept).
 */
import type { MetricPoint } from './metrics.ts';

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : Number(v.toPrecision(6)).toString());

/** Indices of at most `max` evenly spaced points, first and last included. */
function thin(n: number, max: number): number[] {
  if (n <= max) return [...Array(n).keys()];
  return Array.from({ length: max }, (_, i) => Math.round((i * (n - 1)) / (max - 1)));
}

/** One Mermaid `xychart-beta` line chart of a metric over steps. */
export function metricChart(name: string, points: MetricPoint[]): string {
  const sorted = [...points].filter((p) => Number.isFinite(p.value)).sort((a, b) => a.step - b.step);
  const picked = thin(sorted.length, 100).map((i) => sorted[i]);
  const safe = name.replace(/"/g, "'");
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${safe}"`,
    `  x-axis "step" [${picked.map((p) => fmt(p.step)).join(', ')}]`,
    `  y-axis "${safe}"`,
    `  line [${picked.map((p) => fmt(p.value)).join(', ')}]`,
    '```',
  ].join('\n');
}

/** What the summary reports. */
export interface SummaryInput {
  model: string;
  exitCode: number;
  timedOut: boolean;
  durationMs: number;
  resumedFrom?: string;
  history: MetricPoint[];
  final: Record<string, number>;
  gpus: string[];
}

/** The whole job summary as Markdown. */
export function trainSummary(s: SummaryInput): string {
  const status = s.timedOut
    ? 'timed out'
    : s.exitCode === 0
      ? 'succeeded'
      : `failed (exit code ${s.exitCode})`;
  const lines = [
    `## Training ${s.model}: ${status}`,
    '',
    `Duration ${(s.durationMs / 1000).toFixed(1)} s${s.gpus.length ? ` on ${s.gpus.join(', ')}` : ''}.${s.resumedFrom ? ` Resumed from ${s.resumedFrom}.` : ''}`,
    '',
  ];
  const names = Object.keys(s.final);
  if (names.length) {
    lines.push(
      '| metric | final |',
      '| --- | ---: |',
      ...names.map((n) => `| ${n.replace(/\|/g, '\\|')} | ${fmt(s.final[n])} |`),
      '',
    );
  } else {
    lines.push('No metrics were written.', '');
  }
  const byName = new Map<string, MetricPoint[]>();
  for (const p of s.history) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  for (const [name, points] of byName) if (points.length > 1) lines.push(metricChart(name, points), '');
  return lines.join('\n');
}
