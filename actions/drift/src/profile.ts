/**
 * The reference profile: what `track` saves next to a model version and `drift` reads back instead of the
 * training data. Per column it keeps what every drift method needs exactly (value counts, quantile bins, the
 * sorted finite values or, above `maxSample`, a seeded sample of them) and what the report shows (mean,
 * quantiles, histogram).
 */
import { UsageError } from '../../../core/errors.ts';
import type { ModelSpec } from '../../../registry/types.ts';
import {
  type ColumnData,
  DEFAULT_MAX_CATEGORIES,
  distinctOf,
  prepareColumn,
} from '../../../stats/drift/column.ts';
import {
  binCountsSorted,
  decileEdges,
  histogramSorted,
  type NumericSummary,
  summarizeSorted,
} from '../../../stats/drift/quantile.ts';
import { ColumnTable } from '../../../tables/table.ts';
import type { Cell, Table } from '../../../tables/types.ts';
import { mulberry32 } from '../../../core/random.ts';

/** The `format` field of every profile. */
export const PROFILE_FORMAT = 'mlops-reference-profile';

/** Default number of finite values kept per numeric column; larger columns keep a seeded sample. */
export const DEFAULT_MAX_SAMPLE = 100_000;

/** Default number of whole rows kept (seeded sample) so that the champion can be run on the reference. */
export const DEFAULT_ROW_SAMPLE = 5_000;

/** Number of equal-width histogram bins saved for the HTML report. */
export const HISTOGRAM_BINS = 20;

/** One column of a reference profile. */
export interface ProfileColumn {
  name: string;
  kind: 'numeric' | 'categorical';
  /** Rows seen, null cells, NaN/±inf cells, and values kept for statistics. */
  rows: number;
  missing: number;
  nonFinite: number;
  count: number;
  /** Numeric: exact distinct finite values. Categorical: distinct categories kept (see `overflowDistinct`). */
  distinct: number;
  /** Numeric: sorted finite values, all of them unless `sampled`. */
  values?: number[];
  /** True when `values` is a seeded sample of `count` values. */
  sampled?: boolean;
  /** Exact `[value, count]` pairs: every category, or every numeric value when at most 1000 distinct. */
  valueCounts?: [number | string, number][];
  /** Categorical: distinct categories beyond the cap and the values they held. */
  overflowDistinct?: number;
  otherCount?: number;
  /** Numeric with more than 20 distinct values: inner reference-decile edges and the reference count per bin. */
  bins?: { edges: number[]; counts: number[] };
  /** Numeric: summary for reports. */
  summary?: NumericSummary;
  /** Numeric: equal-width histogram between summary.min and summary.max for the HTML report. */
  histogram?: { min: number; max: number; counts: number[] };
}

/** A saved reference profile. */
export interface ReferenceProfile {
  format: typeof PROFILE_FORMAT;
  version: 1;
  /** Rows in the reference. */
  rows: number;
  /** ISO 8601 time the profile was built, when the caller gave one. */
  created?: string;
  columns: ProfileColumn[];
  /**
   * A seeded sample of whole rows (column-wise; NaN/±inf stored as null), so that prediction drift can run the
   * champion model on the reference when the profile holds no prediction column.
   */
  sample?: { rows: number; columns: Record<string, Cell[]> };
}

/** Options of `buildProfile`. */
export interface ProfileOptions {
  /** Profile only these columns. Defaults to every column not ignored in `spec.drift.columns`. */
  columns?: string[];
  /** Columns to treat as categorical even when numeric (added to those marked in `spec`). */
  categorical?: string[];
  /** Numeric values kept per column before sampling. Defaults to 100 000. */
  maxSample?: number;
  /** Distinct categories kept per column. Defaults to 1000. */
  maxCategories?: number;
  /** Seed of the sample (deterministic). Defaults to 1. */
  seed?: number;
  /** Stored as `created`. */
  created?: string;
  /** Whole rows kept as `sample` (0: none). Defaults to 5 000. */
  rowSample?: number;
}

