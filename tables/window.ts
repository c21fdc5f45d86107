/**
 * `readWindow`: the rows of every data file at a location (path, glob or `s3://` prefix) inside a time
 * window, concatenated. A file whose key holds a `date=YYYY-MM-DD` (or `dt=`) partition is selected by that
 * date; any other file by its modification time.
 */
import { UsageError } from '../core/errors.ts';
import { readTable, type TableFormat } from './read.ts';
import { type DataFile, listDataFiles, type SourceOptions } from './source.ts';
import { TableAccumulator } from './table.ts';
import type { Table } from './types.ts';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds in a duration such as `7d`, `24h`, `30m`, `90s`, `2w`; UsageError otherwise. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$/.exec(text);
  if (!m || Number(m[1]) <= 0) {
    throw new UsageError(
      `invalid duration '${text}'; expected a positive number and a unit s, m, h, d or w, e.g. 7d or 24h`,
    );
  }
  return Number(m[1]) * UNITS[m[2]];
}

/** The partition day in a key (`…/date=2024-05-01/…` or `dt=`), as UTC midnight; undefined when none. */
export function partitionDate(uri: string): Date | undefined {
  const m = /(?:^|\/)(?:date|dt)=(\d{4})-(\d{2})-(\d{2})(?:\/|$)/.exec(uri);
  if (!m) return undefined;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return Number.isNaN(d.getTime()) || d.getUTCDate() !== Number(m[3]) ? undefined : d;
}

/** Options of readWindow. */
export interface ReadWindowOptions extends SourceOptions {
  /** A path, a glob (`logs/**\/*.parquet`), a directory, or an `s3://bucket/prefix`. */
  uri: string;
  /** How far back: `7d`, `24h`… Without it every file is read. */
  since?: string;
  /** End of the window. Default: the current time. */
  now?: Date;
  /** Read only these columns (missing from one file: nulls; missing from all: UsageError). */
  columns?: string[];
  /** Force the format of every file instead of guessing from each extension. */
  format?: TableFormat;
}

/** The concatenated rows of a window, with the files they came from and the window's start. */
export type WindowTable = Table & { files: DataFile[]; from?: Date };

/** True when `file` falls in the window starting at `from`: its partition day overlaps it, or its mtime is inside. */
export function inWindow(file: DataFile, from: Date): boolean {
  const day = partitionDate(file.uri);
  if (day) return day.getTime() + UNITS.d > from.getTime();
  return file.modified.getTime() >= from.getTime();
}

/**
 * Read every matching file in the window, one at a time, into one table. An empty window is a UsageError
 * naming the location and the window.
 */
export async function readWindow(opts: ReadWindowOptions): Promise<WindowTable> {
  const now = opts.now ?? new Date();
  const from = opts.since === undefined ? undefined : new Date(now.getTime() - parseDuration(opts.since));
  const all = await listDataFiles(opts.uri, opts);
  const files = from ? all.filter((f) => inWindow(f, from)) : all;
  if (files.length === 0) {
    const window = from ? ` in the window since ${from.toISOString()} (${opts.since})` : '';
    throw new UsageError(
      `no data files at '${opts.uri}'${window}; found ${all.length} file(s) there in all (expected .csv, .tsv, .parquet, .jsonl, .ndjson or .json)`,
    );
  }
  const acc = new TableAccumulator();
  const seen = new Set<string>();
  for (const file of files) {
    const t = await readTable(file.uri, {
      format: opts.format,
      s3: opts.s3,
      env: opts.env,
      columns: opts.columns,
      missingColumns: 'skip',
    });
    for (const c of t.columns) seen.add(c);
    acc.add(t);
  }
  const missing = (opts.columns ?? []).filter((c) => !seen.has(c));
  if (missing.length > 0) {
    throw new UsageError(
      `column(s) ${missing.map((c) => `'${c}'`).join(', ')} not found in any file at '${opts.uri}'`,
    );
  }
  const table = acc.table(opts.uri);
  return Object.assign(table, { files, from });
}
