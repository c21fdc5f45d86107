import { describe, expect, it } from 'vitest';
import { histogramPair } from '../../actions/drift/src/charts.ts';
import { compareData } from '../../actions/drift/src/compare.ts';
import { escapeHtml, htmlReport } from '../../actions/drift/src/report-html.ts';
import { markdownReport, MERMAID_CHARTS } from '../../actions/drift/src/report-md.ts';
import type { DriftRun } from '../../actions/drift/src/types.ts';
import { prepareColumn } from '../../stats/drift/column.ts';
import { ColumnTable } from '../../tables/table.ts';
import type { Cell } from '../../tables/types.ts';

const EVIL = '<img src=x onerror=alert(1)>@octocat #1 **bold**';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Five numeric columns (the first four shifted when `shift`), a category column and, on one side only, extras. */
function data(shift: boolean, seed: number, extra: string): ColumnTable {
  const r = rng(seed);
  const n = 400;
  const cols: [string, Cell[]][] = [];
  for (const [k, name] of ['f1', 'f2', 'f3', EVIL, 'steady'].entries()) {
    cols.push([name, Array.from({ length: n }, () => r() * 10 + (shift && k < 4 ? 3 : 0))]);
  }
  cols.push([
    'plan',
    Array.from({ length: n }, (_, i) => (shift && i % 4 === 0 ? '<b>new</b>' : ['a', 'b'][i % 2])),
  ]);
  cols.push([extra, Array.from({ length: n }, (_, i) => (i % 10 === 0 ? null : i))]);
  return new ColumnTable(
    cols.map(([c]) => c),
    new Map(cols),
    n,
  );
}

function run(): DriftRun {
  const features = compareData(data(false, 1, 'only_ref'), data(true, 2, 'only_cur'), {
    categorical: ['plan'],
  });
  return {
    model: 'churn',
    referenceLabel: `ref ${EVIL}`,
    current: { uri: 's3://logs/churn/', since: '7d', from: '2026-01-01T00:00:00.000Z', files: 2, rows: 400 },
    time: '2026-01-08T00:00:00.000Z',
    features,
    drift: true,
    reasons: [`dataset drift: ${EVIL}`],
  };
}

describe('drift reports', () => {
  const r = run();

  it('markdownReport puts the verdict first, lists drifted columns first, and escapes user text', () => {
    const md = markdownReport(r, { reportUrl: 's3://bucket/drift/churn/report.html' });
    const lines = md.split('\n');
    expect(lines[0]).toBe('## Drift report: churn');
    expect(lines[2]).toMatch(/^🔴 \*\*Drift detected\*\*: 5 of 6 tested feature\(s\) drifted/);
    expect(md).not.toContain('<img');
    expect(md).not.toMatch(/@octocat/);
    const rows = lines.filter(
      (l) => l.startsWith('| ') && !l.startsWith('| column') && !l.startsWith('| ---'),
    );
    const verdicts = rows.slice(0, 7).map((l) => (l.includes('🔴 drift') ? 'drift' : 'ok'));
    expect(verdicts.indexOf('ok')).toBeGreaterThan(verdicts.lastIndexOf('drift'));
    expect(md.match(/```mermaid\nxychart-beta/g)).toHaveLength(MERMAID_CHARTS);
    expect(md).toContain('### Data quality');
    expect(md).toMatch(/Missing in current: `only\\_ref`/);
    expect(md).toMatch(/New in current: only\\_cur/);
    expect(md).toMatch(/plan \| 0\.00% \| 0\.00% \| 100 value\(s\): &lt;b&gt;new&lt;/);
    expect(md).toContain('s3\\:');
  });

  it('mermaid charts carry no quotes or markup from column names', () => {
    const md = markdownReport(r);
    for (const chart of md.split('```mermaid').slice(1)) {
      const title = /title "([^"]*)"/.exec(chart)?.[1] ?? '';
      expect(title).not.toMatch(/[<>"]/);
    }
  });

  it('htmlReport is one self-contained document: an inline SVG per column, no scripts or fetches, user text escaped', () => {
    const html = htmlReport(r);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script|<img|<link|<iframe|url\(/i);
    expect(html.replace(/"[^"]*"/g, '""')).not.toMatch(/<[a-z][^>]*\s(src|href|on\w+)=/i);
    expect(html).toContain(`default-src 'none'`);
    expect(html.match(/<svg /g)).toHaveLength(r.features.data.size);
    expect(html).toContain('missing from the current data');
    expect(html).toContain(escapeHtml(EVIL));
    expect(html).toContain('&lt;b&gt;new&lt;/b&gt;');
    expect(html.indexOf('Drift detected')).toBeLessThan(html.indexOf('<h2>Features'));
  });

  it('escapeHtml escapes the five HTML special characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('histogramPair draws one bar per value for a numeric column with few values, shared bins otherwise', () => {
    const flags = histogramPair(prepareColumn([0, 1, 1, 1]), prepareColumn([0, 0, 1, 1, null]));
    expect(flags).toEqual({ labels: ['0', '1'], ref: [0.25, 0.75], cur: [0.5, 0.5] });
    const wide = histogramPair(
      prepareColumn(Array.from({ length: 100 }, (_, i) => i)),
      prepareColumn(Array.from({ length: 50 }, (_, i) => i * 3)),
    );
    expect(wide?.labels).toHaveLength(20);
    expect(wide?.edges?.[0]).toBe(0);
    expect(wide?.edges?.[20]).toBe(147);
    expect(wide?.ref.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });
});
