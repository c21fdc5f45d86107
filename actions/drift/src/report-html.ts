/**
 * The self-contained HTML drift report: one file, inline CSS and inline SVG (a histogram of both sides per
 * column), no scripts and nothing fetched. Every piece of user text (column, category and model names, paths,
 * errors) is HTML-escaped.
 */
import type { ColumnData } from '../../../stats/drift/column.ts';
import type { ColumnDriftResult } from '../../../stats/drift/test-column.ts';
import { byDrift, fmt, histogramPair, summaryOf } from './charts.ts';
import { ran } from './outcomes.ts';
import { verdictLine } from './report-md.ts';
import type { DriftRun } from './types.ts';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escape text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

const W = 360;
const H = 140;
const PAD = 24;

/** An inline SVG histogram: reference bars (blue) and current bars (orange) side by side per bin. */
export function histogramSvg(name: string, data: { ref: ColumnData; cur: ColumnData }): string {
  const h = histogramPair(data.ref, data.cur);
  if (!h || h.labels.length === 0) return '<p class="muted">no values to draw</p>';
  const top = Math.max(...h.ref, ...h.cur, 1e-9);
  const n = h.labels.length;
  const slot = (W - 2 * PAD) / n;
  const bw = Math.max(1, slot / 2 - 1);
  const y = (p: number) => H - PAD - (p / top) * (H - 2 * PAD);
  const bars: string[] = [];
  for (let i = 0; i < n; i++) {
    const x = PAD + i * slot;
    for (const [k, p, cls] of [
      [0, h.ref[i], 'ref'],
      [1, h.cur[i], 'cur'],
    ] as const) {
      const tip = `${h.labels[i]}: ${k === 0 ? 'reference' : 'current'} ${(p * 100).toFixed(2)}%`;
      bars.push(
        `<rect class="${cls}" x="${(x + k * bw).toFixed(1)}" y="${y(p).toFixed(1)}" width="${bw.toFixed(1)}" height="${(H - PAD - y(p)).toFixed(1)}"><title>${escapeHtml(tip)}</title></rect>`,
      );
    }
  }
  const ticks = h.edges
    ? [
        `<text x="${PAD}" y="${H - 6}">${escapeHtml(fmt(h.edges[0]))}</text>`,
        `<text x="${W - PAD}" y="${H - 6}" text-anchor="end">${escapeHtml(fmt(h.edges[n]))}</text>`,
      ]
    : h.labels.map(
        (l, i) =>
          `<text x="${(PAD + (i + 0.5) * slot).toFixed(1)}" y="${H - 6}" text-anchor="middle">${escapeHtml(l.length > 9 ? `${l.slice(0, 8)}…` : l)}</text>`,
      );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(`histogram of ${name}`)}">`,
    `<line class="axis" x1="${PAD}" y1="${H - PAD}" x2="${W - PAD}" y2="${H - PAD}"/>`,
    ...bars,
    ...ticks,
    `<text x="${PAD}" y="14">${(top * 100).toFixed(1)}%</text>`,
    '</svg>',
  ].join('');
}

function statsCells(r: ColumnDriftResult, data?: { ref: ColumnData; cur: ColumnData }): string {
  const ref = summaryOf(data?.ref);
  const cur = summaryOf(data?.cur);
  const verdict =
    r.error !== undefined
      ? `<span class="err">error: ${escapeHtml(r.error)}</span>`
      : r.drifted
        ? '<span class="drift">drift</span>'
        : '<span class="ok">ok</span>';
  const rows = [
    ['method', escapeHtml(r.method)],
    ['statistic', fmt(r.statistic)],
    ['p-value', r.p_value === null ? '—' : fmt(r.p_value)],
    ['threshold', fmt(r.threshold)],
    ['verdict', verdict],
  ];
  if (ref || cur) {
    for (const k of ['mean', 'std', 'p05', 'p50', 'p95'] as const) {
      rows.push([k, `${fmt(ref?.[k])} → ${fmt(cur?.[k])}`]);
    }
  }
  return `<table class="kv">${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>`;
}

