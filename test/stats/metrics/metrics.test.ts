import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  binaryMetrics,
  delongTest,
  erfc,
  type MetricSet,
  multiclassMetrics,
  npSum,
  pairedBootstrap,
  regressionMetrics,
  xoshiro128,
} from '../../../stats/metrics/index.ts';

const here = new URL('.', import.meta.url).pathname;
const SCRIPT = `${here}fixtures/make-reference.py`;

interface Case {
  name: string;
  task: 'binary' | 'multiclass' | 'regression';
  y: number[];
  score: number[] | number[][];
  score2: number[] | number[][];
  bootstrap?: { resamples: number; seed: number };
  expected?: Reference;
}
interface Reference {
  candidate: Record<string, number | null>;
  baseline: Record<string, number | null>;
  delong?: { difference: number; z: number | null; p_value: number | null } | null;
  bootstrap?: Record<
    string,
    { ci_low: number | null; ci_high: number | null; resamples: number; skipped: number }
  >;
}

function close(actual: number | null | undefined, expected: number | null | undefined, what: string) {
  if (expected === null || expected === undefined) {
    expect(actual ?? null, what).toBeNull();
    return;
  }
  expect(actual, what).not.toBeNull();
  const tol = Math.max(1e-12 * Math.abs(expected), 1e-15);
  expect(Math.abs((actual as number) - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
    tol,
  );
}

function metricsOf(c: Case, scores: number[] | number[][], idx?: ArrayLike<number>): MetricSet {
  if (c.task === 'binary') return binaryMetrics({ y: c.y, score: scores as number[], idx });
  if (c.task === 'multiclass') {
    const k = (scores as number[][])[0].length;
    return multiclassMetrics({ y: c.y, proba: scores as number[][], k, idx });
  }
  return regressionMetrics({ y: c.y, pred: scores as number[], idx });
}

function check(c: Case, ref: Reference) {
  const cand = metricsOf(c, c.score);
  const base = metricsOf(c, c.score2);
  for (const [m, v] of Object.entries(ref.candidate)) close(cand.values[m], v, `${c.name} candidate ${m}`);
  for (const [m, v] of Object.entries(ref.baseline)) close(base.values[m], v, `${c.name} baseline ${m}`);
  for (const m of Object.keys(cand.undefined)) expect(cand.values[m]).toBeNull();
  if (c.task === 'binary') {
    const d = delongTest({
      y: c.y,
      candidate: c.score as number[],
      baseline: c.score2 as number[],
      aucs: { candidate: cand.values.roc_auc, baseline: base.values.roc_auc },
    });
    if (ref.delong) {
      close(d.difference, ref.delong.difference, `${c.name} delong difference`);
      close(d.z, ref.delong.z, `${c.name} delong z`);
      close(d.p_value, ref.delong.p_value, `${c.name} delong p`);
    } else {
      expect(d.p_value, c.name).toBeNull();
      expect(d.reason, c.name).toBeTruthy();
    }
  }
  if (c.bootstrap && ref.bootstrap) {
    const metrics = Object.keys(ref.bootstrap);
    const res = pairedBootstrap({
      n: c.y.length,
      metrics,
      full: { candidate: cand, baseline: base },
      resamples: c.bootstrap.resamples,
      seed: c.bootstrap.seed,
      compute: (idx) => ({ candidate: metricsOf(c, c.score, idx), baseline: metricsOf(c, c.score2, idx) }),
    });
    for (const m of metrics) {
      const e = ref.bootstrap[m];
      expect(res[m].resamples, `${c.name} bootstrap ${m} resamples`).toBe(e.resamples);
      expect(res[m].skipped, `${c.name} bootstrap ${m} skipped`).toBe(e.skipped);
      close(res[m].ci_low, e.ci_low, `${c.name} bootstrap ${m} ci_low`);
      close(res[m].ci_high, e.ci_high, `${c.name} bootstrap ${m} ci_high`);
    }
  }
}

const fixture = JSON.parse(readFileSync(`${here}fixtures/reference.json`, 'utf8')) as { cases: Case[] };

describe('stats/metrics against sklearn (fixtures from make-reference.py)', () => {
  for (const c of fixture.cases) {
    it(`${c.task}Metrics matches sklearn: ${c.name}`, () => check(c, c.expected!));
  }
});

/** Larger seeded cases generated here and scored live by sklearn through /usr/bin/python3. */
function liveCases(): Case[] {
  const rng = xoshiro128(99);
  const u = () => rng.next() / 4294967296;
  const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
  const cases: Case[] = [];
  for (const [n, d] of [
    [3000, 2],
    [5000, 6],
  ]) {
    const y = Array.from({ length: n }, () => (u() < 0.3 ? 1 : 0));
    const s = y.map((t) => round(Math.min(1, 0.35 * t + u() * 0.8), d));
    const s2 = s.map((v) => round(Math.min(1, Math.max(0, v + (u() - 0.5) * 0.3)), d));
    cases.push({ name: `live binary n=${n}`, task: 'binary', y, score: s, score2: s2 });
  }
  const k = 5;
  const n = 2000;
  const y = Array.from({ length: n }, () => Math.floor(u() * k));
  const probs = (boost: number) =>
    y.map((t) => {
      const w = Array.from({ length: k }, (_, c) => u() + (c === t ? boost : 0));
      const s = w.reduce((a, b) => a + b, 0);
      return w.map((x) => x / s);
    });
  cases.push({ name: 'live multiclass', task: 'multiclass', y, score: probs(0.8), score2: probs(0.3) });
  const yr = Array.from({ length: 4000 }, () => u() * 100 - 20);
  cases.push({
    name: 'live regression',
    task: 'regression',
    y: yr,
    score: yr.map((v) => v + (u() - 0.5) * 10),
    score2: yr.map((v) => v * 0.9 + u() * 5),
  });
  return cases;
}

describe('stats/metrics against sklearn (live, larger cases)', () => {
  it('binaryMetrics, multiclassMetrics, regressionMetrics and delongTest match sklearn on thousands of rows', () => {
    const cases = liveCases();
    const out = execFileSync('/usr/bin/python3', [SCRIPT, '--stdin'], {
      input: JSON.stringify({ cases }),
      maxBuffer: 1 << 28,
    });
    const refs = JSON.parse(out.toString()) as Reference[];
    for (const [i, c] of cases.entries()) check(c, refs[i]);
  });
});

describe('stats/metrics building blocks', () => {
  it('npSum adds in numpy order (bit-identical to np.sum)', () => {
    const rng = xoshiro128(5);
    const arrays = [3, 8, 127, 129, 1000, 8193, 20000].map((n) =>
      Array.from({ length: n }, () => (rng.next() / 4294967296 - 0.5) * 10 ** (rng.next() % 9)),
    );
    const py =
      'import json,sys,numpy as np; print(json.dumps([float(np.sum(np.array(a))) for a in json.load(sys.stdin)]))';
    const ref = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', py], { input: JSON.stringify(arrays) }).toString(),
    );
    expect(arrays.map((a) => npSum(a))).toEqual(ref);
  });

  it('erfc matches scipy.special.erfc into the far tail', () => {
    const xs = [0, 0.1, 0.5, 0.99, 1, 1.5, 3, 5, 7.9, 8, 12, 26, 27, -0.5, -2];
    const py =
      'import json,sys; from scipy.special import erfc; print(json.dumps([float(erfc(x)) for x in json.load(sys.stdin)]))';
    const ref = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', py], { input: JSON.stringify(xs) }).toString(),
    );
    for (const [i, x] of xs.entries()) close(erfc(x), ref[i], `erfc(${x})`);
  });

  it('delongTest gives p = 1 for identical models and null with a reason for zero variance with different AUCs', () => {
    const y = [0, 0, 1, 1];
    const s = [0.1, 0.2, 0.8, 0.9];
    const same = delongTest({ y, candidate: s, baseline: s, aucs: { candidate: 1, baseline: 1 } });
    expect(same).toMatchObject({ z: 0, p_value: 1, difference: 0 });
    const flipped = delongTest({
      y,
      candidate: s,
      baseline: [0.9, 0.8, 0.2, 0.1],
      aucs: { candidate: 1, baseline: 0 },
    });
    expect(flipped.p_value).toBeNull();
    expect(flipped.reason).toMatch(/variance/);
  });

  it('binaryMetrics reports undefined metrics with reasons instead of throwing', () => {
    const r = binaryMetrics({ y: [0, 0, 0], score: [0.2, 0.6, 0.4] });
    expect(r.values.roc_auc).toBeNull();
    expect(r.undefined.roc_auc).toMatch(/only class 0/);
    expect(r.undefined.average_precision).toMatch(/no positive/);
    expect(r.values.accuracy).toBeCloseTo(2 / 3, 15);
  });
});
