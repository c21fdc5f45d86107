/**
 * ONNX inference over a table: features mapped by name (never by the file's column order), cells coerced
 * to each input's dtype, rows run in batches, and the common classifier outputs read back as scores.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../core/errors.ts';
import type { Table } from '../tables/types.ts';
import { allocate, fillRows } from './coerce.ts';
import { readScores, type Predictions } from './outputs.ts';
import { loadOnnxRuntime, type OrtModule } from './runtime.ts';
import {
  decodeModel,
  readSignature,
  unwrapZipMap,
  type ModelSignature,
  type UnwrappedZipMap,
} from './signature.ts';

export type { ModelSignature } from './signature.ts';
export type { Predictions } from './outputs.ts';
export { loadOnnxRuntime } from './runtime.ts';

/** Options for one `predict` call. */
export interface PredictOptions {
  /** What the scores mean. Defaults to what the outputs say (classifier when there are probabilities). */
  task?: 'binary' | 'multiclass' | 'regression';
  /** Feature order for a single `[N,d]` input (from `model.yaml` schema). Defaults to the model's own metadata. */
  features?: string[];
  /** Binary: the class label whose probability is the score. Default: the greater of the two labels (sklearn). */
  positiveLabel?: number | string;
  /** Rows per `session.run`. Default 8192 (or the model's fixed batch dimension). */
  batchSize?: number;
}

/** A model ready to run. */
export interface LoadedModel {
  /** The path or label it was loaded from. */
  source: string;
  signature: ModelSignature;
  /** ZipMap outputs that were unwrapped into probability tensors. */
  zipmaps: UnwrappedZipMap[];
  predict(table: Table, opts?: PredictOptions): Promise<Predictions>;
  close(): Promise<void>;
}

/** Which table column fills which part of which input. */
interface InputPlan {
  name: string;
  dtype: string;
  columns: string[];
  /** Shape per batch, with the batch dimension as -1. */
  shape: number[];
}

function plan(sig: ModelSignature, source: string, features?: string[]): InputPlan[] {
  if (sig.inputs.length === 0) throw new UsageError(`${source} has no inputs.`);
  return sig.inputs.map((input) => {
    const rest = input.shape.slice(1);
    const width = rest.reduce<number>((a, d) => a * (typeof d === 'number' ? d : 1), 1);
    const symbolicWidth = rest.some((d) => typeof d !== 'number');
    if (sig.inputs.length > 1 || (width === 1 && !symbolicWidth && !features && !sig.featureNames)) {
      if (width !== 1) {
        throw new UsageError(
          `ONNX input '${input.name}' of ${source} has shape [${input.shape.join(',')}]; with several inputs each must be one column ([N,1] or [N]).`,
        );
      }
      return {
        name: input.name,
        dtype: input.dtype,
        columns: [input.name],
        shape: [-1, ...rest.map(() => 1)],
      };
    }
    const columns = features ?? sig.featureNames;
    if (!columns) {
      throw new UsageError(
        `cannot tell which columns fill ONNX input '${input.name}' [${input.shape.join(',')}] of ${source}: declare schema.features in model.yaml (in the model's feature order).`,
      );
    }
    if (rest.length !== 1 || (typeof rest[0] === 'number' && rest[0] !== columns.length)) {
      throw new UsageError(
        `ONNX input '${input.name}' of ${source} has shape [${input.shape.join(',')}] but ${columns.length} features are declared (${columns.join(', ')}); expected shape [N,${columns.length}].`,
      );
    }
    return { name: input.name, dtype: input.dtype, columns, shape: [-1, columns.length] };
  });
}

function toChunk(result: Record<string, { data: unknown; dims: readonly number[] }>) {
  return Object.fromEntries(Object.entries(result).map(([k, t]) => [k, { data: t.data, dims: t.dims }]));
}

/** Load a model from a file (or bytes), unwrapping ZipMap outputs so onnxruntime-node can return them. */
export async function loadModel(
  path: string | { bytes: Uint8Array; label: string },
  opts: { ort?: OrtModule } = {},
): Promise<LoadedModel> {
  const source = typeof path === 'string' ? path : path.label;
  let bytes: Uint8Array;
  try {
    bytes = typeof path === 'string' ? readFileSync(path) : path.bytes;
  } catch (err) {
    throw new UsageError(
      `cannot read model '${source}': ${(err as Error).message}; expected a path to an .onnx file.`,
    );
  }
  const decoded = decodeModel(bytes, source);
  const signature = readSignature(decoded);
  const unwrapped = unwrapZipMap(decoded);
  const ort = opts.ort ?? (await loadOnnxRuntime());
  let session: Awaited<ReturnType<OrtModule['InferenceSession']['create']>>;
  try {
    // No spin-waiting between runs: ORT's idle threads would otherwise take the cores that fill the next batch.
    session = await ort.InferenceSession.create(unwrapped?.bytes ?? bytes, {
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
  } catch (err) {
    throw new UsageError(`ONNX Runtime cannot load ${source}: ${(err as Error).message}`);
  }
  const zipmaps = unwrapped?.zipmaps ?? [];
  return {
    source,
    signature,
    zipmaps,
    close: () => session.release(),
    async predict(table, popts = {}) {
      const inputs = plan(signature, source, popts.features);
      const fixed = signature.inputs[0].shape[0];
      const batch = typeof fixed === 'number' && fixed > 0 ? fixed : Math.max(1, popts.batchSize ?? 8192);
      const cols = new Map<string, ReturnType<Table['column']>>();
      for (const p of inputs) {
        for (const c of p.columns) {
          if (!table.has(c)) {
            throw new UsageError(
              `the data has no column '${c}' needed by ONNX input '${p.name}' of ${source}; it has: ${table.columns.join(', ')}.`,
            );
          }
          cols.set(c, table.column(c));
        }
      }
      if (typeof fixed === 'number' && fixed > 0 && table.rows % fixed !== 0) {
        throw new UsageError(
          `${source} takes batches of exactly ${fixed} rows; the data has ${table.rows} rows.`,
        );
      }
      const chunks: Record<string, { data: unknown; dims: readonly number[] }>[] = [];
      const feedsFor = (start: number) => {
        const count = Math.min(batch, table.rows - start);
        const feeds: Record<string, InstanceType<OrtModule['Tensor']>> = {};
        for (const p of inputs) {
          const data = allocate(p.dtype, count * p.columns.length, p.name);
          fillRows(
            data,
            p.columns.map((c) => cols.get(c)!),
            { rowStart: start, count },
            { dtype: p.dtype, columns: p.columns, input: p.name },
          );
          const dims = p.shape.map((d) => (d === -1 ? count : d));
          feeds[p.name] = new ort.Tensor(p.dtype as 'float32', data as Float32Array, dims);
        }
        return feeds;
      };
      // session.run works off the main thread: the next batch is filled while the current one runs.
      let running: ReturnType<typeof session.run> | undefined;
      try {
        for (let start = 0; start < table.rows; start += batch) {
          const feeds = feedsFor(start);
          if (running) chunks.push(toChunk(await running));
          running = session.run(feeds);
        }
        if (running) chunks.push(toChunk(await running));
        running = undefined;
      } finally {
        // A fill that failed while a batch ran: let that run finish before the session can be released.
        await running?.catch(() => undefined);
      }
      return readScores({
        chunks,
        signature,
        zipmaps,
        task: popts.task,
        source,
        rows: table.rows,
        positiveLabel: popts.positiveLabel,
      });
    },
  };
}
