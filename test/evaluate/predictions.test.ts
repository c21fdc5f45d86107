import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { memoryLogger } from '../../core/logger.ts';
import { xoshiro128 } from '../../stats/metrics/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'mlops-eval-hard-'));
const rng = xoshiro128(9);
const u = () => rng.next() / 4294967296;

/** Labels and two models' hard predictions: right with probability `acc`, else a random class. */
function write(name: string, k: number, n: number): string {
  const lines = ['y,cand,base,seg'];
  for (let i = 0; i < n; i++) {
    const y = Math.floor(u() * k);
    const guess = (acc: number) => (u() < acc ? y : Math.floor(u() * k));
    // Class k-1 is never predicted by the baseline (zero division for its precision).
    const base = Math.min(guess(0.55), k - 2);
    lines.push(`${y},${guess(0.8)},${base},${i % 2 ? 'even' : 'odd'}`);
  }
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

async function cli(args: string[]) {
  const out: string[] = [];
  const log = memoryLogger();
  const code = await main(['evaluate', ...args], { out: (t) => out.push(t), log, cwd: dir, env: {} });
  return { code, out: out.join('\n'), log: log.lines.join('\n') };
}

const SKLEARN = `
import csv, json, sys
from sklearn import metrics as M
rows = list(csv.DictReader(open(sys.argv[1])))
y = [int(r['y']) for r in rows]
out = {}
for col in ('cand', 'base'):
    p = [int(r[col]) for r in rows]
    d = {'accuracy': M.accuracy_score(y, p), 'balanced_accuracy': M.balanced_accuracy_score(y, p)}
    if sys.argv[2] == 'binary':
        d.update(precision=M.precision_score(y, p, zero_division=0), recall=M.recall_score(y, p, zero_division=0),
                 f1=M.f1_score(y, p, zero_division=0))
    else:
        for avg in ('macro', 'micro', 'weighted'):
            d['precision_' + avg] = M.precision_score(y, p, average=avg, zero_division=0)
            d['recall_' + avg] = M.recall_score(y, p, average=avg, zero_division=0)
            d['f1_' + avg] = M.f1_score(y, p, average=avg, zero_division=0)
    out[col] = d
print(json.dumps(out))
`;

function sklearn(path: string, task: string): Record<string, Record<string, number>> {
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', SKLEARN, path, task]).toString());
}

function expectClose(got: Record<string, number | null>, want: Record<string, number>) {
  for (const [m, v] of Object.entries(want)) {
    const g = got[m];
    expect(g, m).not.toBeNull();
    expect(
      Math.abs((g as number) - v) / Math.max(Math.abs(v), 1e-300),
      `${m}: ${g} vs ${v}`,
    ).toBeLessThanOrEqual(1e-12);
  }
}

describe('mlops evaluate --prediction (hard labels)', () => {
  it('evaluate --prediction binary matches sklearn on threshold metrics; score metrics are undefined with a reason', async () => {
    const path = write('binary.csv', 2, 500);
    const r = await cli([
      '--predictions',
      path,
      '--label',
      'y',
      '--prediction',
      'cand',
      '--baseline-prediction',
      'base',
      '--task',
      'binary',
      '--resamples',
      '50',
      '--slices',
      'seg',
      '--json',
    ]);
    expect(r.code, r.log).toBe(0);
    const j = JSON.parse(r.out);
    const ref = sklearn(path, 'binary');
    expectClose(j.metrics, ref.cand);
    expectClose(j.baseline.metrics, ref.base);
    for (const m of ['roc_auc', 'average_precision', 'log_loss', 'brier_score_loss']) {
      expect(j.metrics[m]).toBeNull();
      expect(j.undefined[m]).toMatch(/hard predictions/);
    }
    expect(j.comparison.roc_auc).toBeUndefined();
    expect(j.comparison.accuracy).toMatchObject({ method: 'bootstrap', resamples: 50 });
    expect(j.primary_metric).toEqual({ name: 'accuracy', direction: 'maximize' });
    expect(j.slices.map((s: { value: string }) => s.value)).toEqual(['even', 'odd']);
  });

  it('evaluate --prediction multiclass matches sklearn macro, micro and weighted averages (a class never predicted)', async () => {
    const path = write('multi.csv', 4, 600);
    const r = await cli([
      '--predictions',
      path,
      '--label',
      'y',
      '--prediction',
      'cand',
      '--baseline-prediction',
      'base',
      '--task',
      'multiclass',
      '--resamples',
      '0',
      '--json',
    ]);
    expect(r.code, r.log).toBe(0);
    const j = JSON.parse(r.out);
    const ref = sklearn(path, 'multiclass');
    expectClose(j.metrics, ref.cand);
    expectClose(j.baseline.metrics, ref.base);
    expect(j.metrics.roc_auc_ovr).toBeNull();
    expect(j.metrics.log_loss).toBeNull();
  });

  it('evaluate --prediction exits 2 naming the row of a prediction outside the classes', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'y,cand\n0,1\n1,2\n');
    const r = await cli(['--predictions', bad, '--label', 'y', '--prediction', 'cand', '--task', 'binary']);
    expect(r.code).toBe(2);
    expect(r.log).toMatch(/prediction column 'cand' row 2: 2 is not valid; expected 0 or 1/);
    const mixed = await cli([
      '--predictions',
      bad,
      '--label',
      'y',
      '--prediction',
      'cand',
      '--baseline-score',
      'y',
    ]);
    expect(mixed.code).toBe(2);
    expect(mixed.log).toMatch(/--baseline-score goes with --score/);
  });
});
