import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readPromotionTags } from '../../actions/promote/src/audit.ts';
import { finalise, prNumberFromMessage } from '../../actions/promote/src/finalise.ts';
import { rollback } from '../../actions/promote/src/rollback.ts';
import { silentLogger } from '../../core/logger.ts';
import { openRegistry } from '../../registry/index.ts';
import { openStore } from '../../registry/stores/open.ts';
import { createRemote, git, type TestRemote } from '../support/git.ts';
import { MemoryForge } from './memory-forge.ts';

let remote: TestRemote;
let storeDir: string;
const open = (dir: string) => openRegistry({ dir, log: silentLogger });
const opener = async () => openStore(storeDir);

/** Registry with churn v1 (champion), v2 and v3 registered; artifacts in a local store. */
async function setup(): Promise<void> {
  remote = await createRemote();
  storeDir = await mkdtemp(join(remote.root, 'store-'));
  const reg = await open(remote.clone);
  await reg.init({
    model: 'churn',
    spec: {
      name: 'churn',
      task: 'binary',
      primary_metric: { name: 'roc_auc', direction: 'maximize' },
      owners: ['alice'],
      artifact_store: storeDir,
    },
  });
  const store = openStore(storeDir);
  for (const n of [1, 2, 3]) {
    const f = join(remote.root, `model-${n}.onnx`);
    await writeFile(f, `model ${n}`);
    await reg.register({
      model: 'churn',
      files: [{ path: f, name: 'model.onnx' }],
      store,
      metrics: { roc_auc: 0.7 + n / 100 },
    });
  }
  await reg.setAlias({ model: 'churn', alias: 'champion', version: 1 });
}

/** A promotion PR merged the way GitHub does: branch with the alias move, then a merge commit on main. */
async function mergePromotion(
  dir: string,
  version: number,
  pr: number,
): Promise<{ before: string; after: string }> {
  const reg = await open(dir);
  const branch = `promote-${version}`;
  await reg.setAlias({ model: 'churn', alias: 'champion', version, branch });
  await git(dir, 'fetch', '-q', 'origin');
  await git(dir, 'checkout', '-q', '-B', 'main', 'origin/main');
  const before = await git(dir, 'rev-parse', 'HEAD');
  await git(
    dir,
    'merge',
    '-q',
    '--no-ff',
    '-X',
    'theirs',
    '-m',
    `Merge pull request #${pr} from acme/${branch}`,
    `origin/${branch}`,
  );
  await git(dir, 'push', '-q', 'origin', 'main');
  return { before, after: await git(dir, 'rev-parse', 'HEAD') };
}

beforeEach(setup);
afterEach(() => remote.cleanup());

describe('finalise', () => {
  it('finalise tags the promoted version, archives the old champion and comments with the approvers', async () => {
    const forge = new MemoryForge();
    const { before, after } = await mergePromotion(remote.clone, 2, 12);
    forge.prs.set(12, {
      ...(await forge.openPullRequest({ head: 'promote-2', base: 'main', title: 't', body: '' })),
      number: 12,
      author: 'carol',
      headSha: 'h'.repeat(40),
    });
    forge.reviews.set(12, [
      { reviewer: 'alice', state: 'APPROVED', commitSha: 'h'.repeat(40), submittedAt: '' },
    ]);
    const [r] = await finalise({
      registry: await open(remote.clone),
      before,
      after,
      openStore: opener,
      forge,
      log: silentLogger,
    });
    expect(r).toMatchObject({
      model: 'churn',
      tags: ['churn@v2'],
      archived: [1],
      pr: 12,
      approvers: ['alice'],
    });
    const check = await remote.cloneOf();
    await git(check, 'fetch', '-q', '--tags', 'origin');
    const reg = await open(check);
    expect(await reg.aliases('churn')).toEqual({ aliases: { champion: 2 }, archived: [1] });
    const [tag] = await readPromotionTags(check, 'churn');
    expect(tag).toMatchObject({
      tag: 'churn@v2',
      version: 2,
      alias: 'champion',
      from: 1,
      pr: 12,
      approvers: ['alice'],
    });
    expect(await git(check, 'rev-list', '-n', '1', 'churn@v2')).toBe(after);
    expect(forge.comments[0].body).toMatch(/^\*\*Promoted churn\*\*: champion v1 → v2/);
    expect(forge.comments[0].body).toContain('alice');
    const history = await reg.history('churn');
    expect(history.map((e) => `${e.type} v${e.version}`)).toContain('archived v1');
  });

  it('finalise refuses an alias that points at a version whose artifacts are missing from the store', async () => {
    const { before, after } = await mergePromotion(remote.clone, 2, 13);
    const empty = await mkdtemp(join(remote.root, 'empty-'));
    const run = finalise({
      registry: await open(remote.clone),
      before,
      after,
      openStore: async () => openStore(empty),
      log: silentLogger,
    });
    await expect(run).rejects.toThrow(/churn v2: artifact model\.onnx \(.+\) is missing from/);
    expect(await git(remote.clone, 'ls-remote', '--tags', 'origin')).toBe('');
  });

  it('finalise of two promotions merged one after the other, run at once, keeps the second alias and both records', async () => {
    const first = await mergePromotion(remote.clone, 2, 21);
    const second = await mergePromotion(remote.clone, 3, 22);
    const [a, b] = [await remote.cloneOf(), await remote.cloneOf()];
    await Promise.all([
      finalise({ registry: await open(a), ...first, openStore: opener, log: silentLogger }),
      finalise({ registry: await open(b), ...second, openStore: opener, log: silentLogger }),
    ]);
    const check = await remote.cloneOf();
    await git(check, 'fetch', '-q', '--tags', 'origin');
    const reg = await open(check);
    expect(await reg.aliases('churn')).toEqual({ aliases: { champion: 3 }, archived: [1, 2] });
    expect((await readPromotionTags(check, 'churn')).map((t) => t.tag).sort()).toEqual([
      'churn@v2',
      'churn@v3',
    ]);
  });

  it('prNumberFromMessage reads merge and squash commit messages', () => {
    expect(prNumberFromMessage('Merge pull request #12 from acme/x\n\nbody')).toBe(12);
    expect(prNumberFromMessage('Promote churn v7 (#34)\n\n* x')).toBe(34);
    expect(prNumberFromMessage('churn: move champion')).toBeUndefined();
  });
});

