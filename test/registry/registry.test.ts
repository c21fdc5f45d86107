import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.ts';
import { openRegistry, parseVersionRecord } from '../../registry/index.ts';
import { openStore } from '../../registry/stores/open.ts';
import type { ModelSpec } from '../../registry/types.ts';
import { createRemote, git, gitStatus, type TestRemote } from '../support/git.ts';

const spec: ModelSpec = {
  name: 'churn',
  task: 'binary',
  primary_metric: { name: 'roc_auc', direction: 'maximize' },
};

let r: TestRemote;
let artifact: string;
const fixedClock = () => new Date('2026-01-02T03:04:05.000Z');

beforeEach(async () => {
  r = await createRemote();
  artifact = join(r.root, 'model.onnx');
  await writeFile(artifact, 'not really onnx');
});
afterEach(async () => r.cleanup());

async function setup(dir = r.clone) {
  const reg = await openRegistry({ dir, clock: fixedClock });
  const store = openStore(join(r.root, 'artifacts'));
  return { reg, store };
}

describe('registry', () => {
  it('register allocates 1..N, pushes records, version refs and regenerated READMEs', async () => {
    const { reg, store } = await setup();
    await reg.init({ model: 'churn', spec });
    const a = await reg.register({
      model: 'churn',
      files: [{ path: artifact }],
      store,
      metrics: { roc_auc: 0.8 },
    });
    const b = await reg.register({
      model: 'churn',
      files: [{ path: artifact }],
      store,
      metrics: { roc_auc: 0.9 },
    });
    expect([a.version, b.version]).toEqual([1, 2]);
    expect(b.pushed).toBe(true);
    expect(await git(r.remote, 'rev-parse', 'refs/heads/main')).toBe(b.commit);
    expect(await git(r.remote, 'rev-parse', 'refs/mlops/versions/churn/v2')).toBe(b.commit);
    const rec = parseVersionRecord(
      await git(r.remote, 'show', 'main:models/churn/versions/v2/version.yaml'),
      'v2',
    );
    expect(rec).toMatchObject({
      model: 'churn',
      version: 2,
      created: '2026-01-02T03:04:05.000Z',
      metrics: { roc_auc: 0.9 },
    });
    expect(rec.artifacts[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await store.hasBlob(rec.artifacts[0].sha256)).toBe(true);
    const readme = await readFile(join(r.clone, 'models/churn/README.md'), 'utf8');
    expect(readme).toContain('line [0.8, 0.9]');
    expect(readme).toContain('[v2](versions/v2/card.md)');
    expect(await readFile(join(r.clone, 'models/README.md'), 'utf8')).toMatch(
      /\[churn\]\(churn\/README\.md\) \| binary/,
    );
    expect(await gitStatus(r.clone)).toBe('');
  });

  it('register from 8 clones at once gets distinct numbers 1..8 and loses no record', async () => {
    const { reg } = await setup();
    await reg.init({ model: 'churn', spec });
    const clones = await Promise.all(Array.from({ length: 8 }, (_, i) => r.cloneOf(`c${i}`)));
    const results = await Promise.all(
      clones.map(async (dir, i) => {
        const { reg: ri, store } = await setup(dir);
        return ri.register({
          model: 'churn',
          files: [{ path: artifact }],
          store,
          metrics: { roc_auc: i / 10 },
        });
      }),
    );
    expect(results.map((x) => x.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await git(r.clone, 'pull', '-q');
    const fresh = await openRegistry({ dir: r.clone });
    expect(await fresh.versions('churn')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const metrics = await Promise.all(
      results.map(async (x) => (await fresh.resolve(`churn@v${x.version}`)).metrics.roc_auc),
    );
    expect(metrics.sort()).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
    expect((await fresh.history('churn')).filter((e) => e.type === 'registered')).toHaveLength(8);
  }, 120_000);

  it('register never reuses a number taken by a version ref on another branch', async () => {
    const { reg, store } = await setup();
    await reg.init({ model: 'churn', spec });
    const pr = await reg.register({
      model: 'churn',
      files: [{ path: artifact }],
      store,
      branch: 'mlops/churn-v1',
    });
    const main = await reg.register({ model: 'churn', files: [{ path: artifact }], store });
    expect([pr.version, main.version]).toEqual([1, 2]);
    expect(await git(r.clone, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(await git(r.remote, 'ls-tree', '--name-only', 'mlops/churn-v1:models/churn/versions')).toBe('v1');
  });

  it('register onto different new branches at once still gets distinct numbers (ref lease)', async () => {
    const { reg } = await setup();
    await reg.init({ model: 'churn', spec });
    const clones = await Promise.all(Array.from({ length: 4 }, (_, i) => r.cloneOf(`b${i}`)));
    const results = await Promise.all(
      clones.map(async (dir, i) => {
        const { reg: ri, store } = await setup(dir);
        return ri.register({ model: 'churn', files: [{ path: artifact }], store, branch: `candidate-${i}` });
      }),
    );
    expect(results.map((x) => x.version).sort()).toEqual([1, 2, 3, 4]);
    const refs = await git(r.remote, 'for-each-ref', '--format=%(refname)', 'refs/mlops/versions/churn/');
    expect(refs.split('\n').sort()).toEqual([1, 2, 3, 4].map((n) => `refs/mlops/versions/churn/v${n}`));
  }, 60_000);

  it('register on another branch leaves the work tree and index untouched', async () => {
    const { reg, store } = await setup();
    await reg.init({ model: 'churn', spec });
    await writeFile(join(r.clone, 'notes.txt'), 'work in progress');
    await writeFile(join(r.clone, 'README.md'), '# edited locally\n');
    const before = await gitStatus(r.clone);
    await reg.register({ model: 'churn', files: [{ path: artifact }], store, branch: 'candidate' });
    expect(await gitStatus(r.clone)).toBe(before);
    expect(await git(r.clone, 'ls-files', 'models/churn/versions')).toBe('');
    expect(await git(r.clone, 'rev-parse', 'candidate')).toBe(await git(r.remote, 'rev-parse', 'candidate'));
  });

  it('setAlias, rollback and history record alias events with commit, author and time', async () => {
    const { reg, store } = await setup();
    await reg.init({ model: 'churn', spec });
    for (let i = 0; i < 3; i++)
      await reg.register({
        model: 'churn',
        files: [{ path: artifact }],
        store,
        metrics: { roc_auc: 0.7 + i / 10 },
      });
    await reg.setAlias({ model: 'churn', alias: 'champion', version: 1 });
    await reg.setAlias({ model: 'churn', alias: 'champion', version: 2, archivePrevious: true });
    const moved = await reg.setAlias({
      model: 'churn',
      alias: 'champion',
      version: 3,
      archivePrevious: true,
    });
    expect(moved).toMatchObject({ previous: 2, archived: [2], changed: true });
    const rb = await reg.rollback({ model: 'churn' });
    expect(rb).toMatchObject({ from: 3, to: 2 });
    expect((await reg.resolve('churn@champion')).version).toBe(2);
    expect((await reg.resolve('churn')).version).toBe(2);
    expect(await reg.aliases('churn')).toEqual({ aliases: { champion: 2 }, archived: [1, 3] });
    const rb2 = await reg.rollback({ model: 'churn' });
    expect(rb2).toMatchObject({ from: 2, to: 1 });
    const events = await reg.history('churn');
    expect(events.map((e) => `${e.type}:${e.alias ?? ''}:${e.from ?? ''}:${e.version}`)).toEqual([
      'rolled_back:champion:2:1',
      'archived:::2',
      'rolled_back:champion:3:2',
      'archived:::3',
      'alias_moved:champion:2:3',
      'archived:::2',
      'alias_moved:champion:1:2',
      'archived:::1',
      'alias_set:champion::1',
      'registered:::3',
      'registered:::2',
      'registered:::1',
    ]);
    expect(events[0]).toMatchObject({
      author: 'Test Author <test.author@example.com>',
      time: '2026-01-02T03:04:05Z',
    });
    expect(events[0].commit).toBe(await git(r.remote, 'rev-parse', 'main'));
    expect(events[0].message).toBe('churn: roll back champion v2 -> v1');
    const readme = await readFile(join(r.clone, 'models/churn/README.md'), 'utf8');
    expect(readme).toMatch(/rolled back \| champion \| v2 → v1/);
  });

  it('history reads only commits touching the model', async () => {
    const { reg, store } = await setup();
    await reg.init({ model: 'churn', spec });
    await reg.init({ model: 'churn2', spec: { ...spec, name: 'churn2' } });
    await reg.register({ model: 'churn2', files: [{ path: artifact }], store });
    await reg.register({ model: 'churn', files: [{ path: artifact }], store });
    const events = await reg.history('churn');
    expect(events.map((e) => `${e.model}:${e.version}`)).toEqual(['churn:1']);
    expect((await reg.list()).map((m) => [m.name, m.latest])).toEqual([
      ['churn', 1],
      ['churn2', 1],
    ]);
  });

  it('resolve refuses unknown versions and aliases, naming the value and the known ones', async () => {
    const { reg, store } = await setup();
    await reg.init({ model: 'churn', spec });
    await reg.register({ model: 'churn', files: [{ path: artifact }], store });
    await expect(reg.resolve('churn@v9')).rejects.toThrow(
      /version v9 of model 'churn' does not exist: expected one of v1/,
    );
    await expect(reg.resolve('churn@staging')).rejects.toThrow(/alias 'staging' of model 'churn' is not set/);
    await expect(reg.resolve('nope')).rejects.toThrow(UsageError);
  });

  it('register of a group/model and list find grouped models', async () => {
    const { reg, store } = await setup();
    await reg.init({ model: 'risk/churn', spec: { ...spec, name: 'risk/churn' } });
    await reg.register({ model: 'risk/churn', files: [{ path: artifact }], store });
    expect((await reg.list()).map((m) => m.name)).toEqual(['risk/churn']);
    expect((await reg.resolve('risk/churn@v1')).model).toBe('risk/churn');
  });

  it('register without a remote commits locally and fast-forwards the work tree', async () => {
    const dir = join(r.root, 'solo');
    await mkdir(dir);
    await git(dir, 'init', '-q', '--initial-branch=main');
    await git(dir, 'config', 'user.name', 'Solo');
    await git(dir, 'config', 'user.email', 'solo@example.com');
    const { reg, store } = await setup(dir);
    const init = await reg.init({ model: 'churn', spec });
    expect(init.created).toContain('.gitignore');
    const res = await reg.register({ model: 'churn', files: [{ path: artifact }], store });
    expect(res).toMatchObject({ version: 1, pushed: false });
    expect(await git(dir, 'rev-parse', 'refs/mlops/versions/churn/v1')).toBe(res.commit);
    expect(await gitStatus(dir)).toBe('');
    expect(await readFile(join(dir, 'models/churn/versions/v1/version.yaml'), 'utf8')).toContain(
      'version: 1',
    );
  });
});
