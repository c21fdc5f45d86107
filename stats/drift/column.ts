/**
 * One column prepared for the drift statistics: non-finite numbers and nulls dropped and counted, numbers sorted,
 * categories counted. Both sides of a comparison are `ColumnData`; a reference profile converts to one too.
 */
import type { Cell } from '../../tables/types.ts';
import { sortFloat64 } from './sort.ts';

/** Default cap on distinct categories kept per column (the rest are counted together, and reported). */
export const DEFAULT_MAX_CATEGORIES = 1000;

/** What was dropped before testing. */
export interface ColumnCounts {
  /** Rows seen. */
  rows: number;
  /** Null (missing) cells. */
  missing: number;
  /** NaN and ±Infinity cells (numeric columns). */
  nonFinite: number;
}

/** A numeric column: finite values, sorted ascending. */
export interface NumericColumn extends ColumnCounts {
  kind: 'numeric';
  /** Sorted finite values (the whole column, or a seeded sample of it when `sampled`). Sorted on first use. */
  sorted: Float64Array;
  /** The finite values in column order, when read from data: binned methods use them without sorting. */
  values?: Float64Array;
  /** Number of finite values in the whole column (equals `sorted.length` unless `sampled`). */
  count: number;
  /** True when `sorted` is a sample of the column (a saved profile of a large reference). */
  sampled?: boolean;
  /** Exact distinct finite values in the whole column. */
  distinct: number;
  /** Exact counts per distinct value when the column has at most `maxCategories` distinct values. */
  valueCounts?: Map<number, number>;
  /** Precomputed reference-quantile bins (saved profile): inner edges and the count per bin. */
  bins?: { edges: number[]; counts: number[] };
}

/** A categorical column: counts per category (as text). */
export interface CategoricalColumn extends ColumnCounts {
  kind: 'categorical';
  /** Count per category, in first-seen order. */
  counts: Map<string, number>;
  /** Non-null values. */
  count: number;
  /** Distinct categories beyond the cap, whose values were counted under `otherCount` only. */
  overflowDistinct: number;
  /** Values of categories beyond the cap. */
  otherCount: number;
}

/** Either kind. */
export type ColumnData = NumericColumn | CategoricalColumn;

/** The text form of a category value. */
export function categoryKey(cell: Cell): string {
  if (typeof cell === 'number') return Number.isNaN(cell) ? 'NaN' : String(cell);
  return String(cell);
}

/** True when every non-null cell is a number (an all-null column counts as numeric). */
export function looksNumeric(cells: ArrayLike<Cell>): boolean {
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    if (c !== null && c !== undefined && typeof c !== 'number') return false;
  }
  return true;
}

/**
 * Prepare a numeric column: drop nulls and non-finite values (a Float64Array of finite numbers is kept, not copied:
 * do not write to it while the column is in use). `sorted`, `distinct` and `valueCounts` are computed
 * on first use (the sort is the cost of most statistics; PSI and Jensen-Shannon do without it).
 */
export function numericColumn(cells: ArrayLike<Cell>, opts: { maxCategories?: number } = {}): NumericColumn {
  const maxCategories = opts.maxCategories ?? DEFAULT_MAX_CATEGORIES;
  let n = 0;
  let missing = 0;
  let nonFinite = 0;
  let finite: Float64Array;
  if (cells instanceof Float64Array && allFinite(cells)) {
    // Already finite numbers: used as they are (no copy; nothing here writes to them).
    finite = cells;
    n = cells.length;
  } else {
    const values = new Float64Array(cells.length);
    for (let i = 0; i < cells.length; i++) {
      const c = cells[i];
      if (c === null || c === undefined) missing++;
      else if (typeof c !== 'number')
        throw new TypeError(`numericColumn: non-numeric cell ${JSON.stringify(c)}`);
      else if (Number.isFinite(c)) values[n++] = c;
      else nonFinite++;
    }
    finite = values.subarray(0, n);
  }
  let sorted: Float64Array | undefined;
  let distinct: { distinct: number; valueCounts?: Map<number, number> } | undefined;
  const getSorted = () => {
    sorted ??= sortFloat64(finite);
    return sorted;
  };
  const getDistinct = () => {
    distinct ??= distinctOf(getSorted(), maxCategories);
    return distinct;
  };
  return {
    kind: 'numeric',
    rows: cells.length,
    missing,
    nonFinite,
    count: n,
    values: finite,
    get sorted() {
      return getSorted();
    },
    get distinct() {
      return getDistinct().distinct;
    },
    get valueCounts() {
      return getDistinct().valueCounts;
    },
  };
}

