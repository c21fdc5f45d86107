import { describe, expect, it } from 'vitest';
import { ksStatistic } from '../../../stats/drift/ks.ts';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** D by definition: max over every value of |F1(v) - F2(v)| with right-continuous ECDFs (counts by scanning). */
function bruteD(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (const v of [...a, ...b]) {
    const f1 = a.filter((x) => x <= v).length / a.length;
    const f2 = b.filter((x) => x <= v).length / b.length;
    d = Math.max(d, Math.abs(f1 - f2));
  }
  return d;
}

describe('ksStatistic', () => {
  it('ksStatistic equals the definition with ties within and across samples, signed zeros and unequal sizes', () => {
    const r = rng(9);
    for (const [n1, n2, distinct] of [
      [1, 1, 3],
      [7, 300, 4],
      [250, 40, 1e9],
      [300, 301, 12],
      [100, 100, 2],
    ]) {
      const draw = (n: number) =>
        Float64Array.from({ length: n }, (_, i) => {
          const v = Math.floor(r() * distinct) - Math.floor(distinct / 2);
          return v === 0 && i % 2 ? -0 : v;
        }).sort();
      const a = draw(n1);
      const b = draw(n2);
      expect(ksStatistic(a, b), `${n1} ${n2} ${distinct}`).toBe(bruteD(a, b));
      expect(ksStatistic(b, a), `${n2} ${n1} ${distinct}`).toBe(bruteD(b, a));
    }
  });
});
