/**
 * `readTable`: one CSV, TSV, Parquet or JSON Lines file, local or `s3://`, into a typed column Table.
 */
import { UsageError } from '../core/errors.ts';
import { readDelimited } from './csv.ts';
import { readJsonLines } from './jsonl.ts';
import { readParquet } from './parquet.ts';
import { openAsyncBuffer, openStream, type SourceOptions } from './source.ts';
import type { ReadTableOptions, Table } from './types.ts';

/** A table format. */
export type TableFormat = NonNullable<ReadTableOptions['format']>;

const EXTENSIONS: Record<string, TableFormat> = {
  csv: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  parquet: 'parquet',
  pq: 'parquet',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  json: 'jsonl',
};

/** The format named by a file's extension (`.gz` is looked through); UsageError when unknown. */
export function detectFormat(uri: string): TableFormat {
  const name = uri.split(/[/?#]/).filter(Boolean).at(-1) ?? uri;
  const ext = name.toLowerCase().replace(/\.gz$/, '').split('.').at(-1) ?? '';
  const format = name.includes('.') ? EXTENSIONS[ext] : undefined;
  if (format === undefined) {
    throw new UsageError(
      `cannot tell the format of '${uri}' from its extension; expected .csv, .tsv, .parquet, .jsonl, .ndjson or .json (or pass the format)`,
    );
  }
  return format;
}

/** Options of readTable: columns, format, and how to reach S3. */
export type ReadTableFileOptions = ReadTableOptions &
  SourceOptions & {
    /** A requested column the file lacks: `error` (default, UsageError) or `skip` (left out of the table). */
    missingColumns?: 'error' | 'skip';
  };

/**
 * Read one table file. CSV/TSV and JSON Lines are streamed (a `.gz` suffix is gunzipped); Parquet is read
 * by byte range, only the requested columns. Bad content or a missing column is a UsageError naming the file.
 */
export async function readTable(uri: string, opts: ReadTableFileOptions = {}): Promise<Table> {
  const format = opts.format ?? detectFormat(uri);
  const source = uri;
  const skipMissing = opts.missingColumns === 'skip';
  if (format === 'parquet') {
    if (uri.toLowerCase().endsWith('.gz')) throw new UsageError(`'${uri}': gzipped Parquet is not supported`);
    return readParquet(await openAsyncBuffer(uri, opts), { columns: opts.columns, source, skipMissing });
  }
  const stream = await openStream(uri, opts);
  try {
    if (format === 'jsonl')
      return await readJsonLines(stream, { columns: opts.columns, source, skipMissing });
    return await readDelimited(stream, {
      delimiter: format === 'tsv' ? '\t' : ',',
      columns: opts.columns,
      source,
      skipMissing,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'Z_DATA_ERROR') {
      throw new UsageError(`'${uri}' is not valid gzip data (${(err as Error).message})`);
    }
    throw err;
  } finally {
    stream.destroy();
  }
}
