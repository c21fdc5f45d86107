import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.ts';
import { positiveIndex, readScores } from '../../onnx/outputs.ts';
import type { ModelSignature } from '../../onnx/signature.ts';

/** A ZipMap classifier's outputs after unwrapping: string labels and an [N,k] probability tensor. */
function zipmapOutputs(classes: (number | string)[], probs: number[][]) {
  const k = classes.length;
  const signature: ModelSignature = {
    inputs: [{ name: 'input', dtype: 'float32', shape: ['N', 2] }],
    outputs: [
      { name: 'output_label', dtype: typeof classes[0] === 'string' ? 'string' : 'int64', shape: ['N'] },
      { name: 'output_probability', dtype: 'seq', shape: [] },
    ],
    metadata: {},
  } as unknown as ModelSignature;
  const labels = probs.map((p) => classes[p.indexOf(Math.max(...p))]);
  const chunk = {
    output_label: { data: labels, dims: [probs.length] },
    output_probability_tensor: { data: Float32Array.from(probs.flat()), dims: [probs.length, k] },
  };
  return {
    chunks: [chunk],
    signature,
    zipmaps: [{ output: 'output_probability', tensor: 'output_probability_tensor', classes }],
    source: 'm.onnx',
    rows: probs.length,
  };
}

// Exact in float32.
const probs = [
  [0.875, 0.125],
  [0.25, 0.75],
  [0.5, 0.5],
];

describe('onnx/outputs', () => {
  it("readScores scores a ['no','yes'] ZipMap classifier by P('yes'), the greater label (sklearn classes_[1])", () => {
    const p = readScores({ ...zipmapOutputs(['no', 'yes'], probs), task: 'binary' });
    expect(p.scores).toEqual([0.125, 0.75, 0.5]);
    expect(p.classes).toEqual(['no', 'yes']);
  });

  it('readScores takes the greater numeric label as positive, whatever the column order', () => {
    expect(readScores({ ...zipmapOutputs([2, 5], probs), task: 'binary' }).scores).toEqual([
      0.125, 0.75, 0.5,
    ]);
    expect(readScores({ ...zipmapOutputs([1, -1], probs), task: 'binary' }).scores).toEqual([
      0.875, 0.25, 0.5,
    ]);
    expect(readScores({ ...zipmapOutputs([10, 9], probs), task: 'binary' }).scores).toEqual([
      0.875, 0.25, 0.5,
    ]);
  });

  it('readScores uses a given positive label', () => {
    const p = readScores({ ...zipmapOutputs(['no', 'yes'], probs), task: 'binary', positiveLabel: 'no' });
    expect(p.scores).toEqual([0.875, 0.25, 0.5]);
    expect(() =>
      readScores({ ...zipmapOutputs(['no', 'yes'], probs), task: 'binary', positiveLabel: 'maybe' }),
    ).toThrow(
      /positive label 'maybe' is not a class of m\.onnx output 'output_probability_tensor'; expected one of no, yes/,
    );
  });

  it('readScores refuses a classifier with more than 2 classes in binary mode', () => {
    const three = zipmapOutputs(['a', 'b', 'c'], [[0.2, 0.3, 0.5]]);
    expect(() => readScores({ ...three, task: 'binary' })).toThrow(UsageError);
    expect(() => readScores({ ...three, task: 'binary' })).toThrow(/3 classes|expected 2/);
  });

  it('positiveIndex refuses anything but two classes and compares text by code point', () => {
    expect(positiveIndex(['B', 'a'], undefined, 'x')).toBe(1);
    expect(positiveIndex([0, 1], undefined, 'x')).toBe(1);
    expect(positiveIndex([0, 1], 0, 'x')).toBe(0);
    expect(() => positiveIndex(['a', 'b', 'c'], undefined, 'x')).toThrow(
      /x has 3 classes \(a, b, c\); a binary task expects exactly 2/,
    );
  });
});
