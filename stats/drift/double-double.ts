/**
 * Just enough double-double arithmetic (a value as hi + lo, about 106 bits) for the one-sided Smirnov sum,
 * whose terms raise numbers near 1 to powers near n and would lose n ulps in plain doubles.
 */

/** A double-double: the unevaluated sum hi + lo with |lo| <= ulp(hi)/2. */
export interface DD {
  hi: number;
  lo: number;
}

const SPLITTER = 134217729; // 2^27 + 1

/** Error-free sum of two doubles. */
export function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return { hi: s, lo: a - (s - bb) + (b - bb) };
}

/** Error-free product of two doubles (Dekker). */
export function twoProd(a: number, b: number): DD {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return { hi: p, lo: ah * bh - p + ah * bl + al * bh + al * bl };
}

function norm(hi: number, lo: number): DD {
  const s = hi + lo;
  return { hi: s, lo: lo - (s - hi) };
}

/** a + b. */
export function ddAdd(a: DD, b: DD): DD {
  const s = twoSum(a.hi, b.hi);
  const t = twoSum(a.lo, b.lo);
  let r = norm(s.hi, s.lo + t.hi);
  r = norm(r.hi, r.lo + t.lo);
  return r;
}

/** a * b. */
export function ddMul(a: DD, b: DD): DD {
  const p = twoProd(a.hi, b.hi);
  return norm(p.hi, p.lo + (a.hi * b.lo + a.lo * b.hi));
}

/** a / b. */
export function ddDiv(a: DD, b: DD): DD {
  const q1 = a.hi / b.hi;
  let r = ddAdd(a, ddNeg(ddMul(b, dd(q1))));
  const q2 = r.hi / b.hi;
  r = ddAdd(r, ddNeg(ddMul(b, dd(q2))));
  const q3 = r.hi / b.hi;
  return ddAdd(norm(q1, q2), dd(q3));
}

/** -a. */
export function ddNeg(a: DD): DD {
  return { hi: -a.hi, lo: -a.lo };
}

/** A double as a double-double. */
export function dd(x: number): DD {
  return { hi: x, lo: 0 };
}

/** Split into mantissa in [0.5, 1) (by magnitude) and a power of two: a = m * 2^e. */
export function ddFrexp(a: DD): { m: DD; e: number } {
  if (a.hi === 0 || !Number.isFinite(a.hi)) return { m: a, e: 0 };
  let e = Math.floor(Math.log2(Math.abs(a.hi))) + 1;
  let m = ddLdexp(a, -e);
  if (Math.abs(m.hi) >= 1) {
    e += 1;
    m = ddLdexp(a, -e);
  } else if (Math.abs(m.hi) < 0.5) {
    e -= 1;
    m = ddLdexp(a, -e);
  }
  return { m, e };
}

/** a * 2^e, exact while no part under- or overflows (done in steps to stay in range). */
export function ddLdexp(a: DD, e: number): DD {
  let hi = a.hi;
  let lo = a.lo;
  let k = e;
  while (k !== 0) {
    const step = Math.max(-1000, Math.min(1000, k));
    const f = 2 ** step;
    hi *= f;
    lo *= f;
    k -= step;
  }
  return { hi, lo };
}