/** Which columns are categorical per `spec` (drift.columns.*.categorical, or schema dtype string/category/bool). */
export function categoricalFromSpec(spec: ModelSpec | undefined): Set<string> {
  const out = new Set<string>();
  for (const f of spec?.schema?.features ?? []) {
    if (['string', 'category', 'bool'].includes(f.dtype)) out.add(f.name);
  }
  for (const [name, c] of Object.entries(spec?.drift?.columns ?? {})) {
    if (c.categorical === true) out.add(name);
    if (c.categorical === false) out.delete(name);
  }
  return out;
}

/** Build the reference profile of a table; `spec` picks categorical and ignored columns. */
export function buildProfile(table: Table, spec?: ModelSpec, opts: ProfileOptions = {}): ReferenceProfile {
  const ignored = new Set(
    Object.entries(spec?.drift?.columns ?? {})
      .filter(([, c]) => c.ignore)
      .map(([n]) => n),
  );
  const names = opts.columns ?? table.columns.filter((c) => !ignored.has(c));
  const categorical = categoricalFromSpec(spec);
  for (const c of opts.categorical ?? []) categorical.add(c);
  const columns = names.map((name) =>
    profileColumn(
      name,
      prepareColumn(table.column(name), {
        categorical: categorical.has(name),
        maxCategories: opts.maxCategories,
      }),
      opts,
    ),
  );
  const profile: ReferenceProfile = { format: PROFILE_FORMAT, version: 1, rows: table.rows, columns };
  if (opts.created) profile.created = opts.created;
  const k = Math.min(opts.rowSample ?? DEFAULT_ROW_SAMPLE, table.rows);
  if (k > 0) profile.sample = rowSample(table, names, k, opts.seed ?? 1);
  return profile;
}

/** A seeded sample of `k` whole rows of `names`, in table order. */
export function rowSample(
  table: Table,
  names: string[],
  k: number,
  seed: number,
): NonNullable<ReferenceProfile['sample']> {
  const all = new Float64Array(table.rows);
  for (let i = 0; i < all.length; i++) all[i] = i;
  const picked = k >= table.rows ? all : seededSample(all, k, seed);
  const columns: Record<string, Cell[]> = {};
  for (const name of names) {
    const cells = table.column(name);
    columns[name] = Array.from(picked, (i) => {
      const c = cells[i] ?? null;
      return typeof c === 'number' && !Number.isFinite(c) ? null : c;
    });
  }
  return { rows: picked.length, columns };
}

/** The profile's row sample as a Table (undefined when the profile has none). */
export function sampleTable(profile: ReferenceProfile): Table | undefined {
  const s = profile.sample;
  if (!s) return undefined;
  const names = Object.keys(s.columns);
  return new ColumnTable(names, new Map(Object.entries(s.columns)), s.rows, 'the reference profile sample');
}

/** The profile entry of one prepared column. */
export function profileColumn(name: string, col: ColumnData, opts: ProfileOptions = {}): ProfileColumn {
  const base = { name, rows: col.rows, missing: col.missing, nonFinite: col.nonFinite, count: col.count };
  if (col.kind === 'categorical') {
    return {
      ...base,
      kind: 'categorical',
      distinct: col.counts.size,
      valueCounts: [...col.counts],
      overflowDistinct: col.overflowDistinct,
      otherCount: col.otherCount,
    };
  }
  const maxSample = opts.maxSample ?? DEFAULT_MAX_SAMPLE;
  const sorted = col.sorted;
  const summary = summarizeSorted(sorted);
  const out: ProfileColumn = { ...base, kind: 'numeric', distinct: col.distinct, summary };
  if (sorted.length > maxSample) {
    out.values = Array.from(seededSample(sorted, maxSample, opts.seed ?? 1));
    out.sampled = true;
  } else {
    out.values = Array.from(sorted);
  }
  if (col.valueCounts) out.valueCounts = [...col.valueCounts];
  if (col.distinct > 20) {
    const edges = decileEdges(sorted);
    out.bins = { edges, counts: binCountsSorted(sorted, edges) };
  }
  if (sorted.length) {
    out.histogram = {
      min: summary.min,
      max: summary.max,
      counts: histogramSorted(sorted, summary.min, summary.max, HISTOGRAM_BINS),
    };
  }
  return out;
}

