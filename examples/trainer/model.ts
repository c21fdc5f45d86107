/**
 * Logistic regression by full-batch gradient descent on standardised features. Pure functions over a plain
 * state object, so a checkpoint is the state as JSON and a resumed run is bit-for-bit the uninterrupted one.
 */

/** Everything needed to continue training or to export the model. */
export interface ModelState {
  /** Epochs completed. */
  epoch: number;
  /** Weights on standardised features. */
  weights: number[];
  bias: number;
  /** Per-feature mean and standard deviation of the training split. */
  mean: number[];
  std: number[];
}

/** Fresh state: zero weights, standardisation fitted on `x`. */
export function initState(x: number[][]): ModelState {
  const d = x[0].length;
  const mean = Array.from({ length: d }, (_, j) => x.reduce((s, r) => s + r[j], 0) / x.length);
  const std = mean.map((m, j) => Math.sqrt(x.reduce((s, r) => s + (r[j] - m) ** 2, 0) / x.length) || 1);
  return { epoch: 0, weights: new Array(d).fill(0), bias: 0, mean, std };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** P(class 1) for each row of raw (unstandardised) features. */
export function predict(state: ModelState, x: number[][]): number[] {
  const { w, b } = rawCoefficients(state);
  return x.map((r) => sigmoid(r.reduce((s, v, j) => s + v * w[j], b)));
}

/** Coefficients on raw features (standardisation folded in): what the ONNX model computes. */
export function rawCoefficients(state: ModelState): { w: number[]; b: number } {
  const w = state.weights.map((wj, j) => wj / state.std[j]);
  const b = state.bias - state.weights.reduce((s, wj, j) => s + (wj * state.mean[j]) / state.std[j], 0);
  return { w, b };
}

/** One epoch of gradient descent with L2 penalty `l2`; returns the next state. */
export function step(state: ModelState, x: number[][], y: number[], lr: number, l2: number): ModelState {
  const d = state.weights.length;
  const grad = new Array(d).fill(0);
  let gb = 0;
  for (let i = 0; i < x.length; i++) {
    let z = state.bias;
    for (let j = 0; j < d; j++) z += state.weights[j] * ((x[i][j] - state.mean[j]) / state.std[j]);
    const e = sigmoid(z) - y[i];
    for (let j = 0; j < d; j++) grad[j] += e * ((x[i][j] - state.mean[j]) / state.std[j]);
    gb += e;
  }
  const n = x.length;
  return {
    ...state,
    epoch: state.epoch + 1,
    weights: state.weights.map((wj, j) => wj - lr * (grad[j] / n + l2 * wj)),
    bias: state.bias - lr * (gb / n),
  };
}

/** Mean binary cross-entropy, probabilities clipped at float64 epsilon as sklearn does. */
export function logLoss(y: number[], p: number[]): number {
  const eps = Number.EPSILON;
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const q = Math.min(Math.max(p[i], eps), 1 - eps);
    s -= y[i] * Math.log(q) + (1 - y[i]) * Math.log(1 - q);
  }
  return s / y.length;
}

/** Share of rows where `p >= 0.5` matches the label. */
export function accuracy(y: number[], p: number[]): number {
  return y.reduce((s, yi, i) => s + (Number(p[i] >= 0.5) === yi ? 1 : 0), 0) / y.length;
}

/** ROC AUC by the rank-sum formula, ties counted 1/2. */
export function rocAuc(y: number[], p: number[]): number {
  const idx = p.map((_, i) => i).sort((a, b) => p[a] - p[b]);
  const ranks = new Array(p.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && p[idx[j + 1]] === p[idx[i]]) j++;
    for (let k = i; k <= j; k++) ranks[idx[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  const pos = y.filter((v) => v === 1).length;
  const neg = y.length - pos;
  const sumPos = y.reduce((s, v, i) => s + (v === 1 ? ranks[i] : 0), 0);
  return (sumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}
