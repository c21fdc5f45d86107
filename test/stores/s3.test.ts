import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.ts';
import { StoreError } from '../../registry/stores/errors.ts';
import { sha256Bytes, sha256File } from '../../registry/stores/hash.ts';
import { openStore } from '../../registry/stores/open.ts';
import type { S3Options } from '../../registry/stores/types.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import { startS3Server, type TestS3Server } from '../support/s3-server.ts';

const MIB = 1024 * 1024;
let s3: TestS3Server;
let work: string;

const creds = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const options = (extra: S3Options = {}): S3Options => ({
  endpoint: s3.endpoint,
  region: 'us-east-1',
  credentials: creds,
  partSize: 5 * MIB,
  queueSize: 2,
  ...extra,
});

/** Write `bytes` pseudo-random bytes (seeded by a counter through sha256, fast and reproducible). */
async function bigFile(path: string, bytes: number, seed: string): Promise<void> {
  const out = createWriteStream(path);
  const block = randomBytes(MIB);
  for (let i = 0; i * MIB < bytes; i++) {
    const head = createHash('sha256').update(`${seed}:${i}`).digest();
    head.copy(block, 0);
    const n = Math.min(MIB, bytes - i * MIB);
    if (!out.write(Buffer.from(block.subarray(0, n))))
      await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise((r) => out.end(r));
}

const bodySent = (s: TestS3Server) =>
  s.requests.filter((r) => r.method === 'PUT' || (r.method === 'POST' && 'uploads' in r.query));

beforeAll(async () => {
  s3 = await startS3Server({ buckets: ['artifacts', 'other'] });
  work = await mkdtemp(join(tmpdir(), 's3-store-'));
});
afterAll(async () => {
  await s3?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('S3Store', () => {
  it('putFile uploads 21 MB in parts and getFile reads it back verified', async () => {
    const store = openStore('s3://artifacts/models/churn', { s3: options() });
    await bigFile(join(work, 'big.bin'), 21 * MIB, 'big');
    const want = await sha256File(join(work, 'big.bin'));
    s3.clearRequests();
    const progress: [number, number][] = [];
    const blob = await store.putFile(join(work, 'big.bin'), { onProgress: (d, t) => progress.push([d, t]) });
    expect(blob).toEqual({
      uri: `s3://artifacts/models/churn/sha256/${want.sha256.slice(0, 2)}/${want.sha256}`,
      sha256: want.sha256,
      bytes: 21 * MIB,
    });
    const parts = s3.requests.filter((r) => r.method === 'PUT' && r.query.partNumber);
    expect(parts.length).toBe(5);
    expect(s3.requests.some((r) => r.method === 'POST' && 'uploads' in r.query)).toBe(true);
    expect(progress.at(-1)).toEqual([21 * MIB, 21 * MIB]);
    const down: [number, number][] = [];
    await store.getFile(want.sha256, join(work, 'back', 'big.bin'), {
      onProgress: (d, t) => down.push([d, t]),
    });
    expect(await sha256File(join(work, 'back', 'big.bin'))).toEqual(want);
    expect(down.at(-1)).toEqual([21 * MIB, 21 * MIB]);
    expect(await store.hasBlob(want.sha256)).toBe(true);
  });

  it('putFile sends no body when the blob is already stored', async () => {
    const store = openStore('s3://artifacts/dedupe', { s3: options() });
    await bigFile(join(work, 'dup.bin'), 6 * MIB, 'dup');
    await writeFile(join(work, 'small.bin'), 'small artifact');
    await store.putFile(join(work, 'dup.bin'));
    await store.putFile(join(work, 'small.bin'));
    s3.clearRequests();
    const again = await store.putFile(join(work, 'dup.bin'));
    await store.putFile(join(work, 'small.bin'));
    expect(again.bytes).toBe(6 * MIB);
    expect(bodySent(s3)).toEqual([]);
    expect(s3.requests.map((r) => r.method)).toEqual(['HEAD', 'HEAD']);
  });

  it('getFile detects an object tampered on the server and leaves no file', async () => {
    const store = openStore('s3://artifacts/tamper', { s3: options() });
    await writeFile(join(work, 'model.onnx'), 'the real model bytes');
    const blob = await store.putFile(join(work, 'model.onnx'));
    const key = `tamper/sha256/${blob.sha256.slice(0, 2)}/${blob.sha256}`;
    await writeFile(s3.objectFile(key, 'artifacts'), 'the fake model bytes');
    const err = await store.getFile(blob.sha256, join(work, 'tampered', 'model.onnx')).catch((e) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(err.code).toBe('integrity');
    expect(err.message).toContain(`s3://artifacts/${key}`);
    expect(await readdir(join(work, 'tampered'))).toEqual([]);
  });

  it('getFile reports a missing blob and hasBlob is false', async () => {
    const store = openStore('s3://artifacts/missing', { s3: options() });
    const sha = sha256Bytes(Buffer.from('absent'));
    expect(await store.hasBlob(sha)).toBe(false);
    await expect(store.getFile(sha, join(work, 'absent'))).rejects.toThrow(/is missing from the store/);
  });

  it('putKey getKey listKeys deleteKey keep keyed objects apart from blobs', async () => {
    const store = openStore('s3://other/runs', { s3: options() });
    await store.putKey('ckpt/a.pt', { bytes: Buffer.from('A') });
    await writeFile(join(work, 'b.pt'), 'BB');
    await store.putKey('ckpt/b.pt', { path: join(work, 'b.pt') });
    await store.putFile(join(work, 'b.pt'));
    const list = await store.listKeys('');
    expect(list.map((o) => [o.key, o.bytes, o.sha256])).toEqual([
      ['ckpt/a.pt', 1, sha256Bytes(Buffer.from('A'))],
      ['ckpt/b.pt', 2, sha256Bytes(Buffer.from('BB'))],
    ]);
    expect(list[0].modified).toBeInstanceOf(Date);
    expect(await store.getKey('ckpt/b.pt', join(work, 'b.back'))).toBe(true);
    expect(await readFile(join(work, 'b.back'), 'utf8')).toBe('BB');
    expect(await store.getKey('ckpt/zzz', join(work, 'zzz'))).toBe(false);
    await store.deleteKey('ckpt/a.pt');
    await store.deleteKey('ckpt/a.pt');
    expect((await store.listKeys('ckpt/')).map((o) => o.key)).toEqual(['ckpt/b.pt']);
  });

  it('openStore turns a missing bucket into a UsageError naming the URI', async () => {
    const secret = 'do-not-print-this-secret';
    const store = openStore('s3://no-such-bucket/x', {
      s3: options({ credentials: { accessKeyId: 'S3RVER', secretAccessKey: secret } }),
    });
    await writeFile(join(work, 'nb.bin'), 'x');
    const err = await store.putKey('k', { path: join(work, 'nb.bin') }).catch((e) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toContain('s3://no-such-bucket/x/k');
    expect(`${err.message} ${err.stack}`).not.toContain(secret);
  });

  it('openStore reads the endpoint and credentials from the AWS environment', async () => {
    const store = openStore('s3://artifacts/env', { env: s3.env });
    await store.putKey('hello.txt', { bytes: Buffer.from('hi') });
    expect((await store.listKeys('')).map((o) => o.key)).toEqual(['hello.txt']);
  });
});

describe('S3Store through a fault-injecting proxy', () => {
  it('putFile and getFile retry through resets, 503s and cut bodies without a corrupt artifact', async () => {
    const proxy = await startFaultProxy({ target: s3.endpoint, seed: 7, rate: 0.35, maxFaults: 40 });
    try {
      const debug: string[] = [];
      const log = { info() {}, warn() {}, error() {}, debug: (m: string) => debug.push(m) };
      const store = openStore('s3://artifacts/faulty', {
        s3: options({ endpoint: proxy.endpoint, maxAttempts: 6 }),
        log,
      });
      const files: string[] = [];
      for (let i = 0; i < 6; i++) {
        files.push(join(work, `f${i}.bin`));
        await writeFile(files[i], randomBytes(50_000 + i));
      }
      files.push(join(work, 'f-big.bin'));
      await bigFile(files[6], 11 * MIB, 'faulty');
      const blobs = [];
      for (const f of files) blobs.push(await store.putFile(f));
      for (const [i, b] of blobs.entries()) {
        await store.getFile(b.sha256, join(work, 'faulty-back', `${i}`));
        expect(await sha256File(join(work, 'faulty-back', `${i}`))).toEqual(await sha256File(files[i]));
      }
      expect(proxy.faults.length).toBeGreaterThanOrEqual(5);
      expect(debug.filter((m) => /^S3 \w+Command attempt failed/.test(m)).length).toBeGreaterThanOrEqual(5);
      expect(debug.join('\n')).not.toContain(creds.secretAccessKey);
      expect((await readdir(join(work, 'faulty-back'))).length).toBe(7);
    } finally {
      await proxy.stop();
    }
  });

  it('getFile retries a body cut short and never keeps the partial file', async () => {
    const store = openStore('s3://artifacts/cut', { s3: options() });
    await bigFile(join(work, 'cut.bin'), 3 * MIB, 'cut');
    const blob = await store.putFile(join(work, 'cut.bin'));
    const flaky = await startFaultProxy({ target: s3.endpoint, seed: 3, rate: 1, kinds: ['truncate'] });
    const broken = await startFaultProxy({
      target: s3.endpoint,
      seed: 3,
      rate: 1,
      maxConsecutive: 99,
      kinds: ['truncate'],
    });
    try {
      const via = (endpoint: string) =>
        openStore('s3://artifacts/cut', { s3: options({ endpoint, maxAttempts: 3 }) });
      await via(flaky.endpoint).getFile(blob.sha256, join(work, 'cut-back', 'ok.bin'));
      expect(flaky.faults.map((f) => f.kind)).toEqual(['truncate', 'truncate']);
      expect(await sha256File(join(work, 'cut-back', 'ok.bin'))).toEqual(
        await sha256File(join(work, 'cut.bin')),
      );
      await expect(
        via(broken.endpoint).getFile(blob.sha256, join(work, 'cut-back', 'bad.bin')),
      ).rejects.toThrow();
      expect(broken.faults.length).toBe(3);
      expect(await readdir(join(work, 'cut-back'))).toEqual(['ok.bin']);
    } finally {
      await flaky.stop();
      await broken.stop();
    }
  });

  it('putFile aborts a multipart upload that cannot finish and stores nothing', async () => {
    const proxy = await startFaultProxy({
      target: s3.endpoint,
      seed: 1,
      rate: 1,
      maxConsecutive: 1000,
      kinds: ['503'],
      match: (r) => r.method === 'PUT' && r.url.includes('partNumber=2'),
    });
    try {
      const store = openStore('s3://artifacts/abort', {
        s3: options({ endpoint: proxy.endpoint, maxAttempts: 2 }),
      });
      await bigFile(join(work, 'abort.bin'), 11 * MIB, 'abort');
      s3.clearRequests();
      await expect(store.putFile(join(work, 'abort.bin'))).rejects.toThrow();
      const aborts = s3.requests.filter((r) => r.method === 'DELETE' && r.query.uploadId);
      expect(aborts.length).toBe(1);
      const { sha256 } = await sha256File(join(work, 'abort.bin'));
      expect(await openStore('s3://artifacts/abort', { s3: options() }).hasBlob(sha256)).toBe(false);
    } finally {
      await proxy.stop();
    }
  });
});
