/**
 * Turning table columns into the numeric arrays the metrics take: labels per task, score columns, and the
 * rows dropped for missing values (only with `dropNa`; otherwise a missing value is an error naming its row).
 */
import { UsageError } from '../../../core/errors.ts';
import type { Task } from '../../../stats/metrics/index.ts';
import type { Cell } from '../../../tables/types.ts';

const isMissing = (c: Cell) => c === null || (typeof c === 'number' && Number.isNaN(c)) || c === '';

/** A column's values as numbers; `what` names the column in errors. Rows are 1-based data rows. */
export function numericColumn(cells: Cell[], what: string): Float64Array {
  const out = new Float64Array(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    const v =
      typeof c === 'number'
        ? c
        : typeof c === 'boolean'
          ? Number(c)
          : typeof c === 'string' && c.trim()
            ? Number(c)
            : Number.NaN;
    if (!Number.isFinite(v)) {
      throw new UsageError(
        `${what} row ${i + 1}: ${c === null ? 'a missing value' : JSON.stringify(c)} is not a finite number.`,
      );
    }
    out[i] = v;
  }
  return out;
}

/**
 * Labels for the task: binary 0/1 (also true/false), multiclass 0..k-1, regression any finite number.
 * `role` names the column in errors (`label`, or `prediction` for hard predictions).
 */
export function labelColumn(
  cells: Cell[],
  task: Task,
  column: string,
  k?: number,
  role = 'label',
): Float64Array {
  const out = new Float64Array(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    const v =
      c === true
        ? 1
        : c === false
          ? 0
          : typeof c === 'string' && c.trim()
            ? Number(c)
            : typeof c === 'number'
              ? c
              : Number.NaN;
    const ok =
      task === 'regression'
        ? Number.isFinite(v)
        : task === 'binary'
          ? v === 0 || v === 1
          : Number.isInteger(v) && v >= 0 && (k === undefined || v < k);
    if (!ok) {
      const expected =
        task === 'regression'
          ? 'a finite number'
          : task === 'binary'
            ? '0 or 1 (or true/false)'
            : `a class index 0..${(k ?? 1) - 1}`;
      throw new UsageError(
        `${role} column '${column}' row ${i + 1}: ${c === null ? 'a missing value' : JSON.stringify(c)} is not valid; expected ${expected}.`,
      );
    }
    out[i] = v;
  }
  return out;
}

/** Indexes of rows where none of `columns` is missing, and how many were dropped. */
export function completeRows(columns: Cell[][], rows: number): { keep: number[]; dropped: number } {
  const keep: number[] = [];
  for (let i = 0; i < rows; i++) if (!columns.some((c) => isMissing(c[i]))) keep.push(i);
  return { keep, dropped: rows - keep.length };
}
