/**
 * JSON Lines reader (one object per line; blank lines skipped) and a JSON-array fallback for `.json` files
 * that hold `[{…}, …]`. Columns appear in order of first appearance; a key absent from a row is null.
 */
import { UsageError } from '../core/errors.ts';
import type { Cell } from './types.ts';
import { checkColumns, ColumnTable } from './table.ts';

/** Collects objects into columns. */
class ObjectColumns {
  readonly order: string[] = [];
  readonly data = new Map<string, Cell[]>();
  rows = 0;
  private readonly wanted?: Set<string>;

  constructor(columns?: string[]) {
    this.wanted = columns ? new Set(columns) : undefined;
  }

  add(obj: unknown, where: string): void {
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      throw new UsageError(`${where} is not a JSON object; expected one object per line like {"a": 1}`);
    }
    const seen = new Set<string>();
    for (const [key, value] of Object.entries(obj)) {
      if (this.wanted && !this.wanted.has(key)) continue;
      let col = this.data.get(key);
      if (col === undefined) {
        col = new Array<Cell>(this.rows).fill(null);
        this.data.set(key, col);
        this.order.push(key);
      }
      col.push(toCell(value));
      seen.add(key);
    }
    for (const key of this.order) if (!seen.has(key)) this.data.get(key)!.push(null);
    this.rows++;
  }
}

function toCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

/** Read JSON Lines (or a JSON array of objects) from byte chunks into a ColumnTable. */
export async function readJsonLines(
  chunks: AsyncIterable<Buffer | string>,
  opts: { columns?: string[]; source: string; skipMissing?: boolean },
): Promise<ColumnTable> {
  const cols = new ObjectColumns(opts.columns);
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  let line = 0;
  let first = true;
  let arrayText: string[] | undefined;
  const handle = (text: string) => {
    line++;
    const t = text.trim();
    if (t === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(t);
    } catch (err) {
      throw new UsageError(`line ${line} of ${opts.source} is not valid JSON (${(err as Error).message})`);
    }
    cols.add(obj, `line ${line} of ${opts.source}`);
  };
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (first && rest.trim() === '' && (rest + text).trim() !== '') {
      first = false;
      if (
        (rest + text)
          .trimStart()
          .replace(/^\uFEFF/, '')
          .startsWith('[')
      )
        arrayText = [];
    }
    if (arrayText) {
      arrayText.push(text);
      continue;
    }
    const lines = (rest + text).split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) handle(l);
  }
  const tail = decoder.decode();
  if (arrayText) {
    readArray(arrayText.join('') + tail, cols, opts.source);
  } else {
    handle(rest + tail);
  }
  if (!opts.skipMissing) checkColumns(opts.columns, cols.order, opts.source);
  return new ColumnTable(cols.order, cols.data, cols.rows, opts.source);
}

function readArray(text: string, cols: ObjectColumns, source: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new UsageError(`${source} is not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new UsageError(`${source} is not a JSON array of objects`);
  for (const [i, obj] of parsed.entries()) cols.add(obj, `element ${i} of ${source}`);
}
