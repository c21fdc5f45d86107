/**
 * A small ONNX writer for linear, logistic and softmax models, built with onnx-proto. Enough for the example
 * trainer, the demo and tests: every classifier output shape the evaluator reads can be produced
 * (probabilities `[N,2]`/`[N,k]`, positive-class `[N,1]`, label + probabilities, sklearn-onnx's ZipMap).
 */
import onnxProto from 'onnx-proto';
import { UsageError } from '../core/errors.ts';

const { onnx } = onnxProto;
type INode = onnxProto.onnx.INodeProto;
type IValueInfo = onnxProto.onnx.IValueInfoProto;
type ITensor = onnxProto.onnx.ITensorProto;

/** How the classifier's outputs are laid out. */
export type LinearModelOutputs =
  /** One float tensor `probabilities` `[N,k]` (`[N,2]` for binary). */
  | 'probabilities'
  /** Binary only: one float tensor `probability` `[N,1]` holding P(class 1). */
  | 'positive'
  /** `label` int64 `[N]` (argmax) and `probabilities` `[N,k]`, as sklearn-onnx writes with `zipmap=False`. */
  | 'label+probabilities'
  /** `output_label` int64 `[N]` and `output_probability` `seq(map(int64, float))`, as sklearn-onnx's ZipMap. */
  | 'zipmap';

/** What `writeLinearModel` builds. */
export interface LinearModelOptions {
  /** One row of weights per output (`[k][d]`), or one vector (`[d]`) for a single output. */
  weights: number[][] | number[];
  /** One bias per output, or one number for a single output. */
  bias: number[] | number;
  /** `linear`: regression output `variable` `[N,k]`; `logistic`: binary, sigmoid; `softmax`: multiclass. */
  kind: 'logistic' | 'softmax' | 'linear';
  /** Name of the single float input `[N,d]`. Defaults to `input`. Ignored with `inputs: 'per-feature'`. */
  inputName?: string;
  /** Feature names in weight order; recorded in the model's metadata (`mlops.feature_names`). */
  featureNames?: string[];
  /** `tensor` (default): one `[N,d]` input; `per-feature`: one `[N,1]` float input per feature, named by `featureNames`. */
  inputs?: 'tensor' | 'per-feature';
  /** Classifier output layout. Defaults to `probabilities`. Ignored for `linear`. */
  outputs?: LinearModelOutputs;
}

const FLOAT = 1;
const INT64 = 7;

function tensorInfo(name: string, elemType: number, dims: (number | string)[]): IValueInfo {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function floatTensor(name: string, dims: number[], values: number[]): ITensor {
  return { name, dims, dataType: FLOAT, floatData: values };
}

function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  attrs: Record<string, number | number[]> = {},
  domain?: string,
): INode {
  const attribute = Object.entries(attrs).map(([name, v]) =>
    Array.isArray(v)
      ? { name, type: onnx.AttributeProto.AttributeType.INTS, ints: v }
      : { name, type: onnx.AttributeProto.AttributeType.INT, i: v },
  );
  return {
    opType,
    input: inputs,
    output: outputs,
    attribute,
    name: `${opType}_${outputs[0]}`,
    domain: domain ?? '',
  };
}

function normalise(opts: LinearModelOptions): { w: number[][]; b: number[]; d: number; k: number } {
  const w = (Array.isArray(opts.weights[0]) ? opts.weights : [opts.weights]) as number[][];
  const b = typeof opts.bias === 'number' ? [opts.bias] : opts.bias;
  const d = w[0]?.length ?? 0;
  const k = w.length;
  if (d === 0 || w.some((row) => row.length !== d || row.some((x) => !Number.isFinite(x)))) {
    throw new UsageError(
      'weights must be a non-empty [k][d] (or [d]) array of finite numbers with equal row lengths.',
    );
  }
  if (b.length !== k) throw new UsageError(`bias has ${b.length} values; expected ${k} (one per output).`);
  if (opts.featureNames && opts.featureNames.length !== d) {
    throw new UsageError(
      `featureNames has ${opts.featureNames.length} names; expected ${d} (one per weight column).`,
    );
  }
  if (opts.kind === 'logistic' && k !== 1)
    throw new UsageError(`kind 'logistic' takes one weight row; got ${k}.`);
  if (opts.kind === 'softmax' && k < 2)
    throw new UsageError(`kind 'softmax' takes at least 2 weight rows; got ${k}.`);
  return { w, b, d, k };
}

