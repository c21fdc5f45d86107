/**
 * The in-memory Table (column arrays) and the builders the readers fill: typed text columns for CSV/TSV and
 * a concatenating accumulator for windows of several files.
 */
import { UsageError } from '../core/errors.ts';
import type { Cell, Table } from './types.ts';

/** A Table over column arrays of equal length. */
export class ColumnTable implements Table {
  readonly columns: string[];
  readonly rows: number;
  private readonly data: Map<string, Cell[]>;
  private readonly source: string;

  /** `source` names the data in error messages (a path or URI). */
  constructor(columns: string[], data: Map<string, Cell[]>, rows: number, source = 'the table') {
    this.columns = columns;
    this.data = data;
    this.rows = rows;
    this.source = source;
  }

  column(name: string): Cell[] {
    const values = this.data.get(name);
    if (values === undefined) {
      throw new UsageError(
        `column '${name}' not found in ${this.source}; available: ${this.columns.join(', ') || '(none)'}`,
      );
    }
    return values;
  }

  has(name: string): boolean {
    return this.data.has(name);
  }
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NAN = new Set(['NaN', 'nan', 'NAN', '-nan', '-NaN']);
const INF = new Map([
  ['inf', Infinity],
  ['+inf', Infinity],
  ['Inf', Infinity],
  ['Infinity', Infinity],
  ['+Infinity', Infinity],
  ['-inf', -Infinity],
  ['-Inf', -Infinity],
  ['-Infinity', -Infinity],
]);
/** Markers that mean "missing" in a numeric or boolean column (kept as text if the column turns out to be text). */
const MISSING = new Set(['NA', 'N/A', '#N/A', 'null', 'NULL', 'None', 'none']);
const BOOL = new Map([
  ['true', true],
  ['True', true],
  ['TRUE', true],
  ['false', false],
  ['False', false],
  ['FALSE', false],
]);

/** Parse a number the way the CSV reader does: decimal/scientific, NaN and ±inf spellings; undefined otherwise. */
export function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (NUMBER.test(t)) return Number(t);
  if (NAN.has(t)) return Number.NaN;
  return INF.get(t);
}

/** Decimal text that `String(Number(text))` prints back unchanged (checked cheaply, no conversion). */
const CANONICAL = /^-?(?:0|[1-9]\d{0,14})(?:\.\d{0,14}[1-9])?$/;
/** Original spellings kept per column at most (bounded memory); later values print back as `String(n)`. */
const RAW_LIMIT = 100_000;

/**
 * One text column being typed while it is read. A column is numeric when every non-empty value parses as a
 * number (missing markers such as `NA` become null), boolean when every one is true/false, else text; an
 * empty field is always null. When a later value shows that a numeric or boolean column is text, the
 * values read so far are turned back into text: their original spelling (`1.50`, `007`, `NA`) for the
 * first 100 000 spellings that differ from the printed value, `String(value)` after that.
 */
export class TextColumn {
  private kind: 'empty' | 'number' | 'bool' | 'string' = 'empty';
  readonly values: Cell[] = [];
  private rawAt: number[] = [];
  private rawText: string[] = [];

  private keepRaw(i: number, text: string): void {
    if (this.rawAt.length < RAW_LIMIT) {
      this.rawAt.push(i);
      this.rawText.push(text);
    }
  }

  push(text: string): void {
    const i = this.values.length;
    if (text === '') {
      this.values.push(null);
      return;
    }
    if (this.kind === 'string') {
      this.values.push(text);
      return;
    }
    if (this.kind !== 'bool') {
      if (CANONICAL.test(text) && !(text.length > 7 && /^-?0\.00000/.test(text))) {
        this.kind = 'number';
        this.values.push(Number(text));
        return;
      }
      const n = parseNumber(text);
      if (n !== undefined) {
        this.kind = 'number';
        if (String(n) !== text) this.keepRaw(i, text);
        this.values.push(n);
        return;
      }
    }
    if (MISSING.has(text)) {
      this.keepRaw(i, text);
      this.values.push(null);
      return;
    }
    if (this.kind !== 'number') {
      const b = BOOL.get(text);
      if (b !== undefined) {
        this.kind = 'bool';
        if (String(b) !== text) this.keepRaw(i, text);
        this.values.push(b);
        return;
      }
    }
    this.toText();
    this.values.push(text);
  }

  private toText(): void {
    for (let i = 0; i < this.values.length; i++) {
      const v = this.values[i];
      if (v !== null) this.values[i] = String(v);
    }
    for (let j = 0; j < this.rawAt.length; j++) this.values[this.rawAt[j]] = this.rawText[j];
    this.rawAt = [];
    this.rawText = [];
    this.kind = 'string';
  }
}

/**
 * Accumulates several tables (one per file) into one: columns in order of first appearance, a column
 * absent from a file filled with nulls for that file's rows.
 */
export class TableAccumulator {
  private readonly order: string[] = [];
  private readonly data = new Map<string, Cell[]>();
  private rows = 0;

  /** Append every row of `t`. */
  add(t: Table): void {
    for (const name of t.columns) {
      if (!this.data.has(name)) {
        this.order.push(name);
        this.data.set(name, new Array<Cell>(this.rows).fill(null));
      }
    }
    for (const name of this.order) {
      const into = this.data.get(name)!;
      if (t.has(name)) for (const v of t.column(name)) into.push(v);
      else for (let i = 0; i < t.rows; i++) into.push(null);
    }
    this.rows += t.rows;
  }

  /** The concatenated table. */
  table(source: string): ColumnTable {
    return new ColumnTable([...this.order], this.data, this.rows, source);
  }
}

/** Throw UsageError when a requested column is not among `available`. */
export function checkColumns(requested: string[] | undefined, available: string[], source: string): void {
  for (const name of requested ?? []) {
    if (!available.includes(name)) {
      throw new UsageError(
        `column '${name}' not found in ${source}; available: ${available.join(', ') || '(none)'}`,
      );
    }
  }
}