function card(title: string, r: ColumnDriftResult, data?: { ref: ColumnData; cur: ColumnData }): string {
  const cls = r.error !== undefined ? 'card errored' : r.drifted ? 'card drifted' : 'card';
  return `<section class="${cls}"><h3>${escapeHtml(title)}</h3><div class="row">${data ? histogramSvg(r.name, data) : '<p class="muted">no data to draw</p>'}${statsCells(r, data)}</div></section>`;
}

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1f2328}
h1{font-size:22px}h2{font-size:18px;margin-top:28px}h3{font-size:15px;margin:0 0 6px}
.verdict{font-size:16px;padding:10px 14px;border-radius:6px;background:#dafbe1}.verdict.bad{background:#ffebe9}
.grid{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid #d0d7de;border-radius:6px;padding:10px}
.card.drifted{border-color:#cf222e}.card.errored{border-color:#bf8700}.row{display:flex;gap:12px;align-items:flex-start}
svg text{font-size:10px;fill:#57606a}.axis{stroke:#8c959f}rect.ref{fill:#0969da}rect.cur{fill:#fb8500;opacity:.85}
table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left;border-bottom:1px solid #eaeef2}
.kv th{font-weight:normal;color:#57606a}.drift{color:#cf222e;font-weight:600}.ok{color:#1a7f37}.err{color:#9a6700}
.muted{color:#57606a}.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}`;

/** The whole report as one HTML document. */
export function htmlReport(run: DriftRun): string {
  const f = run.features;
  const title = run.model ? `Drift report: ${run.model}` : 'Drift report';
  const verdict = verdictLine(run, { plain: true });
  const outcomes = [
    ['Prediction drift', run.prediction],
    ['Target drift', run.target],
  ] as const;
  const outcomeHtml = outcomes
    .filter(([, o]) => o !== undefined)
    .map(([t, o]) =>
      o && ran(o)
        ? card(
            `${t}: ${o.column} (${o.source === 'model' ? 'champion model on both samples' : 'logged'})`,
            o.result,
            o.data,
          )
        : `<p>${escapeHtml(t)}: not tested (${escapeHtml(o && !ran(o) ? o.skipped : '')}).</p>`,
    )
    .join('');
  const q = f.quality;
  const quality = [
    q.missing_columns.length
      ? `<li>Missing in current: ${escapeHtml(q.missing_columns.join(', '))}</li>`
      : '',
    q.new_columns.length ? `<li>New in current: ${escapeHtml(q.new_columns.join(', '))}</li>` : '',
    ...q.columns.map((c) =>
      (c.current_null_share ?? 0) > 0 || (c.reference_null_share ?? 0) > 0 || c.unseen_values
        ? `<li>${escapeHtml(c.name)}: null share ${((c.reference_null_share ?? 0) * 100).toFixed(2)}% → ${((c.current_null_share ?? 0) * 100).toFixed(2)}%${c.unseen_categories?.length ? `; ${c.unseen_values} value(s) in unseen categories: ${escapeHtml(c.unseen_categories.join(', '))}` : ''}</li>`
        : '',
    ),
  ].join('');
  const cur = run.current;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title><style>${CSS}</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p class="verdict${run.drift ? ' bad' : ''}">${escapeHtml(verdict)}</p>
${run.reasons.length ? `<ul>${run.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>` : ''}
<p class="muted">Reference: ${escapeHtml(run.referenceLabel)}. Current: ${escapeHtml(cur.uri)}${cur.since ? ` since ${escapeHtml(cur.from ?? cur.since)}` : ''}, ${cur.files} file(s), ${cur.rows} row(s). Run at ${escapeHtml(run.time)}.</p>
<p class="legend">Histograms: <span style="background:#0969da"></span>reference <span style="background:#fb8500"></span>current (share of rows per bin)</p>
${outcomeHtml ? `<h2>Prediction and target</h2><div class="grid">${outcomeHtml}</div>` : ''}
<h2>Features</h2><div class="grid">${byDrift(f.columns)
    .map((r) => card(r.name, r, f.data.get(r.name)))
    .join('')}</div>
<h2>Data quality</h2>${quality ? `<ul>${quality}</ul>` : '<p>No missing or new columns, no nulls, no unseen categories.</p>'}
</body></html>
`;
}
