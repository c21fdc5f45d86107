import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.ts';
import { CsvSplitter, readDelimited } from '../../tables/csv.ts';
import { parseNumber } from '../../tables/table.ts';

/** Feed `text` in chunks of `size` characters (to exercise splits inside quotes, CRLF and escapes). */
function records(text: string, size: number): string[][] {
  const out: string[][] = [];
  const s = new CsvSplitter(',', (f) => out.push(f));
  for (let i = 0; i < text.length; i += size) s.push(text.slice(i, i + size));
  s.end();
  return out;
}

const read = (text: string, columns?: string[], delimiter: ',' | '\t' = ',') =>
  readDelimited(Readable.from([Buffer.from(text)]), { delimiter, columns, source: 'test.csv' });

describe('CsvSplitter', () => {
  const text = 'a,b,c\r\n"x, y","say ""hi""","multi\nline"\r\n,"",z\n"q"""\n';
  const want = [['a', 'b', 'c'], ['x, y', 'say "hi"', 'multi\nline'], ['', '', 'z'], ['q"']];
  it.each([1, 2, 3, 5, 7, 1000])('CsvSplitter splits quoted fields the same in chunks of %i', (size) => {
    expect(records(text, size)).toEqual(want);
  });

  it('CsvSplitter keeps a last record without a newline and skips blank lines', () => {
    expect(records('a,b\n\n1,2', 4)).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('CsvSplitter refuses an unterminated quote', () => {
    expect(() => records('a\n"open', 10)).toThrow(UsageError);
  });
});

describe('readDelimited', () => {
  it('readDelimited types numeric, boolean and text columns, empty as null', async () => {
    const t = await read(
      '\uFEFFid,x,flag,name,code\n1,1.5,true,ann,007\n2,,False,,A1\n3,-2e3,TRUE,"b, c",9\n',
    );
    expect(t.columns).toEqual(['id', 'x', 'flag', 'name', 'code']);
    expect(t.rows).toBe(3);
    expect(t.column('id')).toEqual([1, 2, 3]);
    expect(t.column('x')).toEqual([1.5, null, -2000]);
    expect(t.column('flag')).toEqual([true, false, true]);
    expect(t.column('name')).toEqual(['ann', null, 'b, c']);
    expect(t.column('code')).toEqual(['007', 'A1', '9']);
  });

  it('readDelimited reads NaN, infinities and missing markers in numeric columns', async () => {
    const t = await read('v,w\nNaN,NA\ninf,x\n-Infinity,\n4,null\n');
    expect(t.column('v')).toEqual([Number.NaN, Infinity, -Infinity, 4]);
    expect(t.column('w')).toEqual(['NA', 'x', null, 'null']);
  });

  it('readDelimited keeps only the requested columns in file order', async () => {
    const t = await read('a\tb\tc\n1\t2\t3\n', ['c', 'a'], '\t');
    expect(t.columns).toEqual(['a', 'c']);
    expect(t.column('c')).toEqual([3]);
    expect(t.has('b')).toBe(false);
    expect(() => t.column('b')).toThrow(/column 'b' not found in test\.csv; available: a, c/);
  });

  it.each([
    ['a,b\n1,2,3\n', undefined, /record 2 of test\.csv has 3 fields; expected 2/],
    ['a,a\n1,2\n', undefined, /duplicate column 'a'/],
    ['', undefined, /test\.csv is empty/],
    ['a,b\n1,2\n', ['z'], /column 'z' not found in test\.csv; available: a, b/],
  ])('readDelimited refuses %j with a UsageError', async (text, columns, message) => {
    const err = await read(text, columns).catch((e) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(message);
  });

  it('parseNumber accepts decimal and scientific forms only', () => {
    expect([' 1 ', '.5', '5.', '+1e-3', '1e', '0x10', '1,000', '-'].map(parseNumber)).toEqual([
      1,
      0.5,
      5,
      0.001,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