function allFinite(x: Float64Array): boolean {
  let ok = 1;
  // v - v is 0 for finite v, NaN for NaN and ±Infinity: one branch-free test per value.
  for (let i = 0; i < x.length; i++) ok &= +(x[i] - x[i] === 0);
  return ok === 1;
}

/** True when the column holds more than `k` distinct finite values (a short scan when `values` are known). */
export function moreDistinctThan(col: NumericColumn, k: number): boolean {
  if (!col.values) return col.distinct > k;
  const seen = new Set<number>();
  for (let i = 0; i < col.values.length; i++) {
    seen.add(col.values[i]);
    if (seen.size > k) return true;
  }
  return false;
}

/** Distinct count and (when at most `maxCategories`) the value counts of a sorted array. */
export function distinctOf(
  sorted: Float64Array,
  maxCategories: number,
): { distinct: number; valueCounts?: Map<number, number> } {
  let distinct = 0;
  let counts: Map<number, number> | undefined = new Map();
  for (let i = 0; i < sorted.length; ) {
    let j = i + 1;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    distinct++;
    if (counts) {
      if (distinct > maxCategories) counts = undefined;
      else counts.set(sorted[i] === 0 ? 0 : sorted[i], j - i);
    }
    i = j;
  }
  return counts ? { distinct, valueCounts: counts } : { distinct };
}

/** Prepare a categorical column: drop nulls, count categories up to `maxCategories` distinct ones. */
export function categoricalColumn(
  cells: ArrayLike<Cell>,
  opts: { maxCategories?: number } = {},
): CategoricalColumn {
  const maxCategories = opts.maxCategories ?? DEFAULT_MAX_CATEGORIES;
  const counts = new Map<string, number>();
  const overflow = new Set<string>();
  let missing = 0;
  let count = 0;
  let otherCount = 0;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    if (c === null || c === undefined || (typeof c === 'number' && Number.isNaN(c))) {
      missing++;
      continue;
    }
    const key = categoryKey(c);
    count++;
    const seen = counts.get(key);
    if (seen !== undefined) counts.set(key, seen + 1);
    else if (counts.size < maxCategories) counts.set(key, 1);
    else {
      otherCount++;
      if (overflow.size <= maxCategories) overflow.add(key);
    }
  }
  return {
    kind: 'categorical',
    rows: cells.length,
    missing,
    nonFinite: 0,
    counts,
    count,
    overflowDistinct: overflow.size,
    otherCount,
  };
}

/** Prepare a column as numeric when it holds only numbers (and is not forced categorical), else as categorical. */
export function prepareColumn(
  cells: ArrayLike<Cell>,
  opts: { categorical?: boolean; maxCategories?: number } = {},
): ColumnData {
  if (!opts.categorical && looksNumeric(cells)) return numericColumn(cells, opts);
  return categoricalColumn(cells, opts);
}

/** Counts per value of a numeric column (exact when `valueCounts` was kept, else computed from `sorted`). */
export function numericCounts(col: NumericColumn): Map<number, number> {
  if (col.valueCounts) return col.valueCounts;
  return distinctOf(col.sorted, Number.POSITIVE_INFINITY).valueCounts ?? new Map();
}
