/**
 * Reading scores from a model's outputs: probabilities `[N,k]`, positive-class `[N,1]` or `[N]`, a label
 * tensor next to probabilities, an unwrapped ZipMap, or a regression value.
 */
import { UsageError } from '../core/errors.ts';
import type { ModelSignature, UnwrappedZipMap } from './signature.ts';

/** What a model predicted for every row. */
export interface Predictions {
  task: 'binary' | 'multiclass' | 'regression';
  /** binary: P(class 1) per row; multiclass: one row of class probabilities per row; regression: the value. */
  scores: number[] | number[][];
  /** The model's own hard labels, when it outputs them. */
  labels?: (number | string)[];
  /** Class of each probability column (classifiers). */
  classes?: (number | string)[];
  /** The outputs read: scores and, when present, labels. */
  outputs: { scores: string; labels?: string };
}

interface Chunk {
  data: unknown;
  dims: readonly number[];
}

const FLOATS = new Set(['float32', 'float64', 'float16']);

function concat(
  chunks: Record<string, Chunk>[],
  name: string,
): { values: ArrayLike<number | string>; width: number } {
  const floats = chunks.every(
    (c) => c[name].data instanceof Float32Array || c[name].data instanceof Float64Array,
  );
  if (floats) {
    // Probabilities and regression values: one Float64Array, copied chunk by chunk (no per-value boxing).
    let total = 0;
    for (const c of chunks) total += (c[name].data as Float32Array).length;
    const out = new Float64Array(total);
    let at = 0;
    let w = 1;
    for (const c of chunks) {
      const t = c[name];
      w = t.dims.slice(1).reduce((a, d) => a * d, 1);
      out.set(t.data as Float32Array, at);
      at += (t.data as Float32Array).length;
    }
    return { values: out, width: w };
  }
  const values: (number | string)[] = [];
  let width = 1;
  for (const c of chunks) {
    const t = c[name];
    width = t.dims.slice(1).reduce((a, d) => a * d, 1);
    const data = t.data as ArrayLike<number | bigint | string>;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      values.push(typeof v === 'bigint' ? Number(v) : v);
    }
  }
  return { values, width };
}

/** Turn the raw output tensors of every batch into Predictions. */
export function readScores(args: {
  chunks: Record<string, Chunk>[];
  signature: ModelSignature;
  zipmaps: UnwrappedZipMap[];
  task?: Predictions['task'];
  source: string;
  rows: number;
  /** Binary: the class whose probability is the score. Default: the greater class label (sklearn's `classes_[1]`). */
  positiveLabel?: number | string;
}): Predictions {
  const { chunks, signature, zipmaps, source, rows } = args;
  const names = chunks.length
    ? Object.keys(chunks[0])
    : signature.outputs.map((o) => zipmaps.find((z) => z.output === o.name)?.tensor ?? o.name);
  const dtypeOf = (n: string) =>
    zipmaps.some((z) => z.tensor === n)
      ? 'float32'
      : (signature.outputs.find((o) => o.name === n)?.dtype ?? '');
  const got = new Map(
    names.map((n) => [
      n,
      rows === 0 ? { values: [], width: widthFromSpec(signature, n, zipmaps) } : concat(chunks, n),
    ]),
  );
  const floats = names.filter((n) => FLOATS.has(dtypeOf(n)));
  const labelName = names.find((n) => !FLOATS.has(dtypeOf(n)) && got.get(n)!.width === 1);
  const zip = zipmaps[0];
  const probName =
    zip?.tensor ??
    floats.find((n) => /prob/i.test(n)) ??
    floats.find((n) => got.get(n)!.width >= 2) ??
    (labelName ? floats[0] : undefined);
  const task =
    args.task ?? (probName ? (got.get(probName)!.width > 2 ? 'multiclass' : 'binary') : 'regression');
  const labels = labelName ? Array.from(got.get(labelName)!.values) : undefined;

  if (task === 'regression') {
    const name = floats[0];
    if (!name || got.get(name)!.width !== 1) {
      throw new UsageError(
        `${source} has no single-value float output for regression; outputs: ${describe(signature)}.`,
      );
    }
    return {
      task,
      scores: Array.from(got.get(name)!.values as ArrayLike<number>),
      outputs: { scores: name },
    };
  }
  const name = probName ?? floats[0];
  if (!name)
    throw new UsageError(`${source} has no float probability output; outputs: ${describe(signature)}.`);
  const { values, width } = got.get(name)!;
  const classes = zip?.classes ?? (width === 1 ? [0, 1] : [...Array(width).keys()]);
  if (task === 'binary') {
    if (width > 2) {
      throw new UsageError(`${source} output '${name}' has ${width} classes; expected 2 for a binary task.`);
    }
    const pos = width === 1 ? 0 : positiveIndex(classes, args.positiveLabel, `${source} output '${name}'`);
    const scores = new Array<number>(values.length / width);
    for (let i = 0; i < scores.length; i++) scores[i] = values[i * width + pos] as number;
    return { task, scores, labels, classes, outputs: { scores: name, labels: labelName } };
  }
  if (width < 2)
    throw new UsageError(`${source} output '${name}' has one column; expected [N,k] probabilities.`);
  const scores: number[][] = [];
  for (let i = 0; i < values.length / width; i++)
    scores.push(Array.prototype.slice.call(values, i * width, (i + 1) * width) as number[]);
  return { task, scores, labels, classes, outputs: { scores: name, labels: labelName } };
}

/**
 * The column holding the positive class of a binary classifier. Like sklearn: the given positive label, else
 * the greater of the two class labels (numbers by value, text by code point), never a silent fallback.
 */
export function positiveIndex(
  classes: readonly (number | string)[],
  positiveLabel: number | string | undefined,
  what: string,
): number {
  if (classes.length !== 2) {
    throw new UsageError(
      `${what} has ${classes.length} classes (${classes.join(', ')}); a binary task expects exactly 2.`,
    );
  }
  if (positiveLabel !== undefined) {
    const i = classes.findIndex((c) => String(c) === String(positiveLabel));
    if (i < 0)
      throw new UsageError(
        `positive label '${positiveLabel}' is not a class of ${what}; expected one of ${classes.join(', ')}.`,
      );
    return i;
  }
  const [a, b] = classes;
  const greater = typeof a === 'number' && typeof b === 'number' ? b > a : String(b) > String(a);
  return greater ? 1 : 0;
}

function widthFromSpec(sig: ModelSignature, name: string, zipmaps: UnwrappedZipMap[]): number {
  const z = zipmaps.find((x) => x.tensor === name);
  if (z) return z.classes.length;
  const shape = sig.outputs.find((o) => o.name === name)?.shape ?? [];
  return shape.slice(1).reduce<number>((a, d) => a * (typeof d === 'number' ? d : 1), 1);
}

function describe(sig: ModelSignature): string {
  return sig.outputs.map((o) => `${o.name} ${o.dtype}[${o.shape.join(',')}]`).join(', ');
}
