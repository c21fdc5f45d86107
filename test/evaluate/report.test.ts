import { describe, expect, it } from 'vitest';
import { evaluate } from '../../actions/evaluate/src/evaluate.ts';
import {
  formatEvaluationExternalId,
  parseEvaluationExternalId,
} from '../../actions/evaluate/src/external-id.ts';
import { applyGates } from '../../actions/evaluate/src/gates.ts';
import { checkTitle, renderComment, SLICE_ROWS_SHOWN } from '../../actions/evaluate/src/report.ts';
import type { EvaluationReport } from '../../actions/evaluate/src/run.ts';
import { GITHUB_BODY_LIMIT } from '../../github/markdown.ts';
import type { MetricGate } from '../../registry/types.ts';
import { xoshiro128 } from '../../stats/metrics/index.ts';

const rng = xoshiro128(5);
const u = () => rng.next() / 4294967296;
const n = 6000;
const y = Float64Array.from({ length: n }, () => (u() < 0.4 ? 1 : 0));
const cand = Float64Array.from(y, (t) => Math.min(1, 0.4 * t + 0.6 * u()));
const base = Float64Array.from(y, (t) => Math.min(1, 0.2 * t + 0.8 * u()));

function report(gates: MetricGate[], opts: { baseline?: boolean; slices?: number } = {}): EvaluationReport {
  const primary = { name: 'roc_auc', direction: 'maximize' as const };
  const r = evaluate({
    task: 'binary',
    y,
    candidate: cand,
    baseline: opts.baseline === false ? undefined : base,
    resamples: 20,
    primaryMetric: 'roc_auc',
    slices: opts.slices
      ? [{ column: 'user<id>', values: Array.from(y, (_, i) => `@u${i % opts.slices!}`) }]
      : [],
  });
  const g = applyGates(gates, r, primary);
  return { ...r, gates: g.gates, passed: g.passed, first_version: g.firstVersion, primary_metric: primary };
}