/** A sorted sample of `k` of the sorted values, without replacement, from a seeded generator. */
export function seededSample(sorted: Float64Array, k: number, seed: number): Float64Array {
  const idx = new Uint32Array(sorted.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  const rand = mulberry32(seed);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (idx.length - i));
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  const picked = idx.slice(0, k).sort();
  const out = new Float64Array(k);
  for (let i = 0; i < k; i++) out[i] = sorted[picked[i]];
  return out;
}

/** The profile column as the drift statistics' reference side. */
export function profileToColumn(p: ProfileColumn): ColumnData {
  const counts = { rows: p.rows, missing: p.missing, nonFinite: p.nonFinite };
  if (p.kind === 'categorical') {
    return {
      ...counts,
      kind: 'categorical',
      count: p.count,
      counts: new Map((p.valueCounts ?? []).map(([k, v]) => [String(k), v])),
      overflowDistinct: p.overflowDistinct ?? 0,
      otherCount: p.otherCount ?? 0,
    };
  }
  const sorted = Float64Array.from(p.values ?? []);
  const valueCounts = p.valueCounts
    ? new Map(p.valueCounts.map(([k, v]) => [Number(k), v]))
    : p.sampled
      ? undefined
      : distinctOf(sorted, DEFAULT_MAX_CATEGORIES).valueCounts;
  return {
    ...counts,
    kind: 'numeric',
    sorted,
    count: p.count,
    sampled: p.sampled,
    distinct: p.distinct,
    valueCounts,
    bins: p.bins,
  };
}

/** Parse and check a saved profile (JSON text or an already-parsed value); a bad one is a UsageError. */
export function parseProfile(json: string | unknown): ReferenceProfile {
  let value: unknown = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (err) {
      throw new UsageError(`reference profile is not valid JSON: ${(err as Error).message}`);
    }
  }
  const p = value as Partial<ReferenceProfile> | null;
  if (!p || typeof p !== 'object' || p.format !== PROFILE_FORMAT) {
    throw new UsageError(
      `reference profile has no "format": "${PROFILE_FORMAT}"; expected a file written by buildProfile`,
    );
  }
  if (p.version !== 1)
    throw new UsageError(`reference profile version ${String(p.version)} is not supported; expected 1`);
  if (!Array.isArray(p.columns) || typeof p.rows !== 'number') {
    throw new UsageError('reference profile needs "rows" (a number) and "columns" (an array)');
  }
  if (p.sample !== undefined) {
    const s = p.sample as { rows?: unknown; columns?: unknown } | null;
    const cols = s?.columns as Record<string, unknown> | undefined;
    if (
      !s ||
      typeof s.rows !== 'number' ||
      !cols ||
      typeof cols !== 'object' ||
      Object.values(cols).some((v) => !Array.isArray(v) || v.length !== s.rows)
    ) {
      throw new UsageError('reference profile "sample" must be {"rows": n, "columns": {name: [n cells]}}');
    }
  }
  for (const [i, c] of p.columns.entries()) {
    const where = `reference profile column ${i} (${JSON.stringify(c?.name)})`;
    if (!c || typeof c.name !== 'string') throw new UsageError(`${where}: "name" must be a string`);
    if (c.kind !== 'numeric' && c.kind !== 'categorical') {
      throw new UsageError(
        `${where}: "kind" is ${JSON.stringify(c.kind)}; expected "numeric" or "categorical"`,
      );
    }
    for (const f of ['rows', 'missing', 'nonFinite', 'count', 'distinct'] as const) {
      if (typeof c[f] !== 'number') throw new UsageError(`${where}: "${f}" must be a number`);
    }
    if (c.kind === 'numeric' && !Array.isArray(c.values))
      throw new UsageError(`${where}: "values" must be an array`);
    if (c.kind === 'categorical' && !Array.isArray(c.valueCounts)) {
      throw new UsageError(`${where}: "valueCounts" must be an array of [value, count]`);
    }
  }
  return p as ReferenceProfile;
}

/** The profile as JSON text (the file `track` stores). */
export function serializeProfile(profile: ReferenceProfile): string {
  return `${JSON.stringify(profile)}\n`;
}
