import { describe, expect, it } from 'vitest';
import { parseEvaluateInputs } from '../../actions/evaluate/src/inputs.ts';

const parse = (inputs: Record<string, string>) => parseEvaluateInputs((n) => inputs[n], '/ws');

describe('evaluate action inputs', () => {
  it('parseEvaluateInputs gives defaults and undefined (never empty strings) for what is not set', () => {
    const i = parse({ model: 'churn', data: 'eval.csv' });
    expect(i).toMatchObject({
      model: 'churn',
      registryRoot: 'models',
      workingDir: '/ws',
      candidate: { kind: 'pr' },
      alias: 'champion',
      data: '/ws/eval.csv',
      dropNa: false,
      comment: true,
      record: false,
    });
    for (const k of [
      'pullRequest',
      'label',
      'predictions',
      'score',
      'slices',
      'threshold',
      'resamples',
      'seed',
      'store',
    ])
      expect(i[k as keyof typeof i], k).toBeUndefined();
  });

  it('parseEvaluateInputs reads versions, files, lists and numbers', () => {
    const i = parse({
      model: 'team/churn',
      candidate: 'v12',
      'pull-request': '7',
      predictions: 's3://b/p.parquet',
      score: 'p0, p1,p2',
      slices: 'sex\nage',
      threshold: '0.3',
      resamples: '0',
      'working-directory': 'repo',
    });
    expect(i).toMatchObject({
      candidate: { kind: 'version', version: 12 },
      pullRequest: 7,
      predictions: 's3://b/p.parquet',
      score: ['p0', 'p1', 'p2'],
      slices: ['sex', 'age'],
      threshold: 0.3,
      resamples: 0,
      workingDir: '/ws/repo',
    });
    expect(parse({ model: 'm', candidate: 'out/m.onnx' }).candidate).toEqual({
      kind: 'file',
      path: '/ws/out/m.onnx',
    });
  });

  it('parseEvaluateInputs names the bad input and the expected form', () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{}, /input 'model' is required/],
      [{ model: 'Bad Name' }, /Bad Name/],
      [{ model: 'm', threshold: '1.5' }, /input 'threshold' is '1\.5'; expected a number >= 0 and <= 1/],
      [{ model: 'm', 'pull-request': 'abc' }, /input 'pull-request' is 'abc'; expected an integer >= 1/],
      [{ model: 'm', candidate: 'latest' }, /input 'candidate' is 'latest'; expected a version \(v7\)/],
      [{ model: 'm', candidate: 's3://b/m.onnx' }, /expected a version \(v7\) or a local path/],
      [{ model: 'm', predictions: 'p.csv' }, /needs 'score'/],
      [{ model: 'm', score: 'p' }, /need 'predictions'/],
      [
        { model: 'm', data: 'd.csv', predictions: 'p.csv', score: 'p' },
        /'data' and 'predictions' are alternatives/,
      ],
      [{ model: 'm', record: 'yes' }, /record 'yes' is not valid: expected true or false/],
    ];
    for (const [inputs, message] of bad) expect(() => parse(inputs), JSON.stringify(inputs)).toThrow(message);
  });
});
