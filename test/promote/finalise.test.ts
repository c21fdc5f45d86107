import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formatCheckMetrics } from '../../actions/evaluate/src/check-metrics.ts';
import { historyWithPromotions, readPromotionTags } from '../../registry/tags.ts';
import { finalise, prNumberFromMessage } from '../../actions/promote/src/finalise.ts';
import { main } from '../../cli/main.ts';
import { rollback } from '../../actions/promote/src/rollback.ts';
import { silentLogger } from '../../core/logger.ts';
import { OctokitForge } from '../../github/octokit-forge.ts';
import { openRegistry } from '../../registry/index.ts';
import { openStore } from '../../registry/stores/open.ts';
import { type GitHubServer, type RepoState, startGitHubServer } from '../support/github-server.ts';
import { createRemote, git, type TestRemote } from '../support/git.ts';
import { evaluatedCheck } from './evaluated.ts';

const REPO = 'octo-org/models';
let gh: GitHubServer;
let repo: RepoState;
let forge: OctokitForge;
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
  repo = gh.state.addRepo(REPO, { gitDir: remote.remote });
  forge = new OctokitForge({ token: 'ghs_finalise', repository: REPO, apiUrl: gh.url, timeUnitMs: 1 });
}

/** Merge `branch` through the GitHub server as an approved PR; returns the push range and the PR number. */
async function mergeBranch(branch: string): Promise<{ before: string; after: string; pr: number }> {
  const pr = gh.state.addPullRequest(repo, { head: branch, author: 'carol', title: `Promote ${branch}` });
  gh.state.addReview(repo, pr.number, 'alice', 'APPROVED');
  const before = await git(remote.remote, 'rev-parse', 'main');
  const p = await forge.getPullRequest(pr.number);
  const after = await forge.mergePullRequest(pr.number, { sha: p.headSha });
  return { before, after, pr: pr.number };
}

/** A promotion PR as `track` opens it (alias moved on a branch by the registry), merged through GitHub. */
async function mergePromotion(version: number) {
  const branch = `mlops/promote/churn-v${version}`;
  await (await open(remote.clone)).setAlias({ model: 'churn', alias: 'champion', version, branch });
  return mergeBranch(branch);
}

/** A fresh clone on the remote's `main` with tags: what finalise runs in (`actions/checkout`). */
async function checkout(): Promise<string> {
  const dir = await remote.cloneOf();
  await git(dir, 'fetch', '-q', '--tags', 'origin');
  return dir;
}

beforeAll(async () => {
  gh = await startGitHubServer();
});
afterAll(() => gh.stop());
afterEach(() => {
  expect(gh.violations()).toEqual([]);
});

/** Each test of a describe block gets a fresh remote, registry and server repository. */
function withRegistry(): void {
  beforeEach(setup);
  afterEach(() => remote.cleanup());
}