describe('rollback', () => {
  it('rollback opens a PR that moves the alias back on its own branch', async () => {
    await mergePromotion(remote.clone, 2, 12);
    const forge = new MemoryForge();
    const out = await rollback({
      registry: await open(remote.clone),
      forge,
      model: 'churn',
      to: 1,
      alias: 'champion',
      reason: 'v2 misbehaves',
      direct: false,
      actor: 'alice',
      openStore: opener,
      log: silentLogger,
    });
    expect(out).toMatchObject({ from: 2, to: 1, pr: 51 });
    expect(forge.opened[0]).toMatchObject({ head: 'mlops/rollback/churn/champion-v1', base: 'main' });
    const aliases = await git(
      remote.clone,
      'show',
      'origin/mlops/rollback/churn/champion-v1:models/churn/aliases.yaml',
    ).catch(async () => {
      await git(remote.clone, 'fetch', '-q', 'origin');
      return git(remote.clone, 'show', 'origin/mlops/rollback/churn/champion-v1:models/churn/aliases.yaml');
    });
    expect(aliases).toMatch(/champion: 1/);
    expect((await (await open(remote.clone)).aliases('churn', { at: 'origin/main' })).aliases.champion).toBe(
      2,
    );
  });

  it('rollback refuses a direct rollback unless model.yaml allows it, and records an allowed one in an issue', async () => {
    await mergePromotion(remote.clone, 2, 12);
    const forge = new MemoryForge();
    const req = {
      forge,
      model: 'churn',
      to: 1,
      alias: 'champion',
      reason: 'outage',
      direct: true,
      actor: 'alice',
      openStore: opener,
      log: silentLogger,
    };
    await expect(rollback({ registry: await open(remote.clone), ...req })).rejects.toThrow(
      /promotion\.emergency_rollback: true/,
    );
    const spec = join(remote.clone, 'models/churn/model.yaml');
    await git(remote.clone, 'pull', '-q', 'origin', 'main');
    await writeFile(
      spec,
      `${await import('node:fs/promises').then((f) => f.readFile(spec, 'utf8'))}promotion:\n  emergency_rollback: true\n`,
    );
    await git(remote.clone, 'commit', '-q', '-am', 'allow emergency rollback');
    await git(remote.clone, 'push', '-q', 'origin', 'main');
    const out = await rollback({ registry: await open(remote.clone), ...req });
    expect(out).toMatchObject({ from: 2, to: 1, issue: 101 });
    expect(forge.issues[0].title).toBe('Review emergency rollback: churn champion v2 → v1');
    const check = await remote.cloneOf();
    expect((await (await open(check)).aliases('churn')).aliases.champion).toBe(1);
  });
});
