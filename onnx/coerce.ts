/**
 * Filling ONNX input tensors from table columns: each cell coerced to the input's dtype, with errors that
 * name the column, the row (1-based data row) and the expected form.
 */
import { UsageError } from '../core/errors.ts';
import type { Cell } from '../tables/types.ts';

/** Typed storage for one input tensor. */
export type TensorData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array | string[];

/** Allocate storage of `n` elements for an ONNX dtype; unsupported dtypes are a UsageError naming the input. */
export function allocate(dtype: string, n: number, input: string): TensorData {
  switch (dtype) {
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'int64':
      return new BigInt64Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'bool':
      return new Uint8Array(n);
    case 'string':
      return new Array<string>(n);
    default:
      throw new UsageError(
        `ONNX input '${input}' has dtype ${dtype}; expected one of float32, float64, int64, int32, bool, string.`,
      );
  }
}

function fail(column: string, row: number, cell: Cell, dtype: string, input: string, hint = ''): never {
  const shown = cell === null ? 'a missing value' : `${JSON.stringify(cell)}`;
  throw new UsageError(
    `column '${column}' row ${row + 1}: ${shown} cannot fill ${dtype} input '${input}'${hint}.`,
  );
}

const NA_HINT = ' (pass --drop-na to drop rows with missing features)';

function toNumber(cell: Cell): number {
  if (typeof cell === 'number') return cell;
  if (typeof cell === 'boolean') return cell ? 1 : 0;
  if (typeof cell === 'string' && cell.trim() !== '') return Number(cell);
  return Number.NaN;
}

/**
 * Write `values[rowStart + i]` into `out[i * stride + offset]` for i < count, coerced to `dtype`.
 * NaN, null and unparsable text are errors for numeric inputs (NaN is never silently fed to a model).
 */
export function fillColumn(
  out: TensorData,
  values: Cell[],
  at: { rowStart: number; count: number; stride: number; offset: number },
  meta: { dtype: string; column: string; input: string },
): void {
  const { rowStart, count, stride, offset } = at;
  const { dtype, column, input } = meta;
  for (let i = 0; i < count; i++) {
    const row = rowStart + i;
    const cell = values[row];
    const j = i * stride + offset;
    if (dtype === 'string') {
      if (cell === null) fail(column, row, cell, dtype, input, NA_HINT);
      (out as string[])[j] = String(cell);
      continue;
    }
    if (dtype === 'bool') {
      const v =
        cell === true || cell === 1 || cell === 'true' || cell === '1'
          ? 1
          : cell === false || cell === 0 || cell === 'false' || cell === '0'
            ? 0
            : -1;
      if (v < 0) fail(column, row, cell, dtype, input, ' (expected true/false or 1/0)');
      (out as Uint8Array)[j] = v;
      continue;
    }
    const n = toNumber(cell);
    if (Number.isNaN(n))
      fail(
        column,
        row,
        cell,
        dtype,
        input,
        cell === null || cell === 'NaN' || typeof cell === 'number' ? NA_HINT : ' (expected a number)',
      );
    if (dtype === 'int64' || dtype === 'int32') {
      if (!Number.isInteger(n)) fail(column, row, cell, dtype, input, ' (expected an integer)');
      if (dtype === 'int64') (out as BigInt64Array)[j] = BigInt(n);
      else (out as Int32Array)[j] = n;
    } else {
      (out as Float32Array | Float64Array)[j] = n;
    }
  }
}
