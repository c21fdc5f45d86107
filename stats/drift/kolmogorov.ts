/**
 * Survival functions of the Kolmogorov-Smirnov statistics, computed with the same algorithms and switch-over
 * points as scipy 1.10 (`scipy.stats.kstwo.sf`, which is `_ksstats.kolmogn`, and `scipy.special.smirnov`),
 * so that asymptotic `ks_2samp` p-values agree with scipy to about 1e-12 relative.
 */
import { type DD, dd, ddAdd, ddDiv, ddFrexp, ddLdexp, ddMul, twoProd, twoSum } from './double-double.ts';

const MINLOG = -708.3964185322641;
const E128 = 2 ** 128;
const EM128 = 2 ** -128;

/** (a + alo)^m for a double-double base, with a first-order correction for the low part (m > 0). */
function powD(a: DD, m: number): DD {
  if (m === 0) return dd(1);
  if (a.hi === 0) return dd(0);
  const ans = a.hi ** m;
  const r = a.lo / a.hi;
  let adj = m * r;
  if (Math.abs(adj) > 1e-8) {
    adj = Math.abs(adj) < 1e-4 ? adj + m * r * (((m - 1) / 2) * r) : Math.expm1(m * Math.log1p(r));
  }
  return twoSum(ans, ans * adj);
}

/** a^m as mantissa * 2^e, splitting the power so nothing underflows (m >= 0). */
function powScaled(a: DD, m: number): { m: DD; e: number } {
  if (m === 0) return { m: dd(1), e: 0 };
  const { m: y, e: yE } = ddFrexp(a);
  if (m === 1) return { m: y, e: yE };
  let maxExpt = 960;
  if ((m * (y.hi - 1)) / y.hi < -960 * Math.LN2) {
    const lg2y = Math.log(Math.abs(y.hi)) / Math.LN2;
    if (m * lg2y <= -960) maxExpt = Math.max(1, Math.floor((-960 / lg2y + 1) / 2));
  }
  if (m <= maxExpt) {
    const r = ddFrexp(powD(y, m));
    return { m: r.m, e: r.e + m * yE };
  }
  const q = Math.floor(m / maxExpt);
  const rem = m % maxExpt;
  const y2r = powScaled(y, rem);
  const y2m = powScaled(y, maxExpt);
  const y2mq = powScaled(y2m.m, q);
  const r = ddFrexp(ddMul(y2r.m, y2mq.m));
  return { m: r.m, e: r.e + y2mq.e + y2m.e * q + y2r.e + m * yE };
}

/** scipy.special.smirnov(n, x): P(D+_n >= x), the one-sided one-sample statistic (Birnbaum-Tingey sum). */
export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) return Number.NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  const nxD = twoProd(n, x);
  let fl = Math.floor(nxD.hi);
  let flLo = 0;
  if (fl === nxD.hi) flLo = Math.floor(nxD.lo);
  let alpha = ddAdd(nxD, { hi: -fl, lo: -flLo }).hi;
  fl += flLo;
  if (alpha === 1) {
    fl += 1;
    alpha = 0;
  }
  if (fl === 0 || (fl === 1 && alpha === 0)) {
    const t = powD(twoSum(1, x), n - 1);
    return clip(1 - x * (t.hi + t.lo));
  }
  if (-2 * n * x * x < MINLOG) return 0;
  if (fl >= n - 1) {
    const t = powD(twoSum(1, -x), n);
    return clip(t.hi + t.lo);
  }
  if (n > 1_000_000) {
    const logp = -((6 * n * x + 1) ** 2) / 18 / n;
    return clip(logp < -Math.LN2 ? Math.exp(logp) : 1 + Math.expm1(logp));
  }
  let n1mxfl = n - fl - (alpha === 0 ? 0 : 1);
  if (alpha === 0) n1mxfl -= 1;
  const nTerms = n1mxfl + 1;
  const vmid = Math.floor(n / 2);
  let sum = ddDiv(powD(twoSum(1, -x), n), dd(x));
  let cm = dd(1);
  let ce = 0;
  const updateBinomial = (j: number) => {
    const f = ddFrexp(ddMul(cm, ddDiv(dd(n - j), dd(j + 1))));
    cm = f.m;
    ce += f.e;
  };
  updateBinomial(0);
  for (let j = 1; j < nTerms; j++) {
    const v = j;
    const t2x = ddAdd(ddDiv(dd(n - v), dd(n)), dd(-x));
    const t2 = powScaled(t2x, n - v);
    const t1x = ddAdd(ddDiv(dd(v), dd(n)), dd(x));
    const t1 = powScaled(t1x, v - 1);
    const term = ddLdexp(ddMul(ddMul(t1.m, t2.m), cm), ce + t1.e + t2.e);
    const a = term.hi + term.lo;
    if (Number.isFinite(a) && a !== 0) sum = ddAdd(sum, term);
    if (a !== 0) {
      if (4 * (nTerms - j) * Math.abs(a) < Number.EPSILON * (sum.hi + sum.lo) && j !== nTerms - 1) break;
    } else if (j > vmid) break;
    updateBinomial(j);
  }
  const prob = ddMul(dd(x), sum);
  return clip(prob.hi + prob.lo);
}

