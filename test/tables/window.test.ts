import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.ts';
import { openStore } from '../../registry/stores/open.ts';
import { globToRegExp } from '../../core/glob.ts';
import { parseDuration, partitionDate, readWindow } from '../../tables/window.ts';
import { startS3Server, type TestS3Server } from '../support/s3-server.ts';

const NOW = new Date('2026-03-10T12:00:00Z');
const DAY = 86_400_000;
let dir: string;
let s3: TestS3Server;

async function put(path: string, text: string | Uint8Array, mtime?: Date): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
  if (mtime) await utimes(path, mtime, mtime);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'window-'));
  s3 = await startS3Server({ buckets: ['logs'] });
});
afterAll(async () => {
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('parseDuration', () => {
  it('parseDuration reads s, m, h, d and w', () => {
    expect(['90s', '30m', '24h', '7d', '2w', '1.5d'].map(parseDuration)).toEqual([
      90_000,
      1_800_000,
      86_400_000,
      7 * DAY,
      14 * DAY,
      1.5 * DAY,
    ]);
  });

  it.each(['7', 'd', '7 days', '-1d', '0d', ''])('parseDuration refuses %j naming it', (text) => {
    expect(() => parseDuration(text)).toThrow(UsageError);
    expect(() => parseDuration(text)).toThrow(
      `invalid duration '${text}'; expected a positive number and a unit`,
    );
  });

  it('partitionDate finds date= and dt= partitions only when valid', () => {
    expect(partitionDate('s3://b/logs/date=2026-03-04/part-0.parquet')?.toISOString()).toBe(
      '2026-03-04T00:00:00.000Z',
    );
    expect(partitionDate('/x/dt=2026-01-31/a.csv')?.getTime()).toBe(Date.UTC(2026, 0, 31));
    expect(partitionDate('/x/date=2026-02-31/a.csv')).toBeUndefined();
    expect(partitionDate('/x/update=2026-02-01/a.csv')).toBeUndefined();
  });

  it('globToRegExp matches *, ** and ?', () => {
    const re = globToRegExp('/d/**/part-?.csv');
    expect(['/d/part-1.csv', '/d/a/b/part-2.csv'].every((p) => re.test(p))).toBe(true);
    expect(re.test('/d/a/part-10.csv')).toBe(false);
    expect(globToRegExp('/d/*.csv').test('/d/a/b.csv')).toBe(false);
  });
});

describe('readWindow', () => {
  it('readWindow selects local files by date partition, concatenating columns', async () => {
    const base = join(dir, 'parts');
    await put(join(base, 'date=2026-03-01', 'a.csv'), 'x,y\n1,old\n');
    await put(join(base, 'date=2026-03-03', 'a.csv'), 'x,y\n2,edge\n');
    await put(join(base, 'date=2026-03-09', 'a.csv'), 'x,y\n3,in\n4,in\n');
    await put(join(base, 'date=2026-03-10', 'b.jsonl'), '{"x":5,"z":true}\n');
    await put(join(base, 'date=2026-03-10', '_SUCCESS'), '');
    const t = await readWindow({ uri: base, since: '7d', now: NOW });
    expect(t.files.map((f) => f.uri.slice(base.length + 1))).toEqual([
      'date=2026-03-03/a.csv',
      'date=2026-03-09/a.csv',
      'date=2026-03-10/b.jsonl',
    ]);
    expect(t.columns).toEqual(['x', 'y', 'z']);
    expect(t.column('x')).toEqual([2, 3, 4, 5]);
    expect(t.column('y')).toEqual(['edge', 'in', 'in', null]);
    expect(t.column('z')).toEqual([null, null, null, true]);
    const sel = await readWindow({ uri: base, since: '2d', now: NOW, columns: ['z'] });
    expect(sel.columns).toEqual(['z']);
    expect(sel.rows).toBe(3);
  });

  it('readWindow selects by modification time without partitions, through a glob', async () => {
    const base = join(dir, 'mtime');
    await put(join(base, 'a.csv'), 'v\n1\n', new Date(NOW.getTime() - 10 * DAY));
    await put(join(base, 'b.csv'), 'v\n2\n', new Date(NOW.getTime() - 2 * DAY));
    await put(join(base, 'sub', 'c.csv'), 'v\n3\n', new Date(NOW.getTime() - 3600_000));
    await put(join(base, 'sub', 'c.tsv'), 'v\n9\n', new Date(NOW.getTime() - 3600_000));
    expect((await readWindow({ uri: base, since: '7d', now: NOW })).column('v')).toEqual([2, 3, 9]);
    expect((await readWindow({ uri: join(base, '**', '*.csv'), since: '7d', now: NOW })).column('v')).toEqual(
      [2, 3],
    );
    expect((await readWindow({ uri: join(base, '*.csv'), now: NOW })).column('v')).toEqual([1, 2]);
  });

  it('readWindow reads an s3 prefix by partition and by object time', async () => {
    const store = openStore('s3://logs', { env: s3.env });
    const pq = parquetWriteBuffer({
      columnData: [{ name: 'score', data: Float64Array.from([0.25, 0.5]), type: 'DOUBLE' }],
    });
    await store.putKey('prod/churn/date=2026-03-09/part-0.parquet', { bytes: new Uint8Array(pq) });
    await store.putKey('prod/churn/date=2026-02-01/part-0.parquet', { bytes: new Uint8Array(pq) });
    await store.putKey('prod/churn/date=2026-03-10/part-1.csv', {
      bytes: Buffer.from('score,extra\n0.75,e\n'),
    });
    await store.putKey('prod/churn-other/x.csv', { bytes: Buffer.from('score\n99\n') });
    const t = await readWindow({
      uri: 's3://logs/prod/churn',
      since: '7d',
      now: NOW,
      env: s3.env,
      columns: ['score'],
    });
    expect(t.files.map((f) => f.uri)).toEqual([
      's3://logs/prod/churn/date=2026-03-09/part-0.parquet',
      's3://logs/prod/churn/date=2026-03-10/part-1.csv',
    ]);
    expect(t.column('score')).toEqual([0.25, 0.5, 0.75]);
    await store.putKey('prod/flat/now.csv', { bytes: Buffer.from('score\n1\n') });
    const recent = await readWindow({ uri: 's3://logs/prod/flat/', since: '1h', env: s3.env });
    expect(recent.column('score')).toEqual([1]);
    await expect(
      readWindow({
        uri: 's3://logs/prod/flat',
        since: '1h',
        now: new Date(Date.now() + 2 * DAY),
        env: s3.env,
      }),
    ).rejects.toThrow(
      /no data files at 's3:\/\/logs\/prod\/flat' in the window since .* \(1h\); found 1 file/,
    );
  });

  it('readWindow refuses an empty window and a column no file has', async () => {
    await expect(readWindow({ uri: join(dir, 'nothing-here'), since: '7d', now: NOW })).rejects.toThrow(
      /no data files at '.*nothing-here' in the window since 2026-03-03T12:00:00\.000Z \(7d\); found 0 file/,
    );
    await expect(readWindow({ uri: join(dir, 'parts'), columns: ['nope'], now: NOW })).rejects.toThrow(
      /column\(s\) 'nope' not found in any file/,
    );
  });
});
