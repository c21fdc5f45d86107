/**
 * Reading an ONNX model's signature (inputs/outputs with dtype and shape), its metadata, and the ZipMap
 * nodes that onnxruntime-node cannot return (`seq(map)` outputs), which are unwrapped into plain tensors.
 */
import onnxProto from 'onnx-proto';
import { UsageError } from '../core/errors.ts';
import type { TensorSpec } from '../registry/types.ts';

const { onnx } = onnxProto;
type IModel = onnxProto.onnx.IModelProto;
type IType = onnxProto.onnx.ITypeProto;

/** An ONNX model's interface as the evaluator sees it. */
export interface ModelSignature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** Feature order recorded by `writeLinearModel` (`mlops.feature_names` metadata), when present. */
  featureNames?: string[];
  /** The model's metadata_props. */
  metadata: Record<string, string>;
}

/** A ZipMap output replaced by its probability tensor: which tensor, and the class label of each column. */
export interface UnwrappedZipMap {
  /** The graph output that was `seq(map)`. */
  output: string;
  /** The tensor `[N,k]` now returned in its place. */
  tensor: string;
  classes: (number | string)[];
}

const ELEM: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
};

function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof (v as { toNumber?: () => number }).toNumber === 'function') {
    return (v as { toNumber: () => number }).toNumber();
  }
  return Number(v);
}

function typeName(t: IType | null | undefined): string {
  if (!t) return 'unknown';
  if (t.tensorType) return ELEM[t.tensorType.elemType ?? 0] ?? `elem${t.tensorType.elemType}`;
  if (t.sequenceType) return `seq(${typeName(t.sequenceType.elemType)})`;
  if (t.mapType) return `map(${ELEM[t.mapType.keyType ?? 0] ?? '?'},${typeName(t.mapType.valueType)})`;
  return 'unknown';
}

function spec(v: onnxProto.onnx.IValueInfoProto): TensorSpec {
  const dims = v.type?.tensorType?.shape?.dim ?? [];
  const shape = dims.map((d) => (d.dimParam ? d.dimParam : d.dimValue != null ? num(d.dimValue) : null));
  return { name: v.name ?? '', dtype: typeName(v.type), shape };
}

/** Decode ONNX bytes; a file that is not a model is a UsageError naming it. */
export function decodeModel(bytes: Uint8Array, label: string): IModel {
  try {
    const model = onnx.ModelProto.decode(bytes);
    if (!model.graph) throw new Error('no graph');
    return model;
  } catch (err) {
    throw new UsageError(
      `${label} is not a valid ONNX model (${(err as Error).message}); expected an .onnx file.`,
    );
  }
}

/** The signature of a decoded model: graph inputs that are not initializers, graph outputs, metadata. */
export function readSignature(model: IModel): ModelSignature {
  const graph = model.graph!;
  const inits = new Set((graph.initializer ?? []).map((t) => t.name));
  const metadata: Record<string, string> = {};
  for (const p of model.metadataProps ?? []) metadata[p.key ?? ''] = p.value ?? '';
  let featureNames: string[] | undefined;
  const raw = metadata['mlops.feature_names'];
  if (raw) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) featureNames = parsed;
    } catch {
      featureNames = undefined;
    }
  }
  return {
    inputs: (graph.input ?? []).filter((i) => !inits.has(i.name)).map(spec),
    outputs: (graph.output ?? []).map(spec),
    featureNames,
    metadata,
  };
}

/**
 * Replace every graph output produced by an `ai.onnx.ml` ZipMap node with that node's input tensor, so that
 * onnxruntime-node (which returns tensors only) can run the model. Returns the new bytes, or undefined when
 * the model has no ZipMap output.
 */
export function unwrapZipMap(model: IModel): { bytes: Uint8Array; zipmaps: UnwrappedZipMap[] } | undefined {
  const graph = model.graph!;
  const zipmaps: UnwrappedZipMap[] = [];
  const outputs = graph.output ?? [];
  for (const out of outputs) {
    const producer = (graph.node ?? []).find(
      (n) => n.opType === 'ZipMap' && n.output?.includes(out.name ?? ''),
    );
    if (!producer) continue;
    const attr = (name: string) => producer.attribute?.find((a) => a.name === name);
    const ints = attr('classlabels_int64s')?.ints;
    const strs = attr('classlabels_strings')?.strings;
    const classes = ints?.length
      ? ints.map(num)
      : (strs ?? []).map((s) => (typeof s === 'string' ? s : new TextDecoder().decode(s)));
    zipmaps.push({ output: out.name ?? '', tensor: producer.input?.[0] ?? '', classes });
  }
  if (zipmaps.length === 0) return undefined;
  const copy = onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish());
  const g = copy.graph!;
  g.node = (g.node ?? []).filter(
    (n) => !(n.opType === 'ZipMap' && zipmaps.some((z) => n.output?.includes(z.output))),
  );
  g.output = (g.output ?? []).map((o) => {
    const z = zipmaps.find((x) => x.output === o.name);
    if (!z) return o;
    return onnx.ValueInfoProto.create({
      name: z.tensor,
      type: {
        tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }, { dimValue: z.classes.length }] } },
      },
    });
  });
  return { bytes: onnx.ModelProto.encode(copy).finish(), zipmaps };
}
