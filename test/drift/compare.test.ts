import { describe, expect, it } from 'vitest';
import { compareData } from '../../actions/drift/src/compare.ts';
import { predictionDrift, ran, targetDrift } from '../../actions/drift/src/outcomes.ts';
import { buildProfile } from '../../actions/drift/src/profile.ts';
import type { ModelSpec } from '../../registry/types.ts';
import { ColumnTable } from '../../tables/table.ts';
import type { Cell, Table } from '../../tables/types.ts';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function data(seed: number, shift: number, n = 300): ColumnTable {
  const r = rng(seed);
  const cols: Record<string, Cell[]> = {
    a: Array.from({ length: n }, () => r() + shift),
    b: Array.from({ length: n }, () => r() + shift),
    code: Array.from({ length: n }, () => Math.floor(r() * 3 + shift * 2)),
    id: Array.from({ length: n }, (_, i) => i + seed * n),
    label: Array.from({ length: n }, () => (r() < 0.3 + shift * 0.4 ? 1 : 0)),
  };
  return new ColumnTable(Object.keys(cols), new Map(Object.entries(cols)), n);
}

const spec: ModelSpec = {
  name: 'm',
  task: 'binary',
  primary_metric: { name: 'roc_auc', direction: 'maximize' },
  schema: { features: [], label: 'label' },
  drift: {
    method: 'psi',
    columns: {
      a: { method: 'wasserstein', threshold: 5 },
      code: { categorical: true },
      id: { ignore: true },
    },
  },
};

describe('compareData with model.yaml overrides', () => {
  it('compareData applies per-column method, threshold, categorical and ignore from the spec', () => {
    const r = compareData(data(1, 0), data(2, 0.5), { spec });
    const by = Object.fromEntries(r.columns.map((c) => [c.name, c]));
    expect(Object.keys(by)).toEqual(['a', 'b', 'code', 'label']);
    expect(by.a).toMatchObject({ method: 'wasserstein', threshold: 5, drifted: false });
    expect(by.b).toMatchObject({ method: 'psi', threshold: 0.1, drifted: true });
    expect(by.code.method).toBe('psi');
    expect(r.data.get('code')?.ref.kind).toBe('categorical');
  });

  it('compareData: the --method/--threshold options lose to per-column overrides and win over drift.method', () => {
    const r = compareData(data(1, 0), data(2, 0.5), { spec, method: 'ks', threshold: 0.01 });
    const by = Object.fromEntries(r.columns.map((c) => [c.name, c]));
    expect(by.a).toMatchObject({ method: 'wasserstein', threshold: 5 });
    expect(by.b).toMatchObject({ method: 'ks', threshold: 0.01 });
  });
});

describe('prediction and target drift', () => {
  const ref = data(1, 0);
  const cur = data(2, 0.5);

  it('targetDrift tests the label column with its overrides, and is skipped without labels', () => {
    const t = targetDrift(buildProfile(ref), cur, 'label', { spec });
    expect(ran(t) && t.result).toMatchObject({ name: 'label', method: 'psi', drifted: true });
    const noLabels: Table = new ColumnTable(['a'], new Map([['a', cur.column('a')]]), cur.rows);
    expect(targetDrift(ref, noLabels, 'label')).toEqual({
      column: 'label',
      skipped: "no 'label' column (labels) in the current data",
    });
  });

  it('predictionDrift runs the predictor on the profile sample and the current rows when nothing is logged', async () => {
    const seen: number[] = [];
    const predict = async (t: Table) => {
      seen.push(t.rows);
      return t.column('a').map((v) => 1 / (1 + Math.exp(-(v as number))));
    };
    const p = await predictionDrift(buildProfile(ref, undefined, { rowSample: 200 }), cur, 'prediction', {
      predict,
    });
    expect(seen).toEqual([200, 300]);
    expect(ran(p) && p.source).toBe('model');
    expect(ran(p) && p.result).toMatchObject({ name: 'prediction', method: 'ks', drifted: true });
    const none = await predictionDrift(buildProfile(ref, undefined, { rowSample: 0 }), cur, 'prediction', {
      predict,
    });
    expect(none).toMatchObject({ skipped: expect.stringMatching(/neither predictions nor a row sample/) });
    expect(await predictionDrift(ref, cur, 'prediction')).toMatchObject({
      skipped: expect.stringMatching(/no champion ONNX model/),
    });
  });
});