describe('finalise', () => {
  withRegistry();

  it('finalise tags the promoted version, archives the old champion and comments with the approvers', async () => {
    const { before, after, pr } = await mergePromotion(2);
    const [r] = await finalise({
      registry: await open(await checkout()),
      before,
      after,
      openStore: opener,
      forge,
      log: silentLogger,
    });
    expect(r).toMatchObject({ model: 'churn', tags: ['churn@v2'], archived: [1], pr, approvers: ['alice'] });
    const check = await checkout();
    const reg = await open(check);
    expect(await reg.aliases('churn')).toEqual({ aliases: { champion: 2 }, archived: [1] });
    const [tag] = await readPromotionTags(check, 'churn');
    expect(tag).toMatchObject({
      tag: 'churn@v2',
      version: 2,
      alias: 'champion',
      from: 1,
      pr,
      approvers: ['alice'],
    });
    expect(await git(check, 'rev-list', '-n', '1', 'churn@v2')).toBe(after);
    const comments = repo.comments.filter((c) => c.issueNumber === pr);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('**Promoted churn**: champion v1 → v2');
    expect(comments[0].body).toContain('Approved by: @&#8203;alice');
    const history = await reg.history('churn');
    expect(history.map((e) => `${e.type} v${e.version}`)).toContain('archived v1');
  });

  it('finalise regenerates stale READMEs when a hand-made PR already archived the old version', async () => {
    const dir = await remote.cloneOf();
    await git(dir, 'checkout', '-q', '-b', 'by-hand');
    await writeFile(join(dir, 'models/churn/aliases.yaml'), 'aliases:\n  champion: 3\narchived:\n  - 1\n');
    await git(dir, 'commit', '-q', '-am', 'churn: champion v3 (by hand)');
    await git(dir, 'push', '-q', 'origin', 'by-hand');
    const { before, after } = await mergeBranch('by-hand');
    const readmeAt = (rev: string) => git(remote.remote, 'show', `${rev}:models/churn/README.md`);
    expect(await readmeAt(after)).toContain('`champion` → v1');
    const [r] = await finalise({
      registry: await open(await checkout()),
      before,
      after,
      openStore: opener,
      forge,
      log: silentLogger,
    });
    expect(r).toMatchObject({ archived: [], tags: ['churn@v3'] });
    expect(await readmeAt('main')).toContain('`champion` → v3');
    expect(await git(remote.remote, 'show', 'main:models/README.md')).toMatch(/\| v3 +\|/);
  });

  it('finalise refuses an alias that points at a version whose artifacts are missing from the store', async () => {
    const { before, after } = await mergePromotion(2);
    const empty = await mkdtemp(join(remote.root, 'empty-'));
    const run = finalise({
      registry: await open(await checkout()),
      before,
      after,
      openStore: async () => openStore(empty),
      log: silentLogger,
    });
    await expect(run).rejects.toThrow(/churn v2: artifact model\.onnx \(.+\) is missing from/);
    expect(await git(remote.remote, 'tag', '--list')).toBe('');
  });

  it('finalise of two promotions merged one after the other, run at once, keeps the second alias and both records', async () => {
    const first = await mergePromotion(2);
    const second = await mergePromotion(3);
    const [a, b] = [await checkout(), await checkout()];
    await Promise.all([
      finalise({ registry: await open(a), ...first, openStore: opener, forge, log: silentLogger }),
      finalise({ registry: await open(b), ...second, openStore: opener, forge, log: silentLogger }),
    ]);
    const check = await checkout();
    const reg = await open(check);
    expect(await reg.aliases('churn')).toEqual({ aliases: { champion: 3 }, archived: [1, 2] });
    const tags = await readPromotionTags(check, 'churn');
    expect(tags.map((t) => `${t.tag} #${t.pr}`).sort()).toEqual([
      `churn@v2 #${first.pr}`,
      `churn@v3 #${second.pr}`,
    ]);
  });
});

/** Post the evaluate check (with its metrics block) on the head of `branch` for `version`, as `app` when given. */
async function postEvaluation(
  branch: string,
  version: number,
  metrics: Record<string, number>,
  app?: string,
) {
  const headSha = await git(remote.remote, 'rev-parse', branch);
  const reg = await open(await checkout());
  const sha256 = (await reg.resolve({ model: 'churn', version })).artifacts[0].sha256;
  const check = { ...evaluatedCheck({ headSha, sha256, version }), text: formatCheckMetrics(metrics) };
  await forge.upsertCheckRun(check);
  if (app) repo.checkRuns[repo.checkRuns.length - 1].app = app;
}

