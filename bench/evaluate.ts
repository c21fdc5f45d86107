/**
 * Evaluate benchmark, printed as ratios:
 * (a) ONNX inference: `loadModel(...).predict(table)` (feature mapping, dtype coercion, batching, output reading)
 *     against bare `session.run` on the same prebuilt Float32Array batches; target overhead under 20%.
 * (b) metrics: every binary metric of candidate and champion, DeLong, and a paired bootstrap, against sklearn's
 *     metrics on the same predictions through Debian's `/usr/bin/python3`, timed in the same run; target 2x faster.
 * Standalone: `node --import tsx bench/evaluate.ts [--rows N] [--onnx-rows N] [--features N] [--resamples N]`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluate } from '../actions/evaluate/src/evaluate.ts';
import { loadModel, loadOnnxRuntime } from '../onnx/infer.ts';
import { writeLinearModel } from '../onnx/write.ts';
import { xoshiro128 } from '../stats/metrics/index.ts';
import { ColumnTable } from '../tables/index.ts';

/** Sizes of the evaluate benchmark. */
export interface EvaluateBenchOptions {
  /** Rows for the metrics comparison. Default 1 000 000 (the size). */
  rows?: number;
  /** Rows for the ONNX comparison. Default 1 000 000. */
  onnxRows?: number;
  /** Features of the ONNX model. Default 20. */
  features?: number;
  /** Bootstrap resamples, both sides. Default 20 (sklearn takes about 5 s per resample at 1M rows). */
  resamples?: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function onnxOverhead(rows: number, d: number): Promise<[string, string, string][]> {
  const rng = xoshiro128(1);
  const names = Array.from({ length: d }, (_, j) => `f${j}`);
  const cols = new Map(names.map((n) => [n, Array.from({ length: rows }, () => rng.next() / 2 ** 32 - 0.5)]));
  const table = new ColumnTable(names, cols, rows);
  const bytes = writeLinearModel({
    kind: 'logistic',
    weights: names.map((_, j) => (j % 3) - 1),
    bias: 0.1,
    featureNames: names,
  });
  const ort = await loadOnnxRuntime();
  const model = await loadModel({ bytes, label: 'bench.onnx' }, { ort });
  const session = await ort.InferenceSession.create(bytes);
  const batch = 8192;
  const feeds: InstanceType<typeof ort.Tensor>[] = [];
  for (let s = 0; s < rows; s += batch) {
    const n = Math.min(batch, rows - s);
    const data = new Float32Array(n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) data[i * d + j] = cols.get(names[j])![s + i];
    feeds.push(new ort.Tensor('float32', data, [n, d]));
  }
  const inputName = session.inputNames[0];
  const bare: number[] = [];
  const ours: number[] = [];
  for (let r = 0; r < 3; r++) {
    let t = performance.now();
    for (const f of feeds) await session.run({ [inputName]: f });
    bare.push(performance.now() - t);
    t = performance.now();
    await model.predict(table);
    ours.push(performance.now() - t);
  }
  await model.close();
  await session.release();
  const [b, o] = [median(bare), median(ours)];
  return [
    [`ONNX ${rows} rows x ${d} features: bare session.run`, `${(b / 1000).toFixed(3)} s`, ''],
    [
      'ONNX: predict (mapping, coercion, batching, outputs)',
      `${(o / 1000).toFixed(3)} s`,
      `overhead ${((o / b - 1) * 100).toFixed(1)}% (target < 20%)`,
    ],
  ];
}

const SKLEARN = `
import sys, time, json
import numpy as np
from sklearn import metrics as M
n, B = int(sys.argv[2]), int(sys.argv[3])
a = np.fromfile(sys.argv[1], dtype=np.float64).reshape(3, n)
y, c, b = a[0].astype(int), a[1], a[2]
def allm(y, s):
    p = (s >= 0.5).astype(int)
    return [M.roc_auc_score(y, s), M.average_precision_score(y, s), M.log_loss(y, s), M.brier_score_loss(y, s),
            M.accuracy_score(y, p), M.balanced_accuracy_score(y, p), M.precision_score(y, p, zero_division=0),
            M.recall_score(y, p, zero_division=0), M.f1_score(y, p, zero_division=0)]
t = time.perf_counter(); allm(y, c); allm(y, b); full = time.perf_counter() - t
rng = np.random.default_rng(0)
t = time.perf_counter()
for _ in range(B):
    i = rng.integers(0, n, n); allm(y[i], c[i]); allm(y[i], b[i])
boot = time.perf_counter() - t
print(json.dumps({'full': full, 'boot': boot}))
`;

function metricsVsSklearn(n: number, resamples: number): [string, string, string][] {
  const rng = xoshiro128(2);
  const u = () => rng.next() / 2 ** 32;
  const y = new Float64Array(n);
  const cand = new Float64Array(n);
  const base = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = u() < 0.3 ? 1 : 0;
    cand[i] = Math.round(Math.min(1, Math.max(0, 0.3 * y[i] + 0.7 * u())) * 1000) / 1000;
    base[i] = Math.round(Math.min(1, Math.max(0, 0.2 * y[i] + 0.8 * u())) * 1000) / 1000;
  }
  const dir = mkdtempSync(join(tmpdir(), 'mlops-bench-eval-'));
  try {
    const file = join(dir, 'preds.f64');
    const all = new Float64Array(3 * n);
    all.set(y, 0);
    all.set(cand, n);
    all.set(base, 2 * n);
    writeFileSync(file, all);
    const py = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', SKLEARN, file, String(n), String(resamples)]).toString(),
    ) as { full: number; boot: number };
    const task = { task: 'binary' as const, y, candidate: cand, baseline: base, primaryMetric: 'roc_auc' };
    let t = performance.now();
    evaluate({ ...task, resamples: 0 });
    const full = (performance.now() - t) / 1000;
    t = performance.now();
    evaluate({ ...task, resamples });
    const boot = (performance.now() - t) / 1000 - full;
    return [
      [
        `metrics ${n} rows, 2 models (+ DeLong ours)`,
        `${full.toFixed(3)} s vs sklearn ${py.full.toFixed(3)} s`,
        `${(py.full / full).toFixed(2)}x faster (target >= 2x)`,
      ],
      [
        `paired bootstrap ${resamples} resamples`,
        `${boot.toFixed(3)} s vs sklearn ${py.boot.toFixed(3)} s`,
        `${(py.boot / boot).toFixed(2)}x faster (target >= 2x)`,
      ],
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Run the evaluate benchmark and print its table. */
export async function benchEvaluate(opts: EvaluateBenchOptions = {}): Promise<void> {
  const rows = [
    ...(await onnxOverhead(opts.onnxRows ?? 1_000_000, opts.features ?? 20)),
    ...metricsVsSklearn(opts.rows ?? 1_000_000, opts.resamples ?? 20),
  ];
  console.log('\nEvaluate (ratios; sklearn timed in the same run through /usr/bin/python3):');
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i])).join('   '));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string' },
      'onnx-rows': { type: 'string' },
      features: { type: 'string' },
      resamples: { type: 'string' },
    },
  });
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  await benchEvaluate({
    rows: num(values.rows),
    onnxRows: num(values['onnx-rows']),
    features: num(values.features),
    resamples: num(values.resamples),
  });
}
