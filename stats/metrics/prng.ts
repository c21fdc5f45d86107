/**
 * A small seeded PRNG (xoshiro128**, seeded by splitmix32) whose sequence is easy to reproduce in Python,
 * so bootstrap results can be checked against sklearn on exactly the same resamples.
 */

/** A source of uniform 32-bit integers. */
export interface Prng {
  /** Next unsigned 32-bit integer. */
  next(): number;
  /** Uniform index in [0, n): floor(next() / 2^32 * n). */
  index(n: number): number;
}

/** xoshiro128** seeded from a 32-bit integer seed. */
export function xoshiro128(seed: number): Prng {
  let sm = seed >>> 0;
  const splitmix = () => {
    sm = (sm + 0x9e3779b9) >>> 0;
    let z = sm;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
  let s0 = splitmix();
  let s1 = splitmix();
  let s2 = splitmix();
  let s3 = splitmix();
  const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));
  const next = () => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
  return { next, index: (n) => Math.floor((next() / 4294967296) * n) };
}
