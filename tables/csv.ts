/**
 * Streaming CSV/TSV reader: RFC 4180 quoting (quotes, doubled quotes, delimiters and newlines inside
 * quotes), LF or CRLF line ends, a UTF-8 BOM. The first record is the header. Values are typed per column
 * (see TextColumn); only the requested columns are kept.
 */
import { UsageError } from '../core/errors.ts';
import { checkColumns, ColumnTable, TextColumn } from './table.ts';

const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Splits text chunks into records; call `push` per chunk and `end` once. */
export class CsvSplitter {
  private field = '';
  private fields: string[] = [];
  private inQuotes = false;
  private quoteSeen = false;
  private pendingCr = false;
  private readonly delim: number;
  private readonly onRecord: (fields: string[]) => void;

  constructor(delimiter: string, onRecord: (fields: string[]) => void) {
    this.delim = delimiter.charCodeAt(0);
    this.onRecord = onRecord;
  }

  push(chunk: string): void {
    let start = 0;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (this.inQuotes) {
        if (c !== QUOTE) continue;
        this.field += chunk.slice(start, i);
        start = i + 1;
        if (i + 1 < n) {
          if (chunk.charCodeAt(i + 1) === QUOTE) {
            this.field += '"';
            i++;
            start = i + 1;
          } else this.inQuotes = false;
        } else {
          this.inQuotes = false;
          this.quoteSeen = true;
        }
        continue;
      }
      if (this.quoteSeen) {
        this.quoteSeen = false;
        if (c === QUOTE) {
          this.field += '"';
          this.inQuotes = true;
          start = i + 1;
          continue;
        }
      }
      if (this.pendingCr) {
        this.pendingCr = false;
        if (c === LF) {
          start = i + 1;
          continue;
        }
      }
      if (c === this.delim) {
        this.fields.push(this.field + chunk.slice(start, i));
        this.field = '';
        start = i + 1;
      } else if (c === LF || c === CR) {
        this.fields.push(this.field + chunk.slice(start, i));
        this.field = '';
        this.emit();
        start = i + 1;
        this.pendingCr = c === CR;
      } else if (c === QUOTE && this.field === '' && start === i) {
        this.inQuotes = true;
        start = i + 1;
      }
    }
    this.field += chunk.slice(start);
  }

  /** Flush the last record (a file need not end with a newline). */
  end(): void {
    if (this.inQuotes) throw new UsageError('unterminated quoted field at the end of the file');
    if (this.field !== '' || this.fields.length > 0) {
      this.fields.push(this.field);
      this.field = '';
      this.emit();
    }
  }

  private emit(): void {
    const f = this.fields;
    this.fields = [];
    if (f.length === 1 && f[0] === '') return;
    this.onRecord(f);
  }
}

/** Read CSV/TSV text chunks into a typed ColumnTable. `source` names the file in errors. */
export async function readDelimited(
  chunks: AsyncIterable<string | Buffer>,
  opts: { delimiter: ',' | '\t'; columns?: string[]; source: string; skipMissing?: boolean },
): Promise<ColumnTable> {
  let header: string[] | undefined;
  let keep: { index: number; col: TextColumn }[] = [];
  let line = 0;
  let rows = 0;
  const splitter = new CsvSplitter(opts.delimiter, (fields) => {
    line++;
    if (header === undefined) {
      header = fields;
      if (header.length > 0) header[0] = header[0].replace(/^\uFEFF/, '');
      const dup = header.find((h, i) => header!.indexOf(h) !== i);
      if (dup !== undefined)
        throw new UsageError(`duplicate column '${dup}' in the header of ${opts.source}`);
      if (!opts.skipMissing) checkColumns(opts.columns, header, opts.source);
      const wanted = opts.columns ? new Set(opts.columns) : undefined;
      keep = header.flatMap((h, index) =>
        !wanted || wanted.has(h) ? [{ index, col: new TextColumn() }] : [],
      );
      return;
    }
    if (fields.length !== header.length) {
      throw new UsageError(
        `record ${line} of ${opts.source} has ${fields.length} fields; expected ${header.length} like the header`,
      );
    }
    for (const k of keep) k.col.push(fields[k.index]);
    rows++;
  });
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) {
    splitter.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
  }
  splitter.push(decoder.decode());
  try {
    splitter.end();
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`${err.message} (${opts.source})`);
    throw err;
  }
  if (header === undefined) throw new UsageError(`${opts.source} is empty; expected a header line`);
  const names = keep.map((k) => header![k.index]);
  return new ColumnTable(
    names,
    new Map(keep.map((k) => [header![k.index], k.col.values])),
    rows,
    opts.source,
  );
}
