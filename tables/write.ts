/**
 * Writing small tables as CSV (fixtures, reports, the demo). Quotes fields that need it (RFC 4180).
 */
import { writeFile } from 'node:fs/promises';
import type { Cell, Table } from './types.ts';

function field(v: Cell): string {
  if (v === null) return '';
  const s =
    typeof v === 'number' && !Number.isFinite(v)
      ? Number.isNaN(v)
        ? 'NaN'
        : v > 0
          ? 'inf'
          : '-inf'
      : String(v);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text for rows of cells under a header. */
export function toCsv(columns: string[], rows: Cell[][]): string {
  const lines = [columns.map(field).join(',')];
  for (const r of rows) lines.push(r.map(field).join(','));
  return `${lines.join('\n')}\n`;
}

/** CSV text for a Table. */
export function tableToCsv(table: Table): string {
  const cols = table.columns.map((c) => table.column(c));
  const rows: Cell[][] = [];
  for (let i = 0; i < table.rows; i++) rows.push(cols.map((c) => c[i]));
  return toCsv(table.columns, rows);
}

/** Write rows (or a Table) to a CSV file. */
export async function writeCsv(
  path: string,
  data: Table | { columns: string[]; rows: Cell[][] },
): Promise<void> {
  const text =
    'rows' in data && Array.isArray(data.rows) ? toCsv(data.columns, data.rows) : tableToCsv(data as Table);
  await writeFile(path, text);
}
