import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.ts';
import { parseModelSpec } from '../../registry/schema.ts';

const base = 'name: churn\ntask: binary\nprimary_metric: { name: roc_auc, direction: maximize }\n';
const parse = (training: string) =>
  parseModelSpec(`${base}training:\n${training}`, 'models/churn/model.yaml');

describe('model.yaml training section', () => {
  it('parseModelSpec accepts every training key with its type', () => {
    const spec = parse(
      [
        '  command: python train.py --out "$MLOPS_OUTPUT_DIR"',
        '  data: [s3://d/train.parquet, data/*.csv]',
        '  evaluation_data: s3://d/eval.parquet',
        '  reference_data: s3://d/train.parquet',
        '  runner_labels: [self-hosted, gpu]',
        '  require_gpu: false',
        '  checkpoint_dir: mlops-out/ckpt',
        '  metrics: mlops-out/dvclive',
        '  artifacts: [mlops-out/model.onnx]',
        '',
      ].join('\n'),
    );
    expect(spec.training).toEqual({
      command: 'python train.py --out "$MLOPS_OUTPUT_DIR"',
      data: ['s3://d/train.parquet', 'data/*.csv'],
      evaluation_data: 's3://d/eval.parquet',
      reference_data: 's3://d/train.parquet',
      runner_labels: ['self-hosted', 'gpu'],
      require_gpu: false,
      checkpoint_dir: 'mlops-out/ckpt',
      metrics: 'mlops-out/dvclive',
      artifacts: ['mlops-out/model.onnx'],
    });
  });

  it('parseModelSpec leaves training undefined when the section is absent', () => {
    expect(parseModelSpec(base, 'models/churn/model.yaml').training).toBeUndefined();
  });

  it.each([
    ['  - command\n', 'training \'["command"]\' is not valid: expected a mapping'],
    ['  command: ""\n', "training.command '' is not valid: expected a non-empty string"],
    [
      '  data: s3://d/train.parquet\n',
      "training.data 's3://d/train.parquet' is not valid: expected a non-empty list",
    ],
    ['  runner_labels: []\n', "training.runner_labels '[]' is not valid: expected a non-empty list"],
    ['  require_gpu: "no"\n', "training.require_gpu 'no' is not valid: expected true or false"],
    [
      '  evaluation-data: e.csv\n',
      "training 'evaluation-data' is not valid: expected only the keys command, data",
    ],
  ])('parseModelSpec refuses training %j naming the field and the form', (training, message) => {
    expect(() => parse(training)).toThrow(UsageError);
    expect(() => parse(training)).toThrow(message);
  });
});