describe('evaluate report', () => {
  it('renderComment puts the verdict and the next step first, then gates, metrics and slices', () => {
    const r = report([{ metric: 'roc_auc', min: 0.6, min_relative_improvement: 0.02 }], { slices: 3 });
    const body = renderComment({ model: 'churn', report: r, candidateLabel: 'v7', championLabel: 'v6' });
    const lines = body.split('\n');
    expect(lines[0]).toBe('### mlops evaluate: churn v7 vs v6');
    expect(lines[2]).toMatch(/^- ✅ \*\*Passed\*\* all 2 judged gates\. \*\*Next:\*\* an owner reviews/);
    expect(lines[3]).toMatch(
      /^- Candidate is \*\*better than\*\* champion v6 on roc\\_auc: 0\.\d{4} vs 0\.\d{4} \(\*\*\+0\.\d{4}\*\*; DeLong p /,
    );
    expect(body.indexOf('#### Gates')).toBeLessThan(body.indexOf('#### Metrics'));
    expect(body).toContain('| roc\\_auc | relative improvement ≥ 2% |');
    expect(checkTitle(r, 'v6')).toMatch(/^Passed: roc_auc 0\.\d{4} vs 0\.\d{4} \(v6\)$/);
  });

  it('renderComment names the failed gates and says the candidate cannot be promoted', () => {
    const r = report([
      { metric: 'roc_auc', min: 0.99 },
      { metric: 'f1', min: 0.1 },
    ]);
    const body = renderComment({ model: 'churn', report: r, candidateLabel: 'v7', championLabel: 'v6' });
    expect(body).toContain(
      '- ❌ **Failed** 1 of 2 gates: roc\\_auc ≥ 0.99. **Next:** this candidate cannot be promoted',
    );
    expect(checkTitle(r, 'v6')).toMatch(/^Failed 1 of 2 gates: roc_auc /);
  });

  it('renderComment says a first version is judged on absolute gates only', () => {
    const r = report([{ metric: 'roc_auc', min: 0.6, max_regression: 0 }], { baseline: false });
    const body = renderComment({
      model: 'churn',
      report: r,
      candidateLabel: 'v1',
      noChampion: 'No champion yet (first version)',
    });
    expect(body).toMatch(
      /roc\\_auc = \*\*0\.\d{4}\*\*\. No champion yet \(first version\): only absolute gates were judged\./,
    );
    expect(body).toContain('⏭️ not judged (no champion)');
  });

  it('renderComment keeps thousands of slice values under the comment limit, worst first, the rest in the summary', () => {
    const r = report([], { slices: 5000 });
    const body = renderComment({ model: 'churn', report: r, candidateLabel: 'v7', championLabel: 'v6' });
    expect(body.length).toBeLessThan(GITHUB_BODY_LIMIT);
    expect(body).toContain(`_${5000 - SLICE_ROWS_SHOWN} more slice values in the job summary._`);
    expect(body).not.toMatch(/<id>|@u\d/);
    const diffs = (r.slices ?? []).map((s) => s.difference ?? 0).sort((a, b) => a - b);
    expect(body).toContain(`| −${Math.abs(diffs[0]).toFixed(4)} |`);
    const full = renderComment({
      model: 'churn',
      report: r,
      candidateLabel: 'v7',
      sliceRows: Number.POSITIVE_INFINITY,
    });
    expect(full).not.toContain('more slice values');
  });

  it('renderComment never mixes measured values and registration history in one chart series', () => {
    const r = report([]);
    const history = [
      { label: 'v5', value: 0.91 },
      { label: 'v6', value: 0.93 },
      { label: 'v7', value: 0.95 },
    ];
    const body = renderComment({
      model: 'churn',
      report: r,
      candidateLabel: 'v7',
      championLabel: 'v6',
      history,
    });
    const blocks = body
      .split('```mermaid')
      .slice(1)
      .map((b) => b.slice(0, b.indexOf('```')));
    expect(blocks).toHaveLength(2);
    const [measured, recorded] = blocks;
    const round = (v: number) => Number(v.toPrecision(6));
    expect(measured).toContain(`title "roc_auc measured on these ${n} evaluation rows"`);
    expect(measured).toContain('x-axis ["v6 champion", "v7 candidate"]');
    expect(measured).toContain(
      `bar [${round(r.baseline!.metrics.roc_auc as number)}, ${round(r.metrics.roc_auc as number)}]`,
    );
    expect(recorded).toContain('recorded at registration');
    expect(recorded).toContain('x-axis ["v5", "v6", "v7"]');
    expect(recorded).toContain('line [0.91, 0.93, 0.95]');
    expect(recorded).not.toContain(String(round(r.metrics.roc_auc as number)));
  });

  it('formatEvaluationExternalId round-trips through parseEvaluationExternalId and refuses other shapes', () => {
    const id = {
      model: 'team/churn',
      version: 7,
      artifacts: { 'model.onnx': 'A'.repeat(64), 'b.onnx': 'b'.repeat(64) },
      champion: { version: 6, artifacts: { 'model.onnx': 'c'.repeat(64) } },
    };
    const text = formatEvaluationExternalId(id);
    expect(text).toBe(
      `{"model":"team/churn","version":7,"artifacts":{"b.onnx":"${'b'.repeat(64)}","model.onnx":"${'a'.repeat(64)}"},"champion":{"version":6,"artifacts":{"model.onnx":"${'c'.repeat(64)}"}}}`,
    );
    expect(parseEvaluationExternalId(text)).toEqual({
      ...id,
      artifacts: { 'b.onnx': 'b'.repeat(64), 'model.onnx': 'a'.repeat(64) },
    });
    for (const bad of [
      null,
      '',
      'x',
      '{"model":1,"artifacts":{}}',
      `{"model":"m","artifacts":{"a":"xyz"}}`,
      `{"model":"m","version":1.5,"artifacts":{}}`,
    ])
      expect(parseEvaluationExternalId(bad)).toBeUndefined();
  });
});

describe('evaluate gates', () => {
  it('applyGates refuses max_slice_regression on a metric other than the primary one (slices measure the primary)', () => {
    expect(() => report([{ metric: 'f1', max_slice_regression: 0.01 }], { slices: 2 })).toThrow(
      /gate max_slice_regression for 'f1': slices are measured on the primary metric 'roc_auc'/,
    );
  });
});
