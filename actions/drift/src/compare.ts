/**
 * Compare a reference (a table or a saved profile) with current data, column by column: the drift verdicts in the
 * `mlops drift --json` shape plus data quality (missing and new columns, null shares, unseen categories).
 */
import type { ModelSpec } from '../../../registry/types.ts';
import { type ColumnData, looksNumeric, prepareColumn } from '../../../stats/drift/column.ts';
import {
  type ColumnDriftResult,
  DEFAULT_MIN_ROWS,
  datasetVerdict,
  type MethodChoice,
  testColumn,
} from '../../../stats/drift/test-column.ts';
import type { Table } from '../../../tables/types.ts';
import { categoricalFromSpec, profileToColumn, type ReferenceProfile } from './profile.ts';

/** Options of `compareData`. */
export interface CompareOptions {
  /** Method for every column unless overridden per column in `spec`. Defaults to spec.drift.method, else auto. */
  method?: MethodChoice;
  /** Threshold for every column (else the method's default, or spec's). */
  threshold?: number;
  /** Only these columns. Defaults to every reference column not ignored. */
  columns?: string[];
  /** Columns to treat as categorical. */
  categorical?: string[];
  /** Per-column overrides, `min_rows`, `dataset_share`. */
  spec?: ModelSpec;
  /** Minimum values per side. Defaults to spec.drift.min_rows, else 30. */
  minRows?: number;
}

/** Data-quality findings for one column. */
export interface ColumnQuality {
  name: string;
  /** Share of null / non-finite cells in reference and current. */
  reference_null_share: number | null;
  current_null_share: number | null;
  /** Categories in current never seen in the reference (at most 20 listed) and how many values they hold. */
  unseen_categories?: string[];
  unseen_values?: number;
}

/** The whole comparison. */
export interface DriftReport {
  columns: ColumnDriftResult[];
  share_drifted: number;
  dataset_drift: boolean;
  quality: {
    /** Reference columns absent from the current data. */
    missing_columns: string[];
    /** Current columns the reference does not have. */
    new_columns: string[];
    columns: ColumnQuality[];
  };
  /** Per-column data for reports: the prepared sides. */
  data: Map<string, { ref: ColumnData; cur: ColumnData }>;
}

function isProfile(x: Table | ReferenceProfile): x is ReferenceProfile {
  return (x as ReferenceProfile).format === 'mlops-reference-profile';
}

/** Run every column's test and the data-quality checks. */
export function compareData(
  reference: Table | ReferenceProfile,
  current: Table,
  opts: CompareOptions = {},
): DriftReport {
  const spec = opts.spec;
  const overrides = spec?.drift?.columns ?? {};
  const categorical = categoricalFromSpec(spec);
  for (const c of opts.categorical ?? []) categorical.add(c);
  const refNames = isProfile(reference) ? reference.columns.map((c) => c.name) : reference.columns;
  const wanted = (opts.columns ?? refNames).filter((n) => !overrides[n]?.ignore);
  const missing = wanted.filter((n) => !current.has(n));
  const newColumns = current.columns.filter((n) => !refNames.includes(n));
  const results: ColumnDriftResult[] = [];
  const quality: ColumnQuality[] = [];
  const data = new Map<string, { ref: ColumnData; cur: ColumnData }>();
  for (const name of wanted) {
    const o = overrides[name] ?? {};
    const method = o.method ?? opts.method ?? spec?.drift?.method ?? 'auto';
    const threshold = o.threshold ?? opts.threshold ?? spec?.drift?.threshold;
    const base = { method, threshold, minRows: opts.minRows ?? spec?.drift?.min_rows ?? DEFAULT_MIN_ROWS };
    let ref: ColumnData;
    if (isProfile(reference)) {
      const p = reference.columns.find((c) => c.name === name);
      if (!p) {
        results.push(errorResult(name, method, threshold, 'not in the reference profile'));
        continue;
      }
      ref = profileToColumn(p);
    } else if (!reference.has(name)) {
      results.push(errorResult(name, method, threshold, 'missing from the reference data'));
      continue;
    } else {
      ref = prepareColumn(reference.column(name), { categorical: categorical.has(name) });
    }
    if (!current.has(name)) {
      results.push(errorResult(name, method, threshold, 'missing from the current data'));
      continue;
    }
    const cells = current.column(name);
    const cur =
      ref.kind === 'categorical' || !looksNumeric(cells)
        ? prepareColumn(cells, { categorical: true })
        : prepareColumn(cells);
    data.set(name, { ref, cur });
    results.push(testColumn(name, ref, cur, base));
    quality.push(columnQuality(name, ref, cur));
  }
  const verdict = datasetVerdict(results, spec?.drift?.dataset_share ?? 0.5);
  return {
    columns: results,
    ...verdict,
    quality: { missing_columns: missing, new_columns: newColumns, columns: quality },
    data,
  };
}

function errorResult(
  name: string,
  method: MethodChoice,
  threshold: number | undefined,
  error: string,
): ColumnDriftResult {
  return {
    name,
    method,
    statistic: null,
    p_value: null,
    threshold: threshold ?? null,
    drifted: false,
    error,
  };
}

function columnQuality(name: string, ref: ColumnData, cur: ColumnData): ColumnQuality {
  const share = (c: ColumnData) => (c.rows ? (c.missing + c.nonFinite) / c.rows : null);
  const q: ColumnQuality = { name, reference_null_share: share(ref), current_null_share: share(cur) };
  if (ref.kind === 'categorical' && cur.kind === 'categorical') {
    const unseen = [...cur.counts.keys()].filter((k) => !ref.counts.has(k));
    if (unseen.length) {
      q.unseen_categories = unseen.slice(0, 20);
      q.unseen_values = unseen.reduce((s, k) => s + (cur.counts.get(k) ?? 0), 0);
    }
  }
  return q;
}

/** The `mlops drift --json` object: columns, share_drifted, dataset_drift. */
export function driftJson(report: DriftReport): {
  columns: ColumnDriftResult[];
  share_drifted: number;
  dataset_drift: boolean;
} {
  return {
    columns: report.columns,
    share_drifted: report.share_drifted,
    dataset_drift: report.dataset_drift,
  };
}
