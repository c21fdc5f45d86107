/**
 * The model.yaml files shipped in examples/ load with the registry's real parser and pass evaluate's gate
 * validation on a real evaluation, so the template cannot rot.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../actions/evaluate/src/evaluate.ts';
import { applyGates } from '../../actions/evaluate/src/gates.ts';
import { parseModelSpec } from '../../registry/schema.ts';
import type { ModelSpec } from '../../registry/types.ts';
import { root } from './support.ts';

/** Every model.yaml under a folder, relative to the root. */
function modelYamls(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return d.name === 'node_modules' ? [] : modelYamls(p);
    return d.name === 'model.yaml' ? [relative(root, p)] : [];
  });
}

/** Evaluate a small deterministic data set for the spec's task (candidate and champion), with its slices. */
function evaluationFor(spec: ModelSpec) {
  const n = 60;
  const rows = Array.from({ length: n }, (_, i) => i);
  const noise = (i: number, s: number) => (((i * 7919 + s * 104729) % 97) / 97 - 0.5) * 0.6;
  const slices = (spec.schema?.slices ?? []).map((column) => ({
    column,
    values: rows.map((i) => (i % 3 === 0 ? 'a' : 'b')),
  }));
  const common = { resamples: 0, slices, primaryMetric: spec.primary_metric.name };
  if (spec.task === 'regression') {
    const y = rows.map((i) => i / 10);
    return evaluate({
      ...common,
      task: 'regression',
      y,
      candidate: y.map((v, i) => v + noise(i, 1)),
      baseline: y.map((v, i) => v + noise(i, 2)),
    });
  }
  const k = spec.task === 'binary' ? 2 : 3;
  const y = rows.map((i) => i % k);
  const clip = (p: number) => Math.min(0.95, Math.max(0.05, p));
  if (k === 2) {
    const score = (s: number) => y.map((v, i) => clip(0.5 + (v ? 0.2 : -0.2) + noise(i, s)));
    return evaluate({ ...common, task: 'binary', y, candidate: score(1), baseline: score(2) });
  }
  const probs = (s: number) =>
    y.map((v, i) => {
      const p = Array.from({ length: k }, (_, c) => (c === v ? 0.5 : 0.25) + Math.abs(noise(i + c, s)) * 0.1);
      const sum = p.reduce((a, b) => a + b, 0);
      return p.map((x) => x / sum);
    });
  return evaluate({ ...common, task: 'multiclass', y, k, candidate: probs(1), baseline: probs(2) });
}

const files = modelYamls(join(root, 'examples'));

describe('example model.yaml files', () => {
  it('finds the consumer template', () => {
    expect(files).toContain('examples/consumer/models/churn/model.yaml');
  });

  it.each(files)('%s parses and its gates pass evaluate validation', (file) => {
    const spec = parseModelSpec(readFileSync(join(root, file), 'utf8'), file);
    const result = evaluationFor(spec);
    expect(result.metrics[spec.primary_metric.name], 'the primary metric is computed').not.toBeUndefined();
    const { gates } = applyGates(spec.gates ?? [], result, spec.primary_metric);
    // One result per bound set in each gate: every gate was understood (none silently ignored).
    expect(gates.length).toBeGreaterThanOrEqual((spec.gates ?? []).length);
  });

  it('a slice gate on a metric other than the primary is refused (the check can fail)', () => {
    const file = 'examples/consumer/models/churn/model.yaml';
    const text = readFileSync(join(root, file), 'utf8').replace(
      /- metric: roc_auc( #[^\n]*)?\n(\s+)max_slice_regression/,
      '- metric: recall\n$2max_slice_regression',
    );
    const spec = parseModelSpec(text, file);
    expect(() => applyGates(spec.gates ?? [], evaluationFor(spec), spec.primary_metric)).toThrow(
      /slices are measured on the primary metric 'roc_auc'/,
    );
  });

  it('the consumer model.yaml holds the training settings a drift-dispatched retrain needs', () => {
    const file = 'examples/consumer/models/churn/model.yaml';
    const spec = parseModelSpec(readFileSync(join(root, file), 'utf8'), file);
    expect(spec.training?.command).toMatch(/\S/);
    expect(spec.training?.evaluation_data).toMatch(/^s3:\/\//);
  });
});
