import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMetrics } from '../../actions/train/src/metrics.ts';
import { FEATURES, fromCsv, generateClinicalData } from '../../examples/trainer/data.ts';
import { predict } from '../../examples/trainer/model.ts';
import { trainExample } from '../../examples/trainer/train.ts';
import { loadModel } from '../../onnx/infer.ts';
import type { Cell, Table } from '../../tables/types.ts';

const tmp = mkdtempSync(join(tmpdir(), 'mlops-trainer-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A column table over rows of numbers (test fixture). */
function tableOf(rows: Record<string, number>[]): Table {
  const columns = Object.keys(rows[0]);
  return {
    columns,
    rows: rows.length,
    has: (n) => columns.includes(n),
    column: (n): Cell[] => rows.map((r) => r[n]),
  };
}

describe('example trainer', () => {
  it('generateClinicalData is deterministic for a seed', () => {
    expect(generateClinicalData(50, 3)).toEqual(generateClinicalData(50, 3));
    expect(generateClinicalData(50, 3)).not.toEqual(generateClinicalData(50, 4));
  });

  it('trainExample exports ONNX whose onnxruntime predictions match the trainer to 1e-6', async () => {
    const out = join(tmp, 'out');
    const state = await trainExample([
      '--out',
      out,
      '--checkpoint-dir',
      join(tmp, 'ck'),
      '--epochs',
      '25',
      '--rows',
      '600',
    ]);
    const rows = fromCsv(readFileSync(join(out, 'reference.csv'), 'utf8'));
    const expected = predict(
      state,
      rows.map((r) => FEATURES.map((f) => r[f])),
    );
    const model = await loadModel(join(out, 'model.onnx'));
    try {
      const got = (await model.predict(tableOf(rows))).scores as number[];
      expect(got).toHaveLength(rows.length);
      const worst = Math.max(...got.map((g, i) => Math.abs(g - expected[i])));
      expect(worst).toBeLessThan(1e-6);
      expect(model.signature.inputs).toEqual([
        { name: 'input', dtype: 'float32', shape: ['N', FEATURES.length] },
      ]);
    } finally {
      await model.close();
    }
    const check = spawnSync('/usr/bin/python3', [
      '-c',
      'import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]))',
      join(out, 'model.onnx'),
    ]);
    expect(check.stderr.toString()).toBe('');
    expect(check.status).toBe(0);
  });

  it('readMetrics gives the same final metrics from the JSON Lines file and the DVCLive directory', () => {
    const out = join(tmp, 'out');
    const jsonl = readMetrics(join(out, 'metrics.jsonl'));
    const dvclive = readMetrics(join(out, 'dvclive'));
    expect(Object.keys(jsonl.final)).toEqual(['accuracy', 'log_loss', 'roc_auc', 'train_loss']);
    expect(dvclive.final).toEqual(jsonl.final);
    expect(dvclive.history.length).toBe(jsonl.history.length);
    expect(jsonl.history.filter((p) => p.name === 'log_loss').map((p) => p.step)).toEqual(
      [...Array(25).keys()].map((i) => i + 1),
    );
  });
});