describe('finalise audit', () => {
  withRegistry();

  it('finalise records the metrics of the evaluate check on the merged head, not the training metrics', async () => {
    const branch = 'mlops/promote/churn-v2';
    await (await open(remote.clone)).setAlias({ model: 'churn', alias: 'champion', version: 2, branch });
    await postEvaluation(branch, 2, { roc_auc: 0.61, log_loss: 0.5 });
    const { before, after } = await mergeBranch(branch);
    const opts = { openStore: opener, forge, log: silentLogger, evaluateApp: 'github-actions' };
    await finalise({ registry: await open(await checkout()), before, after, ...opts });
    const [tag] = await readPromotionTags(await checkout(), 'churn');
    expect(tag).toMatchObject({ metricsSource: 'evaluated', metrics: { roc_auc: 0.61, log_loss: 0.5 } });
  });

  it('finalise ignores an evaluate check from another app and labels the recorded metrics as training metrics', async () => {
    const branch = 'mlops/promote/churn-v2';
    await (await open(remote.clone)).setAlias({ model: 'churn', alias: 'champion', version: 2, branch });
    await postEvaluation(branch, 2, { roc_auc: 0.99 }, 'forger');
    const { before, after } = await mergeBranch(branch);
    const opts = { openStore: opener, forge, log: silentLogger, evaluateApp: 'github-actions' };
    await finalise({ registry: await open(await checkout()), before, after, ...opts });
    const [tag] = await readPromotionTags(await checkout(), 'churn');
    expect(tag).toMatchObject({ metricsSource: 'training', metrics: { roc_auc: 0.72 } });
  });

  it('finalise of a rollback PR to an already-tagged version records its own PR and approvers for history', async () => {
    const opts = { openStore: opener, forge, log: silentLogger };
    const first = await mergePromotion(2);
    await finalise({ registry: await open(await checkout()), ...first, ...opts });
    const second = await mergePromotion(3);
    await finalise({ registry: await open(await checkout()), ...second, ...opts });
    const rb = await rollback({
      ...opts,
      registry: await open(await checkout()),
      model: 'churn',
      to: 2,
      alias: 'champion',
      reason: 'v3 misbehaves',
      direct: false,
      actor: 'carol',
    });
    gh.state.addReview(repo, rb.pr ?? 0, 'alice', 'APPROVED');
    const before = await git(remote.remote, 'rev-parse', 'main');
    const after = await forge.mergePullRequest(rb.pr ?? 0, { sha: rb.commit });
    const [r] = await finalise({ registry: await open(await checkout()), before, after, ...opts });
    expect(r).toMatchObject({ tags: ['churn@v2-promoted-1'], existingTags: ['churn@v2'], pr: rb.pr });
    const dir = await checkout();
    const reg = await open(dir);
    const events = await historyWithPromotions(dir, 'churn', await reg.history('churn'));
    const moves = events.filter((e) => e.tag).map((e) => `${e.version} ${e.tag} #${e.pr} ${e.approvers}`);
    expect(moves).toEqual([
      `2 churn@v2-promoted-1 #${rb.pr} alice`,
      `3 churn@v3 #${second.pr} alice`,
      `2 churn@v2 #${first.pr} alice`,
    ]);
    const out: string[] = [];
    expect(await main(['history', 'churn'], { cwd: dir, log: silentLogger, out: (t) => out.push(t) })).toBe(
      0,
    );
    const lines = out.join('\n').split('\n');
    const back = lines.findIndex((l) => /(rolled back|moved) champion v3 -> v2/.test(l));
    expect(lines[back + 1]).toBe(`    PR #${rb.pr}, approved by alice (tag churn@v2-promoted-1)`);
  });
});

describe('prNumberFromMessage', () => {
  it('prNumberFromMessage reads merge and squash commit messages', () => {
    expect(prNumberFromMessage('Merge pull request #12 from acme/x\n\nbody')).toBe(12);
    expect(prNumberFromMessage('Promote churn v7 (#34)\n\n* x')).toBe(34);
    expect(prNumberFromMessage('churn: move champion')).toBeUndefined();
  });
});

describe('rollback', () => {
  withRegistry();

  it('rollback opens a PR that moves the alias back on its own branch', async () => {
    await mergePromotion(2);
    const out = await rollback({
      registry: await open(await checkout()),
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
    const pull = repo.pulls.find((p) => p.number === out.pr);
    expect(out).toMatchObject({ from: 2, to: 1 });
    expect(pull).toMatchObject({ head: 'mlops/rollback/churn/champion-v1', base: 'main' });
    const aliases = await git(
      remote.remote,
      'show',
      'mlops/rollback/churn/champion-v1:models/churn/aliases.yaml',
    );
    expect(aliases).toMatch(/champion: 1/);
    expect((await (await open(await checkout())).aliases('churn')).aliases.champion).toBe(2);
  });

  it('rollback refuses a direct rollback unless model.yaml allows it, and records an allowed one in an issue', async () => {
    await mergePromotion(2);
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
    const dir = await checkout();
    await expect(rollback({ registry: await open(dir), ...req })).rejects.toThrow(
      /promotion\.emergency_rollback: true/,
    );
    const spec = join(dir, 'models/churn/model.yaml');
    await writeFile(spec, `${await readFile(spec, 'utf8')}promotion:\n  emergency_rollback: true\n`);
    await git(dir, 'commit', '-q', '-am', 'allow emergency rollback');
    await git(dir, 'push', '-q', 'origin', 'main');
    const out = await rollback({ registry: await open(dir), ...req });
    const issue = repo.issues.find((i) => i.number === out.issue);
    expect(out).toMatchObject({ from: 2, to: 1 });
    expect(issue?.title).toBe('Review emergency rollback: churn champion v2 → v1');
    expect(issue?.labels).toEqual(['mlops:emergency-rollback', 'mlops', 'emergency-rollback']);
    expect((await (await open(await checkout())).aliases('churn')).aliases.champion).toBe(1);
  });
});