function clip(p: number): number {
  return p < 0 ? 0 : Math.min(p, 1);
}

const STIRLING = [
  -0.029550653594771242, 0.00641025641025641, -0.0019175269175269176, 0.0008417508417508417,
  -0.0005952380952380953, 0.0007936507936507937, -0.002777777777777778, 0.08333333333333333,
];

function logNFactorialDivNPowN(n: number): number {
  const rn = 1 / n;
  let poly = 0;
  for (const c of STIRLING) poly = poly * (rn / n) + c;
  return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + rn * poly;
}

/** Pr(D_n <= d) by the Durbin matrix (Marsaglia-Tsang-Wang), as scipy's `_kolmogn_DMTW`. */
export function kolmognDMTW(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  let H: Float64Array = new Float64Array(m * m);
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    v[j - 1] = 1 - h ** j;
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] *= fac;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * fac;
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - (i - 1)];
  for (let r = 0; r < m; r++) H[r * m] = v[r];
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c];
  let P: Float64Array = new Float64Array(m * m);
  for (let i = 0; i < m; i++) P[i * m + i] = 1;
  let nn = n;
  let expnt = 0;
  let hExp = 0;
  while (nn > 0) {
    if (nn % 2) {
      P = matmul(P, H, m);
      expnt += hExp;
    }
    H = matmul(H, H, m);
    hExp *= 2;
    if (Math.abs(H[(k - 1) * m + (k - 1)]) > E128) {
      for (let i = 0; i < H.length; i++) H[i] /= E128;
      hExp += 128;
    }
    nn = Math.floor(nn / 2);
  }
  let p = P[(k - 1) * m + (k - 1)];
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= E128;
      expnt -= 128;
    }
  }
  if (expnt !== 0) p = ddLdexp(dd(p), expnt).hi;
  return clip(p);
}

function matmul(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k];
      if (aik === 0) continue;
      for (let j = 0; j < m; j++) out[i * m + j] += aik * b[k * m + j];
    }
  }
  return out;
}

