/**
 * Parquet reader over hyparquet: only the requested columns are fetched (byte ranges, so an `s3://` object
 * is not downloaded whole), one row group at a time. INT64 becomes a number, timestamps ISO strings,
 * nested values JSON text.
 */
import { type AsyncBuffer, parquetMetadataAsync, parquetRead, parquetSchema, toJson } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { UsageError } from '../core/errors.ts';
import type { Cell } from './types.ts';
import { checkColumns, ColumnTable } from './table.ts';

/** Convert one decoded Parquet value to a Cell. */
export function parquetCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'number':
    case 'string':
    case 'boolean':
      return v;
    case 'bigint':
      return Number(v);
  }
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  return JSON.stringify(toJson(v));
}

/** Read a Parquet file (as an AsyncBuffer) into a ColumnTable. */
export async function readParquet(
  file: AsyncBuffer,
  opts: { columns?: string[]; source: string; skipMissing?: boolean },
): Promise<ColumnTable> {
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (err) {
    throw new UsageError(`${opts.source} is not a Parquet file (${(err as Error).message})`);
  }
  const available = parquetSchema(metadata).children.map((c) => c.element.name);
  if (!opts.skipMissing) checkColumns(opts.columns, available, opts.source);
  const names = opts.columns ? available.filter((n) => opts.columns!.includes(n)) : available;
  const rows = Number(metadata.num_rows);
  const data = new Map<string, Cell[]>(names.map((n) => [n, new Array<Cell>(rows).fill(null)]));
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    const groupRows = Number(group.num_rows);
    if (names.length > 0 && groupRows > 0) {
      await parquetRead({
        file,
        metadata,
        compressors,
        columns: names,
        rowStart: groupStart,
        rowEnd: groupStart + groupRows,
        onChunk: ({ columnName, columnData, rowStart }) => {
          const into = data.get(columnName);
          if (!into) return;
          for (let i = 0; i < columnData.length; i++) into[rowStart + i] = parquetCell(columnData[i]);
        },
      });
    }
    groupStart += groupRows;
  }
  return new ColumnTable(names, data, rows, opts.source);
}
