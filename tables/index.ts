/**
 * Table readers: one file (`readTable`) or a time window of files (`readWindow`), CSV/TSV, Parquet and
 * JSON Lines, local or `s3://`.
 */
export { detectFormat, type ReadTableFileOptions, readTable, type TableFormat } from './read.ts';
export { type DataFile, listDataFiles, type SourceOptions } from './source.ts';
export { ColumnTable } from './table.ts';
export type { Cell, ReadTableOptions, Table } from './types.ts';
export {
  inWindow,
  parseDuration,
  partitionDate,
  type ReadWindowOptions,
  readWindow,
  type WindowTable,
} from './window.ts';
export { tableToCsv, toCsv, writeCsv } from './write.ts';