function pomeranzJ(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const half = Math.floor((i + 1) / 2);
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = half - 1 - ll - roundf - 1;
        j2 = half + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = half - 1 - ll - 1;
      j2 = half + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** Pr(D_n <= x) by Pomeranz's recursion, as scipy's `_kolmogn_Pomeranz`. */
export function kolmognPomeranz(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  const gp = new Float64Array(npwrs);
  const g2p = new Float64Array(npwrs);
  const g12p = new Float64Array(npwrs);
  gp[0] = g2p[0] = g12p[0] = 1;
  for (let m = 1; m < npwrs; m++) {
    gp[m] = (gp[m - 1] * (g / n)) / m;
    g2p[m] = (g2p[m - 1] * ((2 * g) / n)) / m;
    g12p[m] = (g12p[m - 1] * ((1 - 2 * g) / n)) / m;
  }
  let V0 = new Float64Array(npwrs);
  let V1 = new Float64Array(npwrs);
  V1[0] = 1;
  let V0s = 0;
  let V1s = 0;
  let expnt = 0;
  let [j1, j2] = pomeranzJ(0, n, ll, ceilf, roundf);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [V0, V1] = [V1, V0];
    [V0s, V1s] = [V1s, V0s];
    V1.fill(0);
    [j1, j2] = pomeranzJ(i, n, ll, ceilf, roundf);
    const pw = i === 1 || i === 2 * n + 1 ? gp : i % 2 ? g2p : g12p;
    const ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      const start = j1 - k1;
      const len = j2 - j1 + 1;
      let max = 0;
      for (let c = 0; c < len; c++) {
        const idx = start + c; // entry of the full convolution of a (ln2) with b (ln2)
        let s = 0;
        const lo = Math.max(0, idx - (ln2 - 1));
        const hi = Math.min(idx, ln2 - 1);
        for (let a = lo; a <= hi; a++) s += V0[k1 - V0s + a] * pw[idx - a];
        V1[c] = s;
        if (s > max) max = s;
      }
      if (max > 0 && max < EM128) {
        for (let c = 0; c < V1.length; c++) V1[c] *= E128;
        expnt -= 128;
      }
      V1s = V0s + j1 - k1;
    }
  }
  let ans = V1[n - V1s];
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > E128) {
      ans *= EM128;
      expnt += 128;
    }
    ans *= m;
  }
  if (expnt !== 0) ans = ddLdexp(dd(ans), expnt).hi;
  return clip(ans);
}

/** Pelz-Good approximation of Pr(D_n <= x), as scipy's `_kolmogn_PelzGood`. */
export function kolmognPelzGood(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z ** 2;
  const z3 = z ** 3;
  const z4 = z ** 4;
  const z6 = z ** 6;
  const PI2 = Math.PI ** 2;
  const PI4 = Math.PI ** 4;
  const PI6 = Math.PI ** 6;
  const qlog = -PI2 / 8 / z2;
  if (qlog < -708) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m ** 2;
    const m4 = m ** 4;
    const m6 = m ** 6;
    const qp = q ** (8 * k);
    const c = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) K[i] = K[i] * qp + c[i];
  }
  const SQRT2PI = Math.sqrt(2 * Math.PI);
  const div = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = (K[i] * q * SQRT2PI) / div[i];
  q = Math.exp(-PI2 / 2 / z2);
  let k2extra = 0;
  let k3extra = 0;
  const sqrt3z = Math.sqrt(3) * z;
  for (let k = maxk; k > 0; k--) {
    const ksq = k ** 2;
    const qp = q ** ksq;
    const kspi = Math.PI * k;
    k2extra += ksq * qp;
    k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ksq * qp;
  }
  K[2] += k2extra * ((PI2 * SQRT2PI) / (-36 * z3));
  K[3] += k3extra * ((PI2 * SQRT2PI) / (216 * z6));
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += K[i] / n ** (i / 2);
  return sum;
}

/** scipy.stats.kstwo.sf(x, n): P(D_n >= x) for the two-sided one-sample statistic with n observations. */
export function kolmognSf(n: number, x: number): number {
  if (!Number.isInteger(n) || n <= 0) return Number.NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let i = 1; i <= n; i++) prob *= i * (1 / n) * (2 * t - 1);
    } else {
      prob = Math.exp(logNFactorialDivNPowN(n) + n * Math.log(2 * t - 1));
    }
    return clip(1 - prob);
  }
  if (t >= n - 1) return clip(2 * (1 - x) ** n);
  if (x >= 0.5) return clip(2 * smirnovSf(n, x));
  const nxsq = t * x;
  if (n <= 140) {
    if (nxsq <= 0.754693) return clip(1 - kolmognDMTW(n, x));
    if (nxsq <= 4) return clip(1 - kolmognPomeranz(n, x));
    return clip(2 * smirnovSf(n, x));
  }
  if (nxsq >= 370) return 0;
  if (nxsq >= 2.2) return clip(2 * smirnovSf(n, x));
  const cdf = n <= 100000 && n * x ** 1.5 <= 1.4 ? kolmognDMTW(n, x) : kolmognPelzGood(n, x);
  return clip(1 - clip(cdf));
}
