/**
 * numpy's summation order, so that sums, means and the metrics built on them agree with numpy and sklearn
 * to the last bit on contiguous float64 data (pairwise summation in blocks of 128, 8-way unrolled).
 */

/** Sum of `a[start .. start+n)` exactly as numpy's `pairwise_sum` adds it. */
function pairwise(a: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let res = -0;
    for (let i = 0; i < n; i++) res += a[start + i];
    return res;
  }
  if (n <= 128) {
    let r0 = a[start];
    let r1 = a[start + 1];
    let r2 = a[start + 2];
    let r3 = a[start + 3];
    let r4 = a[start + 4];
    let r5 = a[start + 5];
    let r6 = a[start + 6];
    let r7 = a[start + 7];
    const end = n - (n % 8);
    let i = 8;
    for (; i < end; i += 8) {
      const p = start + i;
      r0 += a[p];
      r1 += a[p + 1];
      r2 += a[p + 2];
      r3 += a[p + 3];
      r4 += a[p + 4];
      r5 += a[p + 5];
      r6 += a[p + 6];
      r7 += a[p + 7];
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwise(a, start, n2) + pairwise(a, start + n2, n - n2);
}

/** `np.sum(a[start:end])` for a 1-D float64 array (the whole array by default). */
export function npSum(a: ArrayLike<number>, start = 0, end = a.length): number {
  // numpy's reduction iterates in buffers of 8192 elements and adds each buffer's pairwise sum in turn.
  let res = 0;
  for (let s = start; s < end; s += 8192) res += pairwise(a, s, Math.min(8192, end - s));
  return res;
}

/** `np.mean(a)`: the numpy sum divided by the count (NaN for an empty array). */
export function npMean(a: ArrayLike<number>): number {
  return npSum(a) / a.length;
}