/** Build a valid ONNX model (IR 8, opset 13, ai.onnx.ml 1) computing `X · Wᵀ + b` and the chosen link. */
export function writeLinearModel(opts: LinearModelOptions): Uint8Array {
  const { w, b, d, k } = normalise(opts);
  const nodes: INode[] = [];
  const inputs: IValueInfo[] = [];
  const outputs: IValueInfo[] = [];
  const init: ITensor[] = [];
  let x = opts.inputName ?? 'input';
  if (opts.inputs === 'per-feature') {
    if (!opts.featureNames) throw new UsageError("inputs 'per-feature' needs featureNames.");
    for (const f of opts.featureNames) inputs.push(tensorInfo(f, FLOAT, ['N', 1]));
    x = 'mlops_concat_features';
    nodes.push(node('Concat', opts.featureNames, [x], { axis: 1 }));
  } else {
    inputs.push(tensorInfo(x, FLOAT, ['N', d]));
  }
  const wt = Array.from({ length: d * k }, (_, i) => w[i % k][Math.floor(i / k)]);
  init.push(floatTensor('W', [d, k], wt), floatTensor('B', [k], b));
  nodes.push(node('MatMul', [x, 'W'], ['xw']), node('Add', ['xw', 'B'], ['z']));

  if (opts.kind === 'linear') {
    outputs.push(tensorInfo('variable', FLOAT, ['N', k]));
    nodes.push(node('Identity', ['z'], ['variable']));
  } else {
    const classes = opts.kind === 'logistic' ? 2 : k;
    if (opts.kind === 'logistic') {
      init.push(floatTensor('one', [1], [1]));
      nodes.push(node('Sigmoid', ['z'], ['p1']), node('Sub', ['one', 'p1'], ['p0']));
      nodes.push(node('Concat', ['p0', 'p1'], ['probs'], { axis: 1 }));
    } else {
      nodes.push(node('Softmax', ['z'], ['probs'], { axis: 1 }));
    }
    const layout = opts.outputs ?? 'probabilities';
    if (layout === 'positive') {
      if (opts.kind !== 'logistic') throw new UsageError("outputs 'positive' is for kind 'logistic' only.");
      nodes.push(node('Identity', ['p1'], ['probability']));
      outputs.push(tensorInfo('probability', FLOAT, ['N', 1]));
    } else if (layout === 'probabilities') {
      nodes.push(node('Identity', ['probs'], ['probabilities']));
      outputs.push(tensorInfo('probabilities', FLOAT, ['N', classes]));
    } else if (layout === 'label+probabilities') {
      nodes.push(node('ArgMax', ['probs'], ['label'], { axis: 1, keepdims: 0 }));
      nodes.push(node('Identity', ['probs'], ['probabilities']));
      outputs.push(tensorInfo('label', INT64, ['N']), tensorInfo('probabilities', FLOAT, ['N', classes]));
    } else {
      nodes.push(node('ArgMax', ['probs'], ['output_label'], { axis: 1, keepdims: 0 }));
      nodes.push(
        node(
          'ZipMap',
          ['probs'],
          ['output_probability'],
          { classlabels_int64s: [...Array(classes).keys()] },
          'ai.onnx.ml',
        ),
      );
      outputs.push(tensorInfo('output_label', INT64, ['N']), {
        name: 'output_probability',
        type: {
          sequenceType: {
            elemType: { mapType: { keyType: INT64, valueType: { tensorType: { elemType: FLOAT } } } },
          },
        },
      });
    }
  }

  const metadataProps = opts.featureNames
    ? [{ key: 'mlops.feature_names', value: JSON.stringify(opts.featureNames) }]
    : [];
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'mlops-actions',
    producerVersion: '0.1.0',
    opsetImport: [
      { domain: '', version: 13 },
      { domain: 'ai.onnx.ml', version: 1 },
    ],
    metadataProps,
    graph: { name: `mlops_${opts.kind}`, node: nodes, input: inputs, output: outputs, initializer: init },
  });
  return onnx.ModelProto.encode(model).finish();
}
