import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.ts';
import { StoreError } from '../../registry/stores/errors.ts';
import { sha256Bytes } from '../../registry/stores/hash.ts';
import type { LocalStore } from '../../registry/stores/local.ts';
import { openStore } from '../../registry/stores/open.ts';

let work: string;
let store: LocalStore;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'local-store-'));
  store = openStore(`file://${work}/store`) as LocalStore;
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('LocalStore', () => {
  it('putFile stores by sha256 and getFile reads it back verified', async () => {
    const data = randomBytes(100_000);
    await writeFile(join(work, 'model.onnx'), data);
    const progress: number[] = [];
    const blob = await store.putFile(join(work, 'model.onnx'), { onProgress: (done) => progress.push(done) });
    const sha = sha256Bytes(data);
    expect(blob).toEqual({
      uri: `file://${work}/store/sha256/${sha.slice(0, 2)}/${sha}`,
      sha256: sha,
      bytes: 100_000,
    });
    expect(progress.at(-1)).toBe(100_000);
    expect(await store.hasBlob(sha)).toBe(true);
    await store.getFile(sha, join(work, 'out', 'model.onnx'));
    expect(sha256Bytes(await readFile(join(work, 'out', 'model.onnx')))).toBe(sha);
  });

  it('putFile does not write a blob that is already present', async () => {
    await writeFile(join(work, 'a.bin'), 'same');
    const first = await store.putFile(join(work, 'a.bin'));
    const path = join(work, 'store', 'sha256', first.sha256.slice(0, 2), first.sha256);
    const before = (await stat(path)).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    await store.putFile(join(work, 'a.bin'));
    expect((await stat(path)).mtimeMs).toBe(before);
  });

  it('getFile detects a tampered blob and leaves no file behind', async () => {
    await writeFile(join(work, 'a.bin'), 'original content');
    const blob = await store.putFile(join(work, 'a.bin'));
    await writeFile(join(work, 'store', 'sha256', blob.sha256.slice(0, 2), blob.sha256), 'tampered content');
    const err = await store.getFile(blob.sha256, join(work, 'dl', 'a.bin')).catch((e) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(err.code).toBe('integrity');
    expect(await readdir(join(work, 'dl'))).toEqual([]);
  });

  it('getFile reports a missing blob by URI', async () => {
    const sha = sha256Bytes(Buffer.from('never stored'));
    const err = await store.getFile(sha, join(work, 'x')).catch((e) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(err.code).toBe('missing');
    expect(err.message).toContain(sha);
    expect(await store.hasBlob(sha)).toBe(false);
  });

  it('putFile refuses a missing file with a UsageError and writes nothing', async () => {
    await expect(store.putFile(join(work, 'nope.onnx'))).rejects.toThrow(UsageError);
    await expect(store.putFile(join(work, 'nope.onnx'))).rejects.toThrow(/nope\.onnx' does not exist/);
    await expect(stat(join(work, 'store'))).rejects.toThrow();
  });

  it('putKey getKey listKeys deleteKey round-trip keyed objects with their sha256', async () => {
    await store.putKey('ckpt/run-1/step-1.pt', { bytes: Buffer.from('one') });
    await writeFile(join(work, 'two'), 'two!');
    await store.putKey('ckpt/run-1/step-2.pt', { path: join(work, 'two') });
    await store.putKey('reports/r.html', { bytes: Buffer.from('<p>') });
    await store.putFile(join(work, 'two'));
    const list = await store.listKeys('ckpt/run-1/');
    expect(list.map((o) => [o.key, o.bytes, o.sha256])).toEqual([
      ['ckpt/run-1/step-1.pt', 3, sha256Bytes(Buffer.from('one'))],
      ['ckpt/run-1/step-2.pt', 4, sha256Bytes(Buffer.from('two!'))],
    ]);
    expect((await store.listKeys('')).map((o) => o.key)).toEqual([
      'ckpt/run-1/step-1.pt',
      'ckpt/run-1/step-2.pt',
      'reports/r.html',
    ]);
    expect(await store.getKey('ckpt/run-1/step-2.pt', join(work, 'back'))).toBe(true);
    expect(await readFile(join(work, 'back'), 'utf8')).toBe('two!');
    expect(await store.getKey('ckpt/none', join(work, 'none'))).toBe(false);
    await store.deleteKey('ckpt/run-1/step-1.pt');
    await store.deleteKey('ckpt/run-1/step-1.pt');
    expect((await store.listKeys('ckpt/')).map((o) => o.key)).toEqual(['ckpt/run-1/step-2.pt']);
  });

  it('getKey detects a keyed object changed behind the store', async () => {
    await store.putKey('state.json', { bytes: Buffer.from('{"a":1}') });
    await writeFile(join(work, 'store', 'state.json'), '{"a":2}');
    await expect(store.getKey('state.json', join(work, 'state.json'))).rejects.toThrow(/corrupt/);
    await expect(stat(join(work, 'state.json'))).rejects.toThrow();
  });
});
