/**
 * Sorting float64 samples, the cost every drift statistic is bound by. Large arrays that spread over a finite
 * range use a distribution (bucket) sort, about 1.6x faster than the radix sort on a million normal values; the
 * others an LSD radix sort on the IEEE 754 bit patterns (four 16-bit passes, flipped so that unsigned order is
 * numeric order), about 5-8x faster than `Float64Array.prototype.sort`. Small arrays use the built-in sort.
 */

/** Below this length the built-in sort is used. */
export const RADIX_MIN = 32_768;

/** A sorted copy of `values` (ascending; no NaN expected: they sort last but in no particular order among themselves). */
export function sortFloat64(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < RADIX_MIN) return values.slice().sort();
  return bucketSort(values) ?? radixSort(values);
}

/** Segments longer than this are sorted by `sortFloat64`, shorter ones by insertion. */
const INSERTION_MAX = 48;

/**
 * Distribution sort for finite values of a bounded range: an equal-width histogram of about 4 values a bucket
 * (the bucket index is monotone in the value, so the buckets come out in order), one scatter, then each bucket
 * sorted in place (insertion sort; a crowded bucket by `sortFloat64`). Two passes and a short sort instead of
 * the radix sort's five passes when the values spread over the range; undefined (use the radix sort) when the
 * range is not finite or more than an eighth of the values share crowded buckets.
 */
function bucketSort(values: Float64Array): Float64Array | undefined {
  const n = values.length;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  if (!Number.isFinite(max - min) || !(max > min)) return undefined;
  let buckets = 1024;
  while (buckets < n / 4 && buckets < 1 << 20) buckets *= 2;
  const top = buckets - 1;
  const scale = buckets / (max - min);
  const start = new Int32Array(buckets + 1);
  // Every 8th value first: crowded data goes to the radix sort before a full pass is spent on it.
  for (let i = 0; i < n; i += 8) start[Math.min(top, Math.floor((values[i] - min) * scale)) + 1]++;
  let sampled = 0;
  for (let b = 1; b <= buckets; b++) if (start[b] * 8 > INSERTION_MAX) sampled += start[b] * 8;
  if (sampled > n / 8) return undefined;
  start.fill(0);
  for (let i = 0; i < n; i++) start[Math.min(top, Math.floor((values[i] - min) * scale)) + 1]++;
  // Values crowded into a few buckets (heavy tails, few distinct values): the radix sort does better.
  let crowded = 0;
  for (let b = 1; b <= buckets; b++) if (start[b] > INSERTION_MAX) crowded += start[b];
  if (crowded > n / 8) return undefined;
  for (let b = 0; b < buckets; b++) start[b + 1] += start[b];
  const next = start.slice(0, buckets);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    out[next[Math.min(top, Math.floor((v - min) * scale))]++] = v;
  }
  for (let b = 0; b < buckets; b++) {
    const s = start[b];
    const e = start[b + 1];
    if (e - s > INSERTION_MAX) out.set(sortFloat64(out.subarray(s, e)), s);
    else {
      for (let i = s + 1; i < e; i++) {
        const v = out[i];
        let j = i - 1;
        while (j >= s && out[j] > v) {
          out[j + 1] = out[j];
          j--;
        }
        out[j + 1] = v;
      }
    }
  }
  return out;
}

/** LSD radix sort of the IEEE 754 bit patterns (any values, infinities included). */
function radixSort(values: Float64Array): Float64Array {
  const n = values.length;
  const a = new Float64Array(n);
  a.set(values);
  let src = new Uint32Array(a.buffer);
  let dst = new Uint32Array(2 * n);
  // Map each double to an unsigned key: negative numbers flip every bit, the others only the sign bit.
  const counts = new Uint32Array(4 * 65536);
  for (let i = 0; i < n; i++) {
    let lo = src[2 * i];
    let hi = src[2 * i + 1];
    if (hi & 0x80000000) {
      hi = ~hi >>> 0;
      lo = ~lo >>> 0;
    } else hi = (hi | 0x80000000) >>> 0;
    src[2 * i] = lo;
    src[2 * i + 1] = hi;
    counts[lo & 0xffff]++;
    counts[65536 + (lo >>> 16)]++;
    counts[131072 + (hi & 0xffff)]++;
    counts[196608 + (hi >>> 16)]++;
  }
  for (let pass = 0; pass < 4; pass++) {
    const base = pass * 65536;
    // A digit shared by every key leaves the order as it is: skip the pass.
    let skip = false;
    for (let d = 0; d < 65536; d++) {
      const c = counts[base + d];
      if (c === n) skip = true;
      if (c !== 0) break;
    }
    if (skip) continue;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = counts[base + d];
      counts[base + d] = sum;
      sum += c;
    }
    const word = pass >> 1;
    const shift = (pass & 1) * 16;
    for (let i = 0; i < n; i++) {
      const digit = (src[2 * i + word] >>> shift) & 0xffff;
      const j = counts[base + digit]++;
      dst[2 * j] = src[2 * i];
      dst[2 * j + 1] = src[2 * i + 1];
    }
    const t = src;
    src = dst;
    dst = t;
  }
  for (let i = 0; i < n; i++) {
    const hi = src[2 * i + 1];
    if (hi & 0x80000000) src[2 * i + 1] = (hi & 0x7fffffff) >>> 0;
    else {
      src[2 * i] = ~src[2 * i] >>> 0;
      src[2 * i + 1] = ~hi >>> 0;
    }
  }
  return new Float64Array(src.buffer, 0, n);
}
