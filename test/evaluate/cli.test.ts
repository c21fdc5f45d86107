import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../core/logger.ts';
import { main } from '../../cli/main.ts';
import { writeLinearModel } from '../../onnx/write.ts';
import { xoshiro128 } from '../../stats/metrics/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'mlops-eval-cli-'));
const rng = xoshiro128(42);
const u = () => rng.next() / 4294967296;
const lines = ['c,label,b,a,group'];
for (let i = 0; i < 300; i++) {
  const a = u() * 2 - 1;
  const b = u() * 2 - 1;
  const y = u() < 1 / (1 + Math.exp(-(3 * a - b))) ? 1 : 0;
  lines.push(`${u().toFixed(3)},${y},${b.toFixed(3)},${a.toFixed(3)},${i % 3 ? 'x' : 'y<b>'}`);
}
const data = join(dir, 'eval.csv');
writeFileSync(data, `${lines.join('\n')}\n`);
const good = join(dir, 'good.onnx');
const weak = join(dir, 'weak.onnx');
writeFileSync(
  good,
  writeLinearModel({
    weights: [3, -1, 0],
    bias: 0,
    kind: 'logistic',
    featureNames: ['a', 'b', 'c'],
    outputs: 'zipmap',
  }),
);
writeFileSync(
  weak,
  writeLinearModel({
    weights: [0.2, 0, 1],
    bias: 0,
    kind: 'logistic',
    featureNames: ['a', 'b', 'c'],
    inputs: 'per-feature',
  }),
);
const spec = (gates: string) => {
  const p = join(dir, `spec-${Math.abs(gates.length)}.yaml`);
  writeFileSync(
    p,
    `name: churn\ntask: binary\nprimary_metric: { name: roc_auc, direction: maximize }\ngates:\n${gates}\nschema:\n  features: [{ name: a, dtype: float32 }, { name: b, dtype: float32 }, { name: c, dtype: float32 }]\n  slices: [group]\n`,
  );
  return p;
};

async function cli(args: string[]) {
  const out: string[] = [];
  const log = memoryLogger();
  const code = await main(['evaluate', ...args], { out: (t) => out.push(t), log, cwd: dir, env: {} });
  return { code, out: out.join('\n'), log: log.lines.join('\n') };
}

describe('mlops evaluate', () => {
  it('evaluate --json prints metrics, DeLong and bootstrap comparison, slices and gates; exit 0 when gates pass', async () => {
    const r = await cli([
      '--model',
      good,
      '--champion',
      weak,
      '--data',
      data,
      '--label',
      'label',
      '--resamples',
      '100',
      '--spec',
      spec('  - { metric: roc_auc, min: 0.6, min_improvement: 0.01 }'),
      '--json',
    ]);
    expect(r.code, r.log).toBe(0);
    const j = JSON.parse(r.out);
    expect(Object.keys(j.metrics)).toEqual([
      'roc_auc',
      'average_precision',
      'log_loss',
      'brier_score_loss',
      'accuracy',
      'balanced_accuracy',
      'precision',
      'recall',
      'f1',
    ]);
    expect(j.comparison.roc_auc).toMatchObject({ method: 'delong' });
    expect(j.comparison.roc_auc.difference).toBeGreaterThan(0);
    expect(Math.sign(j.comparison.roc_auc.z)).toBe(Math.sign(j.comparison.roc_auc.difference));
    expect(j.comparison.f1).toMatchObject({ method: 'bootstrap', resamples: 100, seed: 0 });
    expect(j.slices.map((s: { value: string }) => s.value)).toEqual(['x', 'y<b>']);
    expect(j.gates.every((g: { passed: boolean }) => g.passed)).toBe(true);
    expect(j.passed).toBe(true);
  });

  it('evaluate exits 1 when a gate fails (candidate worse than the champion)', async () => {
    const r = await cli([
      '--model',
      weak,
      '--champion',
      good,
      '--data',
      data,
      '--label',
      'label',
      '--resamples',
      '0',
      '--spec',
      spec('  - { metric: roc_auc, max_regression: 0.01 }'),
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAILED/);
  });

  it('evaluate --predictions takes score columns; the first version is judged on absolute gates only', async () => {
    const r = await cli([
      '--predictions',
      data,
      '--label',
      'label',
      '--score',
      'a',
      '--json',
      '--spec',
      spec('  - { metric: roc_auc, min: 0.5, max_regression: 0 }'),
    ]);
    const j = JSON.parse(r.out);
    expect(j.first_version).toBe(true);
    expect(j.gates.map((g: { passed: boolean | null }) => g.passed)).toEqual([true, null]);
    expect(j.comparison).toBeUndefined();
  });

  it('evaluate reports undefined metrics with a reason for a single-class evaluation set', async () => {
    const one = join(dir, 'one.csv');
    writeFileSync(one, 'label,s\n0,0.2\n0,0.7\n0,0.4\n');
    const r = await cli(['--predictions', one, '--label', 'label', '--score', 's', '--json']);
    const j = JSON.parse(r.out);
    expect(j.metrics.roc_auc).toBeNull();
    expect(j.undefined.roc_auc).toMatch(/only class 0/);
  });

  it('evaluate exits 2 naming the row for a label outside the classes, and for missing flags', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'label,s\n0,0.2\n2,0.7\n');
    const r = await cli(['--predictions', bad, '--label', 'label', '--score', 's']);
    expect(r.code).toBe(2);
    expect(r.log).toMatch(/label column 'label' row 2: 2 is not valid; expected 0 or 1/);
    expect((await cli(['--data', data])).code).toBe(2);
    expect((await cli(['--predictions', data, '--label', 'label', '--score', 'nope'])).log).toMatch(
      /no column 'nope'/,
    );
  });

  it('evaluate --drop-na drops rows with missing values and reports how many', async () => {
    const na = join(dir, 'na.csv');
    writeFileSync(na, 'label,s\n0,0.2\n1,\n1,0.9\n0,0.1\n');
    expect((await cli(['--predictions', na, '--label', 'label', '--score', 's'])).code).toBe(2);
    const r = await cli(['--predictions', na, '--label', 'label', '--score', 's', '--drop-na', '--json']);
    expect(JSON.parse(r.out)).toMatchObject({ rows: 3, dropped_rows: 1 });
  });
});
