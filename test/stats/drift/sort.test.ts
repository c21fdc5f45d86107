import { describe, expect, it } from 'vitest';
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
