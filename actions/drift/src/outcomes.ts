/**
 * Prediction drift and target drift: tested like a feature but reported apart from the features' dataset share.
 * Predictions come from a logged column on both sides, else from running the champion model on both samples
 * (the reference's rows, or the profile's row sample, and the current rows).
 */
import type { ModelSpec } from '../../../registry/types.ts';
import { type ColumnData, prepareColumn } from '../../../stats/drift/column.ts';
import {
  type ColumnDriftResult,
  DEFAULT_MIN_ROWS,
  type MethodChoice,
  testColumn,
} from '../../../stats/drift/test-column.ts';
import type { Cell, Table } from '../../../tables/types.ts';
import { compareData } from './compare.ts';
import { type ReferenceProfile, sampleTable } from './profile.ts';

/** Runs a model on a table and returns one prediction cell per row (a score, a value or a class). */
export type Predictor = (table: Table) => Promise<Cell[]>;

/** The outcome of a prediction or target test. */
export interface OutcomeDrift {
  /** The column tested (a logged column, or `prediction` for model output). */
  column: string;
  /** `logged`: a column of both sides; `model`: the champion run on both samples. */
  source: 'logged' | 'model';
  result: ColumnDriftResult;
  data?: { ref: ColumnData; cur: ColumnData };
}

/** A test that could not run, and why. */
export interface OutcomeSkipped {
  column: string;
  skipped: string;
}

/** Options shared by both tests. */
export interface OutcomeOptions {
  spec?: ModelSpec;
  method?: MethodChoice;
  minRows?: number;
}

function isProfile(x: Table | ReferenceProfile): x is ReferenceProfile {
  return (x as ReferenceProfile).format === 'mlops-reference-profile';
}

function hasColumn(x: Table | ReferenceProfile, name: string): boolean {
  return isProfile(x) ? x.columns.some((c) => c.name === name) : x.has(name);
}

function logged(
  reference: Table | ReferenceProfile,
  current: Table,
  column: string,
  opts: OutcomeOptions,
): OutcomeDrift {
  const r = compareData(reference, current, {
    columns: [column],
    spec: opts.spec,
    method: opts.method,
    minRows: opts.minRows,
  });
  return { column, source: 'logged', result: r.columns[0], data: r.data.get(column) };
}

/** Target drift on the label column, when both sides hold it. */
export function targetDrift(
  reference: Table | ReferenceProfile,
  current: Table,
  column: string,
  opts: OutcomeOptions = {},
): OutcomeDrift | OutcomeSkipped {
  if (!current.has(column)) return { column, skipped: `no '${column}' column (labels) in the current data` };
  if (!hasColumn(reference, column)) return { column, skipped: `no '${column}' column in the reference` };
  return logged(reference, current, column, opts);
}

/** Prediction drift: the logged prediction column on both sides, else the model run on both samples. */
export async function predictionDrift(
  reference: Table | ReferenceProfile,
  current: Table,
  column: string,
  opts: OutcomeOptions & { predict?: Predictor; categorical?: boolean } = {},
): Promise<OutcomeDrift | OutcomeSkipped> {
  if (current.has(column) && hasColumn(reference, column)) return logged(reference, current, column, opts);
  if (!opts.predict) {
    return {
      column,
      skipped: `no '${column}' column on both sides and no champion ONNX model to run`,
    };
  }
  const refRows = isProfile(reference) ? sampleTable(reference) : reference;
  if (!refRows) {
    return {
      column,
      skipped: 'the reference profile holds neither predictions nor a row sample to run the model on',
    };
  }
  const [refCells, curCells] = [await opts.predict(refRows), await opts.predict(current)];
  const categorical = opts.categorical ?? refCells.some((c) => typeof c === 'string');
  const ref = prepareColumn(refCells, { categorical });
  const cur = prepareColumn(curCells, { categorical });
  const o = opts.spec?.drift?.columns?.[column] ?? {};
  const result = testColumn(column, ref, cur, {
    method: o.method ?? opts.method ?? opts.spec?.drift?.method ?? 'auto',
    threshold: o.threshold ?? opts.spec?.drift?.threshold,
    minRows: opts.minRows ?? opts.spec?.drift?.min_rows ?? DEFAULT_MIN_ROWS,
  });
  return { column, source: 'model', result, data: { ref, cur } };
}

/** True for a test that ran (not skipped). */
export function ran(o: OutcomeDrift | OutcomeSkipped): o is OutcomeDrift {
  return 'result' in o;
}
