import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.ts';
import { openStore } from '../../registry/stores/open.ts';
import { detectFormat, readTable } from '../../tables/read.ts';
import { writeCsv } from '../../tables/write.ts';
import { startS3Server, type TestS3Server } from '../support/s3-server.ts';

let dir: string;
let s3: TestS3Server;

/** A Parquet file with several row groups, numeric, INT64, string (with nulls) and boolean columns. */
function parquetBytes(rows: number): Uint8Array {
  const buf = parquetWriteBuffer({
    rowGroupSize: 40,
    columnData: [
      { name: 'x', data: Float64Array.from({ length: rows }, (_, i) => i / 4), type: 'DOUBLE' },
      { name: 'n', data: Array.from({ length: rows }, (_, i) => BigInt(i) * 3n), type: 'INT64' },
      {
        name: 'city',
        data: Array.from({ length: rows }, (_, i) => (i % 5 === 0 ? null : `c${i % 3}`)),
        type: 'STRING',
      },
      { name: 'ok', data: Array.from({ length: rows }, (_, i) => i % 2 === 0), type: 'BOOLEAN' },
    ],
  });
  return new Uint8Array(buf);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tables-'));
  s3 = await startS3Server({ buckets: ['data'] });
});
afterAll(async () => {
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('readTable', () => {
  it('readTable reads Parquet across row groups, only the requested columns', async () => {
    await writeFile(join(dir, 'p.parquet'), parquetBytes(100));
    const all = await readTable(join(dir, 'p.parquet'));
    expect(all.columns).toEqual(['x', 'n', 'city', 'ok']);
    expect(all.rows).toBe(100);
    expect(all.column('x')[99]).toBe(24.75);
    expect(all.column('n')[41]).toBe(123);
    expect(all.column('city').slice(0, 3)).toEqual([null, 'c1', 'c2']);
    expect(all.column('ok').slice(0, 2)).toEqual([true, false]);
    const some = await readTable(join(dir, 'p.parquet'), { columns: ['ok', 'n'] });
    expect(some.columns).toEqual(['n', 'ok']);
    expect(some.column('n')).toEqual(all.column('n'));
    await expect(readTable(join(dir, 'p.parquet'), { columns: ['nope'] })).rejects.toThrow(
      /column 'nope' not found in .*p\.parquet; available: x, n, city, ok/,
    );
  });

  it('readTable reads JSON Lines with keys in order of appearance and nulls for absent keys', async () => {
    const text = '{"a":1,"b":"x"}\n\n{"b":"y","c":true,"d":{"k":[1]}}\n{"a":null,"c":false}\n';
    await writeFile(join(dir, 'j.jsonl'), text);
    const t = await readTable(join(dir, 'j.jsonl'));
    expect(t.columns).toEqual(['a', 'b', 'c', 'd']);
    expect(t.column('a')).toEqual([1, null, null]);
    expect(t.column('b')).toEqual(['x', 'y', null]);
    expect(t.column('c')).toEqual([null, true, false]);
    expect(t.column('d')).toEqual([null, '{"k":[1]}', null]);
    const sel = await readTable(join(dir, 'j.jsonl'), { columns: ['c'] });
    expect(sel.columns).toEqual(['c']);
    expect(sel.rows).toBe(3);
  });

  it('readTable reads a .json array of objects and a gzipped CSV', async () => {
    await writeFile(join(dir, 'arr.json'), '[{"a":1},{"a":2,"b":"z"}]');
    const arr = await readTable(join(dir, 'arr.json'));
    expect([arr.column('a'), arr.column('b')]).toEqual([
      [1, 2],
      [null, 'z'],
    ]);
    await writeFile(join(dir, 'g.csv.gz'), gzipSync('a,b\n1,x\n2,y\n'));
    const g = await readTable(join(dir, 'g.csv.gz'));
    expect(g.column('a')).toEqual([1, 2]);
  });

  it('readTable reads TSV and honours a forced format', async () => {
    await writeFile(join(dir, 'data.txt'), 'a\tb\n1\tq\n');
    const t = await readTable(join(dir, 'data.txt'), { format: 'tsv' });
    expect(t.column('b')).toEqual(['q']);
  });

  it('readTable round-trips writeCsv output', async () => {
    const rows = [
      [1, 'a,b', true],
      [Number.NaN, 'say "x"', null],
      [-Infinity, ' padded ', false],
    ];
    await writeCsv(join(dir, 'w.csv'), { columns: ['v', 's', 'f'], rows });
    const t = await readTable(join(dir, 'w.csv'));
    expect(t.column('v')).toEqual([1, Number.NaN, -Infinity]);
    expect(t.column('s')).toEqual(['a,b', 'say "x"', ' padded ']);
    expect(t.column('f')).toEqual([true, null, false]);
  });

  it.each([
    ['data.xlsx', /cannot tell the format of 'data\.xlsx'/],
    ['noext', /cannot tell the format/],
  ])('detectFormat refuses %s', (name, message) => {
    expect(() => detectFormat(name)).toThrow(message);
  });

  it('readTable gives UsageErrors for missing files and content that is not the declared format', async () => {
    await expect(readTable(join(dir, 'missing.csv'))).rejects.toThrow(UsageError);
    await writeFile(join(dir, 'fake.parquet'), 'a,b\n1,2\n');
    await expect(readTable(join(dir, 'fake.parquet'))).rejects.toThrow(/fake\.parquet is not a Parquet file/);
    await writeFile(join(dir, 'bad.jsonl'), '{"a":1}\nnot json\n');
    await expect(readTable(join(dir, 'bad.jsonl'))).rejects.toThrow(
      /line 2 of .*bad\.jsonl is not valid JSON/,
    );
    await writeFile(join(dir, 'arr.jsonl'), '{"a":1}\n[1,2]\n');
    await expect(readTable(join(dir, 'arr.jsonl'))).rejects.toThrow(/line 2 .* is not a JSON object/);
    await writeFile(join(dir, 'bad.csv.gz'), 'not gzip');
    await expect(readTable(join(dir, 'bad.csv.gz'))).rejects.toThrow(/not valid gzip/);
  });

  it('readTable reads CSV and Parquet objects from s3', async () => {
    const store = openStore('s3://data', { env: s3.env });
    await store.putKey('eval/e.csv', { bytes: Buffer.from('label,score\n1,0.9\n0,0.2\n') });
    await store.putKey('eval/p.parquet', { bytes: parquetBytes(90) });
    const csv = await readTable('s3://data/eval/e.csv', { env: s3.env });
    expect(csv.column('score')).toEqual([0.9, 0.2]);
    s3.clearRequests();
    const pq = await readTable('s3://data/eval/p.parquet', { env: s3.env, columns: ['x'] });
    expect(pq.column('x')[89]).toBe(22.25);
    const gets = s3.requests.filter((r) => r.method === 'GET');
    expect(gets.length).toBeGreaterThan(0);
    expect(gets.every((r) => r.range?.startsWith('bytes='))).toBe(true);
    await expect(readTable('s3://data/eval/none.csv', { env: s3.env })).rejects.toThrow(
      /'s3:\/\/data\/eval\/none\.csv' does not exist/,
    );
  });
});
