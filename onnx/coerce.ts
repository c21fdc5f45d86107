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

/** Which input a cell fills, for coercion and its errors. */
interface Target {
  dtype: string;
  column: string;
  input: string;
}

/** Coerce one cell (data row `row`, 0-based) into `out[j]`, or throw naming the column and row. */
function coerceCell(out: TensorData, j: number, cell: Cell, row: number, t: Target): void {
  const { dtype, column, input } = t;
  if (dtype === 'string') {
    if (cell === null) fail(column, row, cell, dtype, input, NA_HINT);
    (out as string[])[j] = String(cell);
    return;
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
    return;
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

/**
 * Write `values[rowStart + i]` into `out[i * stride + offset]` for i < count, coerced to `dtype`.
 * NaN, null and unparsable text are errors for numeric inputs (NaN is never silently fed to a model).
 * Float inputs take one tight loop per column: numbers are copied as they are, anything else is coerced
 * cell by cell with its checks.
 */
export function fillColumn(
  out: TensorData,
  values: Cell[],
  at: { rowStart: number; count: number; stride: number; offset: number },
  meta: Target,
): void {
  const { rowStart, count, stride, offset } = at;
  if (meta.dtype === 'float32' || meta.dtype === 'float64') {
    const o = out as Float32Array | Float64Array;
    for (let i = 0, j = offset; i < count; i++, j += stride) {
      const cell = values[rowStart + i];
      if (typeof cell === 'number' && !Number.isNaN(cell)) o[j] = cell;
      else coerceCell(out, j, cell, rowStart + i, meta);
    }
    return;
  }
  for (let i = 0, j = offset; i < count; i++, j += stride)
    coerceCell(out, j, values[rowStart + i], rowStart + i, meta);
}

/**
 * Fill rows `rowStart..rowStart+count` of a row-major `[count, columns.length]` tensor, one row at a time
 * (sequential writes: about twice as fast as one strided pass per column for float inputs). Numbers go into
 * float inputs as they are; every other cell is coerced with the checks of `fillColumn`.
 */
export function fillRows(
  out: TensorData,
  columns: Cell[][],
  at: { rowStart: number; count: number },
  meta: { dtype: string; columns: string[]; input: string },
): void {
  const d = columns.length;
  const end = at.rowStart + at.count;
  const float = meta.dtype === 'float32' || meta.dtype === 'float64';
  const o = out as Float32Array | Float64Array;
  let j = 0;
  for (let row = at.rowStart; row < end; row++) {
    for (let k = 0; k < d; k++, j++) {
      const cell = columns[k][row];
      if (float && typeof cell === 'number' && !Number.isNaN(cell)) o[j] = cell;
      else coerceCell(out, j, cell, row, { dtype: meta.dtype, column: meta.columns[k], input: meta.input });
    }
  }
}
