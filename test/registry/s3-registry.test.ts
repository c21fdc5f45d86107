import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openRegistry } from '../../registry/index.ts';
import { sha256File } from '../../registry/stores/hash.ts';
import { openStore } from '../../registry/stores/open.ts';
import type { S3Options } from '../../registry/stores/types.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import { createRemote, git, gitStatus, type TestRemote } from '../support/git.ts';
import { startS3Server, type TestS3Server } from '../support/s3-server.ts';

const spec = {
  name: 'churn',
  task: 'binary' as const,
  primary_metric: { name: 'roc_auc', direction: 'maximize' as const },
};

let s3: TestS3Server;
let r: TestRemote;
const s3Options = (endpoint: string, extra: S3Options = {}): S3Options => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  partSize: 5 * 1024 * 1024,
  ...extra,
});

beforeAll(async () => {
  s3 = await startS3Server({ buckets: ['artifacts'] });
});
afterAll(async () => s3.stop());
beforeEach(async () => {
  r = await createRemote();
});
afterEach(async () => r.cleanup());

describe('registry over S3 through a fault-injecting proxy', () => {
  it('register commits a record only for artifacts that are stored and intact', async () => {
    const proxy = await startFaultProxy({ target: s3.endpoint, seed: 11, rate: 0.3, maxFaults: 30 });
    try {
      const reg = await openRegistry({ dir: r.clone });
      await reg.init({ model: 'churn', spec });
      const store = openStore('s3://artifacts/reg', { s3: s3Options(proxy.endpoint, { maxAttempts: 8 }) });
      const files = [join(r.root, 'model.onnx'), join(r.root, 'profile.json')];
      await writeFile(files[0], randomBytes(6 * 1024 * 1024));
      await writeFile(files[1], randomBytes(40_000));
      for (let i = 0; i < 3; i++) {
        await reg.register({
          model: 'churn',
          files: files.map((path) => ({ path })),
          store,
          metrics: { roc_auc: 0.8 + i / 100 },
        });
      }
      expect(proxy.faults.length).toBeGreaterThan(0);
      // Every record on the remote points at objects that exist and verify, read without the proxy.
      const direct = openStore('s3://artifacts/reg', { s3: s3Options(s3.endpoint) });
      const remoteReg = await openRegistry({ dir: r.clone });
      for (const v of [1, 2, 3]) {
        const record = await remoteReg.resolve(`churn@v${v}`);
        expect(record.artifacts.map((a) => a.path).sort()).toEqual(['model.onnx', 'profile.json']);
        for (const a of record.artifacts) {
          const dest = join(r.root, 'back', `v${v}`, a.path);
          await direct.getFile(a.sha256, dest);
          expect((await sha256File(dest)).sha256).toBe(a.sha256);
          expect(a.uri.startsWith('s3://artifacts/reg/sha256/')).toBe(true);
        }
      }
    } finally {
      await proxy.stop();
    }
  });

  it('register leaves no commit, ref or record when the store cannot take the artifact', async () => {
    const dead = await startFaultProxy({
      target: s3.endpoint,
      seed: 5,
      rate: 1,
      maxConsecutive: 1000,
      kinds: ['reset'],
    });
    try {
      const reg = await openRegistry({ dir: r.clone });
      await reg.init({ model: 'churn', spec });
      const before = await git(r.remote, 'rev-parse', 'refs/heads/main');
      await writeFile(join(r.root, 'model.onnx'), randomBytes(1000));
      const store = openStore('s3://artifacts/dead', { s3: s3Options(dead.endpoint, { maxAttempts: 2 }) });
      await expect(
        reg.register({
          model: 'churn',
          files: [{ path: join(r.root, 'model.onnx') }],
          store,
          metrics: { roc_auc: 0.9 },
        }),
      ).rejects.toThrow();
      expect(await git(r.remote, 'rev-parse', 'refs/heads/main')).toBe(before);
      expect(await git(r.remote, 'for-each-ref', 'refs/mlops')).toBe('');
      expect(await gitStatus(r.clone)).toBe('');
      expect(await reg.versions('churn')).toEqual([]);
    } finally {
      await dead.stop();
    }
  });
});
