import { describe, expect, it } from 'vitest';
import {
  binCounts,
  binCountsSorted,
  binIndex,
  decileBins,
  decileEdges,
  decileEdgesUnsorted,
  selectSorted,
} from '../../../stats/drift/quantile.ts';
import { RADIX_MIN, sortFloat64 } from '../../../stats/drift/sort.ts';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const sameAsBuiltIn = (values: Float64Array) => {
  const got = sortFloat64(values);
  const want = values.slice().sort();
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) expect([i, got[i]]).toEqual([i, want[i]]);
};

describe('sortFloat64', () => {
  it('sortFloat64 orders large arrays as the built-in sort does: signs, ties, extremes, subnormals, infinities', () => {
    const r = rng(3);
    const n = RADIX_MIN * 3 + 17;
    const special = [0, -0, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, Infinity, -Infinity, 1, -1];
    const values = Float64Array.from({ length: n }, (_, i) =>
      i % 97 === 0
        ? special[i % special.length]
        : i % 5 === 0
          ? Math.round(r() * 20 - 10)
          : (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20),
    );
    sameAsBuiltIn(values);
  });

  it('sortFloat64 leaves its input unchanged and handles constant and already sorted arrays', () => {
    const constant = new Float64Array(RADIX_MIN * 2).fill(3.25);
    const copy = constant.slice();
    sameAsBuiltIn(constant);
    expect(constant).toEqual(copy);
    sameAsBuiltIn(Float64Array.from({ length: RADIX_MIN + 1 }, (_, i) => i - 100));
    sameAsBuiltIn(Float64Array.from({ length: RADIX_MIN + 1 }, (_, i) => -i * 0.5));
    sameAsBuiltIn(Float64Array.from([3, 1, 2]));
  });
});

describe('sortFloat64 by buckets', () => {
  it('sortFloat64 orders spread values with clusters, signed zeros and a crowded narrow range as the built-in sort', () => {
    const r = rng(17);
    const n = 400_000;
    // Drawn at random, not by index: the sort decides on every 8th value.
    const values = Float64Array.from({ length: n }, (_, i) => {
      const u = r();
      if (u < 0.025) return 0.5; // one crowded bucket of 10 000 (sorted by the built-in sort)
      if (u < 0.115) return 600 + 1e-9 * r(); // 36 000 values alone in the top bucket (sorted by buckets again)
      if (u < 0.12) return i % 2 ? -0 : 0;
      return (r() - 0.5) * 1000;
    });
    sameAsBuiltIn(values);
    sameAsBuiltIn(values.subarray(3, n - 5));
    // Many values in a few buckets: the radix sort takes over.
    sameAsBuiltIn(Float64Array.from({ length: n }, () => Math.floor(r() * 50) + (r() < 0.001 ? 1e6 : 0)));
  });
});

describe('selection without sorting', () => {
  it('selectSorted and decileEdgesUnsorted give what the sorted array gives, with ties and small sizes', () => {
    const r = rng(11);
    for (const [n, distinct] of [
      [5, 5],
      [33, 40],
      [1000, 3],
      [5000, 25],
      [70_001, 1e9],
      [50_000, 0.5],
    ]) {
      const values = Float64Array.from({ length: n }, () => Math.floor(r() * distinct) - distinct / 2);
      if (n > 1000) values[7] = 1e300; // one outlier: nearly every value falls in the first histogram bucket
      const sorted = values.slice().sort();
      const ks = [0, n - 1, Math.floor(n / 3), Math.floor(n / 2), n - 2];
      const got = selectSorted(values, ks);
      for (const k of ks) if (k >= 0) expect(got.get(k), `n=${n} k=${k}`).toBe(sorted[k]);
      expect(decileEdgesUnsorted(values)).toEqual(decileEdges(sorted));
      const edges = decileEdges(sorted);
      expect(binCounts(values, edges)).toEqual(binCountsSorted(sorted, edges));
      expect(decileBins(values), `n=${n}`).toEqual({ edges, counts: binCountsSorted(sorted, edges) });
    }
  });

  it('decileBins counts the reference bins exactly: edges on tied values, on bucket bounds, constant columns', () => {
    const r = rng(5);
    const cases: Float64Array[] = [
      new Float64Array([7]),
      new Float64Array(1000).fill(-2.5),
      // Deciles that land on runs of one value (count(< edge) needs the run's start).
      Float64Array.from({ length: 100_003 }, (_, i) => (i % 10 < 3 ? 1 : Math.floor(r() * 1000))),
      Float64Array.from({ length: 40_000 }, () => (r() < 0.5 ? 0 : r() * 1e-300)),
      Float64Array.from({ length: 65_537 }, (_, i) => i),
      Float64Array.from(
        { length: 200_000 },
        () => Math.sqrt(-2 * Math.log(r() || 0.5)) * Math.cos(6.28 * r()),
      ),
      Float64Array.from({ length: 99_999 }, (_, i) => (i % 2 ? -1e308 : 1e308) * r()),
    ];
    for (const values of cases) {
      const sorted = values.slice().sort();
      const edges = decileEdges(sorted);
      expect(decileBins(values), `n=${values.length}`).toEqual({
        edges,
        counts: binCountsSorted(sorted, edges),
      });
    }
  });

  it('binCounts counts every value into the bin binIndex gives, values on edges included', () => {
    const r = rng(21);
    for (const edges of [
      [0.5],
      [-1e300, 0, 1e-300, 3],
      [1, 2, 2.5, 2.5000000000000004, 3, 7, 7.000000000000001, 8, 9],
      Array.from({ length: 9 }, (_, k) => k * k * 1e6),
    ]) {
      const values = Float64Array.from({ length: 20_000 }, (_, i) =>
        i % 3 === 0 ? edges[i % edges.length] : (r() - 0.3) * 1.5 * (edges.at(-1) as number) + (i % 7),
      );
      const want = new Array(edges.length + 1).fill(0);
      for (const v of values) want[binIndex(edges, v)]++;
      expect(binCounts(values, edges), JSON.stringify(edges)).toEqual(want);
    }
  });
});
