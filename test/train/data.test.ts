import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashDataInputs, parquetRows } from '../../actions/train/src/data.ts';
import { openStore } from '../../registry/stores/open.ts';
import { startS3Server, type TestS3Server } from '../support/s3-server.ts';

let s3: TestS3Server;
let tmp: string;

beforeAll(async () => {
  s3 = await startS3Server();
  tmp = mkdtempSync(join(tmpdir(), 'mlops-data-'));
});
afterAll(async () => {
  await s3.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** A Parquet file of `rows` rows in row groups of 7 (so the footer sums several groups). */
function parquet(rows: number): Uint8Array {
  return new Uint8Array(
    parquetWriteBuffer({
      rowGroupSize: 7,
      columnData: [
        { name: 'x', data: Float64Array.from({ length: rows }, (_, i) => i / 3), type: 'DOUBLE' },
        { name: 'c', data: Array.from({ length: rows }, (_, i) => `c${i % 4}`), type: 'STRING' },
      ],
    }),
  );
}

describe('training data rows', () => {
  it('parquetRows reads the row count from the footer, and undefined for a file that is not Parquet', async () => {
    writeFileSync(join(tmp, 'p.parquet'), parquet(23));
    writeFileSync(join(tmp, 'fake.parquet'), 'not parquet at all');
    expect(await parquetRows(join(tmp, 'p.parquet'))).toBe(23);
    expect(await parquetRows(join(tmp, 'fake.parquet'))).toBeUndefined();
  });

  it('hashDataInputs records Parquet rows for a file, and sums known formats over a directory and an s3:// prefix', async () => {
    const dir = join(tmp, 'set');
    mkdirSync(join(dir, 'part'), { recursive: true });
    writeFileSync(join(dir, 'a.parquet'), parquet(23));
    writeFileSync(join(dir, 'part/b.parquet'), parquet(10));
    writeFileSync(join(dir, 'part/c.csv'), 'x,c\n1,a\n2,b\n');
    writeFileSync(join(dir, 'README.txt'), 'rows unknown\n');
    writeFileSync(join(tmp, 'notes.bin'), 'x');
    const opener = (uri: string) => openStore(uri, { env: s3.env });
    const prefix = openStore(`s3://${s3.bucket}/set`, { env: s3.env });
    for (const f of ['a.parquet', 'part/b.parquet', 'part/c.csv', 'README.txt'])
      await prefix.putKey(f, { path: join(dir, f) });
    const [file, local, remote, unknown] = await hashDataInputs(
      ['set/a.parquet', 'set', `s3://${s3.bucket}/set`, 'notes.bin'],
      { cwd: tmp, openStore: opener },
    );
    expect(file.rows).toBe(23);
    expect(local.rows).toBe(23 + 10 + 2);
    expect(remote).toMatchObject({ sha256: local.sha256, bytes: local.bytes, rows: 35 });
    expect(unknown).not.toHaveProperty('rows');
  });
});
