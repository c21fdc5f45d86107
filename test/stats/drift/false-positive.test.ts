import { describe, expect, it } from 'vitest';
import { prepareColumn } from '../../../stats/drift/column.ts';
import { type DriftMethod, datasetVerdict, testColumn } from '../../../stats/drift/test-column.ts';
import type { Cell } from '../../../tables/types.ts';
import { mulberry32 } from '../../../core/random.ts';

const rng = mulberry32;

const normal = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

type Sampler = (r: () => number, n: number, shifted: boolean) => Cell[];

const samplers: Record<'ks' | 'chisquare' | 'ztest', Sampler> = {
  ks: (r, n, s) => Array.from({ length: n }, () => normal(r) + (s ? 0.4 : 0)),
  chisquare: (r, n, s) =>
    Array.from({ length: n }, () => {
      const u = r();
      const p = s ? [0.1, 0.35, 0.3, 0.25] : [0.25, 0.25, 0.25, 0.25];
      let acc = 0;
      for (let k = 0; k < p.length; k++) {
        acc += p[k];
        if (u < acc) return ['a', 'b', 'c', 'd'][k];
      }
      return 'd';
    }),
  ztest: (r, n, s) => Array.from({ length: n }, () => (r() < (s ? 0.45 : 0.3) ? 1 : 0)),
};

/** Share of `trials` seeded pairs (reference n=300, current n=250) that the method calls drifted. */
function rejectionRate(method: DriftMethod, trials: number, shifted: boolean, seed: number): number {
  const r = rng(seed);
  const sample = samplers[method as keyof typeof samplers];
  let drifted = 0;
  for (let t = 0; t < trials; t++) {
    const categorical = method === 'chisquare';
    const ref = prepareColumn(sample(r, 300, false), { categorical });
    const cur = prepareColumn(sample(r, 250, shifted), { categorical });
    const res = testColumn('x', ref, cur, { method });
    expect(res.error).toBeUndefined();
    if (res.drifted) drifted++;
  }
  return drifted / trials;
}

const TRIALS = 400;
// Under no shift the count of rejections is Binomial(400, 0.05): mean 20, sd 4.4. The bounds are about 3 sd.
const LOW = 7 / TRIALS;
const HIGH = 34 / TRIALS;

describe('drift tests on unshifted data keep the false-positive rate near alpha', () => {
  for (const method of ['ks', 'chisquare', 'ztest'] as const) {
    it(`testColumn ${method} rejects about 5% of seeded unshifted pairs`, () => {
      const rate = rejectionRate(method, TRIALS, false, 1234);
      expect(rate).toBeGreaterThanOrEqual(LOW);
      expect(rate).toBeLessThanOrEqual(HIGH);
    });

    it(`testColumn ${method} detects a synthetic shift in nearly every seeded pair`, () => {
      expect(rejectionRate(method, 100, true, 99)).toBeGreaterThanOrEqual(0.9);
    });
  }

  it('datasetVerdict gives dataset drift on unshifted data in under 1% of seeded trials of 10 columns', () => {
    const r = rng(7);
    let datasetDrift = 0;
    for (let t = 0; t < 200; t++) {
      const results = Array.from({ length: 10 }, (_, k) =>
        testColumn(
          `c${k}`,
          prepareColumn(samplers.ks(r, 300, false)),
          prepareColumn(samplers.ks(r, 250, false)),
          { method: 'ks' },
        ),
      );
      if (datasetVerdict(results).dataset_drift) datasetDrift++;
    }
    expect(datasetDrift / 200).toBeLessThan(0.01);
  });
});
