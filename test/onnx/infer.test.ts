import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../onnx/infer.ts';
import { ONNXRUNTIME_VERSION } from '../../onnx/runtime.ts';
import { type LinearModelOptions, writeLinearModel } from '../../onnx/write.ts';
import { ColumnTable } from '../../tables/index.ts';
import type { Cell } from '../../tables/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'mlops-onnx-'));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function tableOf(cols: Record<string, Cell[]>): ColumnTable {
  const names = Object.keys(cols);
  return new ColumnTable(names, new Map(Object.entries(cols)), cols[names[0]].length);
}

function save(name: string, opts: LinearModelOptions): string {
  const path = join(dir, `${name}.onnx`);
  writeFileSync(path, writeLinearModel(opts));
  return path;
}

// Columns deliberately in a different order from the model's features.
const data = tableOf({ c: [0.5, -1, 2, 0], b: ['1', 0, -2, 0.25], a: [1, 0, 3, -1] });
const expectedLogit = [0, 1, 2, 3].map((i) => {
  const a = [1, 0, 3, -1][i];
  const b = [1, 0, -2, 0.25][i];
  const c = [0.5, -1, 2, 0][i];
  return 0.5 * a - 1 * b + 2 * c + 0.1;
});
const features = ['a', 'b', 'c'];
const base = { weights: [0.5, -1, 2], bias: 0.1, featureNames: features };

describe('onnx/write + onnx/infer', () => {
  it('writeLinearModel produces models that onnx.checker accepts', () => {
    const paths = [
      save('chk-lin', { ...base, kind: 'linear' }),
      save('chk-soft', {
        weights: [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
        ],
        bias: [0, 0, 0],
        kind: 'softmax',
        featureNames: features,
      }),
      save('chk-lp', { ...base, kind: 'logistic', outputs: 'label+probabilities' }),
      save('chk-zip', { ...base, kind: 'logistic', outputs: 'zipmap' }),
    ];
    const py = 'import onnx,sys\nfor p in sys.argv[1:]: onnx.checker.check_model(onnx.load(p))\nprint("ok")';
    expect(
      execFileSync('/usr/bin/python3', ['-c', py, ...paths])
        .toString()
        .trim(),
    ).toBe('ok');
  });

  for (const outputs of ['probabilities', 'positive', 'label+probabilities', 'zipmap'] as const) {
    it(`loadModel predicts P(class 1) from a '${outputs}' classifier, mapping columns by name`, async () => {
      const m = await loadModel(save(`bin-${outputs}`, { ...base, kind: 'logistic', outputs }));
      const p = await m.predict(data, { batchSize: 3 });
      expect(p.task).toBe('binary');
      for (const [i, s] of (p.scores as number[]).entries())
        expect(s).toBeCloseTo(sigmoid(expectedLogit[i]), 6);
      if (outputs === 'label+probabilities' || outputs === 'zipmap') {
        expect(p.labels).toEqual(expectedLogit.map((z) => (z > 0 ? 1 : 0)));
      }
      await m.close();
    });
  }

  it('loadModel feeds one [N,1] input per feature by input name', async () => {
    const m = await loadModel(save('per-feature', { ...base, kind: 'logistic', inputs: 'per-feature' }));
    expect(m.signature.inputs.map((i) => i.name)).toEqual(features);
    const p = await m.predict(data);
    for (const [i, s] of (p.scores as number[]).entries())
      expect(s).toBeCloseTo(sigmoid(expectedLogit[i]), 6);
  });

  it('loadModel returns class-probability rows for softmax and values for linear models', async () => {
    const soft = await loadModel(
      save('soft', {
        weights: [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
        ],
        bias: [0, 0, 0],
        kind: 'softmax',
        inputName: 'X',
      }),
    );
    const p = await soft.predict(data, { features });
    expect(p.task).toBe('multiclass');
    const row = (p.scores as number[][])[2];
    const e = [3, -2, 2].map(Math.exp);
    for (const [j, v] of row.entries()) expect(v).toBeCloseTo(e[j] / (e[0] + e[1] + e[2]), 6);
    const lin = await loadModel(save('lin', { ...base, kind: 'linear' }));
    const r = await lin.predict(data);
    expect(r.task).toBe('regression');
    for (const [i, v] of (r.scores as number[]).entries()) expect(v).toBeCloseTo(expectedLogit[i], 5);
  });

  it('predict names the column and row of a value the input dtype cannot hold', async () => {
    const m = await loadModel(save('bad', { ...base, kind: 'logistic' }));
    const bad = tableOf({ a: [1, 2], b: [0, 'x7'], c: [0, 0] });
    await expect(m.predict(bad)).rejects.toThrow(/column 'b' row 2: "x7" cannot fill float32 input 'input'/);
    const missing = tableOf({ a: [1, null], b: [0, 1], c: [0, 0] });
    await expect(m.predict(missing)).rejects.toThrow(/column 'a' row 2: a missing value .*--drop-na/);
    await expect(m.predict(tableOf({ a: [1], b: [2] }))).rejects.toThrow(/no column 'c'/);
  });

  it('predict names the row of a bad value in a later batch, while the previous batch is running', async () => {
    const m = await loadModel(save('bad-late', { ...base, kind: 'logistic' }));
    const n = 50;
    const a: Cell[] = Array.from({ length: n }, (_, i) => i / n);
    a[37] = 'NaN';
    const t = tableOf({ a, b: a.map(() => 1), c: a.map(() => '0.5') });
    await expect(m.predict(t, { batchSize: 8 })).rejects.toThrow(
      /column 'a' row 38: "NaN" cannot fill float32/,
    );
    // The session is still usable after the failed call.
    const ok = tableOf({ a: [1, 0, 3, -1], b: [1, 0, -2, 0.25], c: [0.5, -1, 2, 0] });
    const p = await m.predict(ok, { batchSize: 1 });
    for (const [i, s] of (p.scores as number[]).entries())
      expect(s).toBeCloseTo(sigmoid(expectedLogit[i]), 6);
    await m.close();
  });

  it('loadModel refuses a single [N,d] input without a declared feature order', async () => {
    const m = await loadModel(save('nonames', { weights: [1, 2], bias: 0, kind: 'logistic' }));
    await expect(m.predict(data)).rejects.toThrow(/schema\.features/);
  });

  it('ONNXRUNTIME_VERSION is the installed onnxruntime-node version', async () => {
    const { createRequire } = await import('node:module');
    const pkg = createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string };
    expect(pkg.version).toBe(ONNXRUNTIME_VERSION);
  });
});
