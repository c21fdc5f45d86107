/**
 * Tables read from CSV, Parquet or JSON Lines, local or `s3://`. Column-oriented: evaluation and drift
 * work one column at a time.
 */

/** One cell. Numbers are finite or NaN/±Infinity as read; missing values are null. */
export type Cell = number | string | boolean | null;

/** A table held column by column. */
export interface Table {
  /** Column names in file order. */
  readonly columns: string[];
  /** Number of rows. */
  readonly rows: number;
  /** The values of one column; throws UsageError naming the column and the available ones when absent. */
  column(name: string): Cell[];
  /** True when the column exists. */
  has(name: string): boolean;
}

/** Options for reading a table. */
export interface ReadTableOptions {
  /** Read only these columns (others are skipped where the format allows). */
  columns?: string[];
  /** Force the format instead of guessing from the extension (.csv, .tsv, .parquet, .jsonl, .ndjson, .json). */
  format?: 'csv' | 'tsv' | 'parquet' | 'jsonl';
}
